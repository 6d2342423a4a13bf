"""Sign-in with a LiteLLM user's email and password (the one stored in LiteLLM_UserTable),
and the sign-in throttle.

A successful sign-in maps to a Django user named `litellm:<user_id>` in the console's own
schema (no password of its own), so sessions work as usual; rights come from LiteLLM.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.cache import cache
from django.db import connections, transaction

from config import policy

from . import passwords


def normalize_login(username: str) -> str:
    """What the person typed, as looked up: NFKC (a full-width "ｐat@…" is "pat@…"), stripped."""
    return unicodedata.normalize("NFKC", username or "").strip()


@functools.cache
def _dummy_hash() -> str:
    return passwords.hash_password("no such user: the verify below only takes the same time")


def _dummy_verify(password: str) -> None:
    """An unknown email costs one scrypt verify with LiteLLM's parameters, as a known one does,
    so the response time does not tell who has an account."""
    passwords.verify_password(password or "x", _dummy_hash())


class LiteLLMUserBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or "@" not in username:
            return None
        if not settings.PASSWORD_LOGIN:
            return None  # SSO only; ops logins (ModelBackend) remain the break-glass way in
        from .models import UserTable

        email = normalize_login(username)
        rows = list(UserTable.objects.filter(user_email__iexact=email).only("user_id", "password")[:2])
        row = rows[0] if len(rows) == 1 else None
        stored = row.password if row is not None else None
        if not (stored or "").startswith(passwords.SCRYPT_PREFIX):
            _dummy_verify(password)  # unknown, no password yet, or fast legacy sha256
        if row is None or not passwords.verify_password(password, stored):
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


# --- sign-in throttle ------------------------------------------------------------------------
# Hand-written rather than django-axes or django-ratelimit: ratelimit counts with cache.incr,
# which Django's DatabaseCache (the console's cache) does as get-then-set, so concurrent
# guesses slip past the limit; axes brings its own tables, admin and backend ordering for what
# is here one counter per (username, address) pair and one per address, and the LiteLLM
# sign-in is a custom backend anyway. The counter below is made atomic by a PostgreSQL
# advisory lock per key around the cache read and write, whatever the cache backend.


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_HOPS proxies that each
    append to X-Forwarded-For, the entry the farthest trusted proxy wrote (entries to its left
    are whatever the client sent, so they are never trusted)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if hops <= 0 or not chain:
        return remote
    return chain[-hops] if len(chain) >= hops else chain[0]


def _throttle_keys(request, username: str) -> list[tuple[str, int]]:
    """[(key, limit)]: the (username, address) pair, so an attacker elsewhere cannot lock the
    owner out; and the address alone, with a higher limit (many people may share one)."""
    name = normalize_login(username).casefold()
    address = client_address(request)
    pair = hashlib.sha256(f"{name}\0{address}".encode()).hexdigest()
    return [
        (f"login-attempt:pair:{pair}", settings.LOGIN_THROTTLE_ATTEMPTS),
        (f"login-attempt:ip:{address}", settings.LOGIN_THROTTLE_IP_ATTEMPTS),
    ]


def _lock(keys) -> None:
    with connections["default"].cursor() as cursor:
        for key in sorted(keys):  # one order, so two sign-ins never wait on each other in a cycle
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def throttle_reserve(request, username: str) -> bool:
    """Count this attempt before the password is checked; False (and nothing counted) when a
    limit is reached. Each counted attempt restarts the window, so a lock ends
    LOGIN_THROTTLE_WINDOW_SECONDS after the last attempt that was let through."""
    keys = _throttle_keys(request, username)
    with transaction.atomic(using="default"):
        _lock([k for k, _ in keys])
        counts = cache.get_many([k for k, _ in keys])
        if any(counts.get(k, 0) >= limit for k, limit in keys):
            return False
        cache.set_many({k: counts.get(k, 0) + 1 for k, _ in keys}, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    return True


def throttle_succeeded(request, username: str) -> None:
    """A success clears the pair and gives the address its attempt back."""
    (pair, _), (address, _) = _throttle_keys(request, username)
    with transaction.atomic(using="default"):
        _lock([pair, address])
        cache.delete(pair)
        count = cache.get(address, 0)
        if count > 1:
            cache.set(address, count - 1, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
        else:
            cache.delete(address)
