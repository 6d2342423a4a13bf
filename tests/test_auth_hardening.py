"""Sign-in hardening: the throttle backs off per (username, address) and per real client
address, counts atomically on the console's database cache, and lets a lock expire."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts import passwords
from tests import factories

LOGIN = reverse("login")
THROTTLED = "Too many failed sign-ins"
DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "console_cache"}}


@pytest.fixture
def db_cache(settings, django_db_blocker):
    """The production cache (DatabaseCache), not the suite's locmem."""
    settings.CACHES = DB_CACHE
    with django_db_blocker.unblock():
        call_command("createcachetable", database="default", verbosity=0)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password, **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def signed_in(response) -> bool:
    return response.status_code == 302


@pytest.mark.django_db(databases="__all__")
def test_an_attacker_elsewhere_does_not_lock_the_owner_out(client, settings, db_cache):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    factories.make_user(email="owner@example.com", password=passwords.hash_password("Owner-Password-1"))
    for _ in range(10):
        sign_in(client, "owner@example.com", "guess", REMOTE_ADDR="203.0.113.66")
    assert THROTTLED in sign_in(client, "owner@example.com", "guess", REMOTE_ADDR="203.0.113.66").content.decode()
    assert signed_in(sign_in(Client(), "owner@example.com", "Owner-Password-1", REMOTE_ADDR="198.51.100.1"))


@pytest.mark.django_db(databases="__all__")
def test_a_lock_ends_after_the_configured_window_on_the_database_cache(client, settings, db_cache):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    # Long enough that two slow scrypt checks on a busy machine still fall in one window.
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 4
    factories.make_user(email="w@example.com", password=passwords.hash_password("Window-Pass-1"))
    for _ in range(2):
        sign_in(client, "w@example.com", "wrong")
    assert THROTTLED in sign_in(client, "w@example.com", "Window-Pass-1").content.decode()
    time.sleep(4.5)
    assert signed_in(sign_in(client, "w@example.com", "Window-Pass-1"))


@pytest.mark.django_db(databases="__all__")
def test_behind_the_tls_proxy_each_client_address_has_its_own_limit(client, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 100
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 3
    settings.TRUSTED_PROXY_HOPS = 1
    factories.make_user(email="bystander@example.com", password=passwords.hash_password("Bystander-Pass-1"))
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy
    for n in range(5):
        # The attacker forges a left-hand entry; the proxy appends the real address.
        sign_in(client, f"guess{n}@example.com", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9", **proxy)
    attacker = sign_in(client, "bystander@example.com", "Bystander-Pass-1", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert THROTTLED in attacker.content.decode()
    other = sign_in(Client(), "bystander@example.com", "Bystander-Pass-1", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert signed_in(other)


def test_the_proxy_hop_count_follows_behind_tls_proxy(monkeypatch):
    import importlib

    import config.settings as console_settings

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("BEHIND_TLS_PROXY", "true")
    assert importlib.reload(console_settings).TRUSTED_PROXY_HOPS == 1
    monkeypatch.setenv("BEHIND_TLS_PROXY", "false")
    assert importlib.reload(console_settings).TRUSTED_PROXY_HOPS == 0


@pytest.mark.django_db(databases="__all__")
def test_look_alike_spellings_of_one_email_share_one_count_and_sign_in(client, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    factories.make_user(email="pat@example.com", password=passwords.hash_password("Pat-Password-1"))
    # Full-width "ｐ" is "p" after NFKC; case does not matter.
    assert signed_in(sign_in(Client(), "\uff50at@example.com", "Pat-Password-1"))
    for spelling in ("PAT@example.com", "\uff50at@example.com", " Pat@Example.com "):
        sign_in(client, spelling, "wrong")
    assert THROTTLED in sign_in(client, "pat@example.com", "Pat-Password-1").content.decode()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_concurrent_guesses_do_not_pass_the_limit(settings, db_cache, clean_litellm):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    factories.make_user(email="race@example.com", password=passwords.hash_password("Race-Password-1"))
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    results: list[str] = []

    def guess():
        try:
            client = Client()
            barrier.wait()
            body = sign_in(client, "race@example.com", "wrong").content.decode()
            results.append("throttled" if THROTTLED in body else "checked")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == threads_n
    assert results.count("checked") == 3, results


@pytest.mark.django_db(databases="__all__")
def test_an_unknown_email_costs_the_same_scrypt_work_as_a_known_one(client, monkeypatch):
    factories.make_user(email="known@example.com", password=passwords.hash_password("Known-Password-1"))
    factories.make_user(email="nopassword@example.com")  # invited, no password yet
    sign_in(client, "warm-up@example.com", "x")  # the dummy hash is made once per process
    calls: list[tuple] = []
    real = passwords.hashlib.scrypt

    def counting(password, **kw):
        calls.append((kw["n"], kw["r"], kw["p"]))
        return real(password, **kw)

    monkeypatch.setattr(passwords.hashlib, "scrypt", counting)
    work = {}
    for email in ("known@example.com", "nobody@example.com", "nopassword@example.com"):
        calls.clear()
        assert not signed_in(sign_in(client, email, "Wrong-Password-1"))
        work[email] = list(calls)
    assert work["known@example.com"] == [(16384, 8, 1)]  # LiteLLM's parameters
    assert work["nobody@example.com"] == work["known@example.com"]
    assert work["nopassword@example.com"] == work["known@example.com"]
