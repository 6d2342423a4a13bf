"""Writes to users, teams, organizations, memberships, invitations and end users, in
LiteLLM's terms. Every function runs in one transaction and leaves its audit row."""

from __future__ import annotations

from config import writes

from . import passwords
from .models import UserTable


def user_upgrade_password_hash(*, user_id: str, password: str) -> None:
    """Rehash a legacy sha256 password to scrypt on sign-in, as the proxy's login does."""
    with writes.atomic():
        writes.update_row(UserTable, user_id, {"password": passwords.hash_password(password)})
