"""Sign-in with a LiteLLM user's email and password (the one stored in LiteLLM_UserTable).

A successful sign-in maps to a Django user named `litellm:<user_id>` in the console's own
schema (no password of its own), so sessions work as usual; rights come from LiteLLM.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

from config import policy

from . import passwords


class LiteLLMUserBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or "@" not in username:
            return None
        from .models import UserTable

        rows = list(UserTable.objects.filter(user_email__iexact=username.strip()).only("user_id", "password")[:2])
        if len(rows) != 1:
            return None
        row = rows[0]
        if not passwords.verify_password(password, row.password):
            return None
        if passwords.needs_rehash(row.password):
            from .services import user_upgrade_password_hash

            user_upgrade_password_hash(user_id=row.user_id, password=password)
        return self._console_user(row.user_id)

    def _console_user(self, user_id: str):
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=policy.LITELLM_USERNAME_PREFIX + user_id)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def get_user(self, user_id):
        User = get_user_model()
        try:
            return User.objects.get(pk=user_id)
        except User.DoesNotExist:
            return None
