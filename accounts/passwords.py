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


# --- the rule for every new password (invitation, own change, the ops admin's forms) ----------
# Django's validators run it (settings.AUTH_PASSWORD_VALIDATORS): Django's minimum length,
# common-password and email-similarity checks, plus the two below.

WHITESPACE_MESSAGE = "Remove the spaces at the start or end of the password (they are easy to miss when typing it)."


class NoSurroundingWhitespaceValidator:
    def validate(self, password, user=None):
        from django.core.exceptions import ValidationError

        if password != password.strip():
            raise ValidationError(WHITESPACE_MESSAGE, code="password_whitespace")

    def get_help_text(self):
        return "No spaces at the start or end."


class LiteLLMCompositionValidator:
    """LiteLLM's composition rule (the length is MinimumLengthValidator's message)."""

    def validate(self, password, user=None):
        from django.core.exceptions import ValidationError

        needed = [p.removeprefix("include ") for p in password_policy_errors(password) if p.startswith("include ")]
        if needed:
            raise ValidationError("Still needed: " + ", ".join(needed) + ".", code="password_composition")

    def get_help_text(self):
        return "An uppercase and a lowercase letter, a number and a special character."


def new_password_errors(password: str, *, email: str | None = None) -> list[str]:
    """Every reason `password` may not be set for the person with `email` ([] when it may).
    A padded password gets only the whitespace message: the rest would confuse."""
    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError

    if password != password.strip():
        return [WHITESPACE_MESSAGE]
    person = get_user_model()(email=email or "")  # unsaved: only for the similarity check
    try:
        password_validation.validate_password(password, user=person)
    except ValidationError as error:
        return list(error.messages)
    return []
