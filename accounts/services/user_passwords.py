"""Passwords on UserTable rows: set by a link, changed by their owner, hash upgrades."""

from __future__ import annotations

from config import writes
from config.errors import ChangeRefused

from .. import passwords
from ..models import (
    UserTable,
)
from .base import user_snapshot


def user_set_password(*, user_id: str, password: str, reset_required: bool) -> None:
    """Store LiteLLM's scrypt hash. An admin-set password also asks for a reset at next login
    (internal_user_endpoints.py::_hash_password_in_dict); a claimed invitation clears it."""
    writes.update_row(
        UserTable,
        user_id,
        {
            "password": passwords.hash_password(password),
            "password_reset_required": reset_required,
            "last_breach_check_at": None,
            "updated_at": writes.now_utc(),
        },
    )


def user_change_own_password(*, user_id: str, current_password: str, new_password: str) -> None:
    """A signed-in LiteLLM user changes their own password: checked against the stored hash,
    stored as scrypt with password_reset_required=false (as /user/update does for the
    user themself), audited as a user update without the hash."""
    from ..passwords import password_policy_errors

    user = UserTable.objects.filter(user_id=user_id).first()
    if user is None or not passwords.verify_password(current_password, user.password):
        raise ChangeRefused("That is not your current password.", "current_password")
    problems = password_policy_errors(new_password)
    if problems:
        raise ChangeRefused("Password must " + ", ".join(problems) + ".", "password1")
    with writes.atomic():
        before = user_snapshot(user)
        user_set_password(user_id=user_id, password=new_password, reset_required=False)
        after = user_snapshot(UserTable.objects.get(user_id=user_id))
        actor = writes.Actor(changed_by=user_id, writer_id=user_id)
        writes.audit(actor, writes.UPDATED, "UserTable", user_id, before, after)
        # A pending invitation or reset link would set the password again behind its owner's back.
        from .invitations import revoke_pending_links

        revoke_pending_links(actor=actor, user_id=user_id)


def user_upgrade_password_hash(*, user_id: str, password: str) -> None:
    """Rehash a legacy sha256 password to scrypt on sign-in, as the proxy's login does
    (auth/login_utils.py::_rehash_password_if_needed: the password column, and the
    updated_at Prisma's @updatedAt stamps on that update)."""
    with writes.atomic():
        writes.update_row(
            UserTable, user_id, {"password": passwords.hash_password(password), "updated_at": writes.now_utc()}
        )
