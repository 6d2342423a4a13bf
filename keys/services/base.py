"""What the key writes share: the secret (generation and hashing, as LiteLLM's
key_management_endpoints.py::generate_key_helper_fn) and the reads done under the lock."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from config import litellm, writes
from config.errors import ChangeRefused

from ..models import VerificationToken

LOGICAL_TABLE = "VerificationToken"

UI_SESSION_TEAM_ID = litellm.UI_SESSION_TEAM_ID  # callers that import it from here


@dataclass(frozen=True)
class IssuedKey:
    """A freshly generated secret: `raw` is shown once, `token` is what the database holds."""

    raw: str
    token: str
    key_name: str | None


# --- Generation and hashing (key_management_endpoints.py::generate_key_helper_fn) --------------


def hash_token(raw: str) -> str:
    """utils.py::hash_token: lowercase hex SHA-256 of the whole key, "sk-" included."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def abbreviate(raw: str) -> str:
    """auth_utils.py::abbreviate_api_key."""
    if len(raw) < settings.LITELLM_MINIMUM_CUSTOM_KEY_LENGTH:
        return "sk-..."
    return f"sk-...{raw[-4:]}"


def issue_key() -> IssuedKey:
    raw = f"sk-{secrets.token_urlsafe(settings.LITELLM_KEY_BYTES)}"
    key_name = None if settings.LITELLM_DISABLE_KEY_NAME else abbreviate(raw)
    return IssuedKey(raw=raw, token=hash_token(raw), key_name=key_name)


# --- Reads used by the writes ----------------------------------------------------------------


def _locked_key(token: str) -> VerificationToken:
    rows = writes.lock_rows(VerificationToken, token=token)
    if not rows:
        raise ChangeRefused("That key no longer exists.")
    return rows[0]


def alias_taken(alias: str, *, except_token: str | None = None) -> bool:
    """_enforce_unique_key_alias: aliases are unique across all keys."""
    qs = VerificationToken.objects.filter(key_alias=alias)
    if except_token:
        qs = qs.exclude(token=except_token)
    return qs.exists()


def _settings_stamp(now) -> dict[str, Any]:
    # /key/update, /key/block and /key/regenerate stamp settings_updated_at
    # (absent on older schemas; update_row drops it there).
    return {"settings_updated_at": now} if VerificationToken.has_column("settings_updated_at") else {}
