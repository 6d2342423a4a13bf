"""LiteLLM's password format (litellm/proxy/utils.py::hash_password / verify_password)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

SCRYPT_PREFIX = "scrypt:"
_N, _R, _P, _DKLEN, _SALT = 16384, 8, 1, 32, 16


def hash_password(password: str) -> str:
    """`scrypt:` + base64(salt16 || dk32), n=16384, r=8, p=1 — what the proxy stores."""
    salt = os.urandom(_SALT)
    dk = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN, maxmem=64 * 1024 * 1024)
    return SCRYPT_PREFIX + base64.b64encode(salt + dk).decode()


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not password:
        return False
    if stored.startswith(SCRYPT_PREFIX):
        try:
            raw = base64.b64decode(stored[len(SCRYPT_PREFIX) :])
        except ValueError:
            return False
        if len(raw) != _SALT + _DKLEN:
            return False
        salt, expected = raw[:_SALT], raw[_SALT:]
        dk = hashlib.scrypt(
            password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=len(expected), maxmem=64 * 1024 * 1024
        )
        return hmac.compare_digest(dk, expected)
    if is_legacy_sha256(stored):
        return hmac.compare_digest(hashlib.sha256(password.encode()).hexdigest(), stored)
    return False


def is_legacy_sha256(stored: str | None) -> bool:
    """LiteLLM's fallback: exactly 64 lowercase hex characters (sha256 of the password)."""
    return bool(stored) and len(stored) == 64 and all(c in "0123456789abcdef" for c in stored)


def needs_rehash(stored: str | None) -> bool:
    return not (stored or "").startswith(SCRYPT_PREFIX)


# auth/password_policy.py defaults (general_settings password_policy_* can change them on the
# proxy; the console applies LiteLLM's defaults).
PASSWORD_MIN_LENGTH = 12


def password_policy_errors(password: str) -> list[str]:
    """LiteLLM's default policy: what the password still needs ("" list when it passes).
    Special = any character that is not a letter or digit in any script, as LiteLLM counts it."""
    checks = (
        (len(password) < PASSWORD_MIN_LENGTH, f"be at least {PASSWORD_MIN_LENGTH} characters long"),
        (not any(c.isupper() for c in password), "include an uppercase letter"),
        (not any(c.islower() for c in password), "include a lowercase letter"),
        (not any(c.isdigit() for c in password), "include a number"),
        (not any(not c.isalnum() for c in password), "include a special character"),
    )
    return [message for failed, message in checks if failed]
