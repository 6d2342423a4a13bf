"""Console sessions end when their LiteLLM user's password changes.

At sign-in the session keeps a digest of the user's stored password hash; each request's
principal (policy.principal) compares it with the hash it loads anyway. Another browser still
signed in after a reset, an accepted link or a change at /accounts/password/ is signed out.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.utils.crypto import salted_hmac

SESSION_KEY = "litellm_password_stamp"


def password_stamp(password_hash: str | None) -> str:
    """A digest of the stored hash (never the hash itself in the session)."""
    return salted_hmac("console.session.password", password_hash or "").hexdigest()[:32]


def remember(request, user_id: str) -> None:
    """Stamp this session with the user's current password (after sign-in or a change)."""
    from .models import UserTable

    stored = UserTable.objects.filter(user_id=user_id).values_list("password", flat=True).first()
    request.session[SESSION_KEY] = password_stamp(stored)


def _on_login(sender, request, user, **kwargs):
    from config.policy import litellm_user_id

    user_id = litellm_user_id(user)
    if user_id and request is not None and hasattr(request, "session"):
        remember(request, user_id)


user_logged_in.connect(_on_login, dispatch_uid="console.password_stamp")
