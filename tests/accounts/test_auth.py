"""Signing in: LiteLLM users with their LiteLLM password (scrypt, legacy sha256 upgraded),
ops staff with Django logins, failed attempts throttled."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts import passwords
from accounts.models import UserTable
from config import policy
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

LOGIN = reverse("login")


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_a_litellm_user_signs_in_with_their_litellm_password(client):
    user = factories.make_user(
        email="Pat@Example.com", role="internal_user", password=passwords.hash_password("Pat-Password-1")
    )
    response = sign_in(client, "pat@example.com", "Pat-Password-1")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "Pat@Example.com" in home and "internal_user" in home
    assert client.session["_auth_user_backend"] == "accounts.auth.LiteLLMUserBackend"
    assert policy.litellm_user_id(response.wsgi_request.user) == user["user_id"]


def test_a_wrong_password_or_no_password_is_refused(client):
    factories.make_user(email="np@example.com")  # invited, never set a password
    factories.make_user(email="q@example.com", password=passwords.hash_password("Right-Password-1"))
    for username, password in (("np@example.com", "anything-1A!"), ("q@example.com", "Wrong-Password-1")):
        response = sign_in(client, username, password)
        assert response.status_code == 200 and "Please enter a correct" in response.content.decode()


def test_a_legacy_sha256_password_works_and_is_upgraded_to_scrypt(client):
    user = factories.make_user(email="old@example.com", password=hashlib.sha256(b"Legacy-Pass-1").hexdigest())
    assert sign_in(client, "old@example.com", "Legacy-Pass-1").status_code == 302
    stored = UserTable.objects.get(user_id=user["user_id"]).password
    assert stored.startswith("scrypt:") and passwords.verify_password("Legacy-Pass-1", stored)


def test_ops_staff_sign_in_with_their_django_login(client, cast):
    response = sign_in(client, "ops", "ops-password")
    assert response.status_code == 302
    assert client.get(reverse("accounts:user_list")).status_code == 200  # superuser = proxy admin


def test_failed_sign_ins_are_throttled(client, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    factories.make_user(email="t@example.com", password=passwords.hash_password("Throttle-Me-1"))
    for _ in range(3):
        sign_in(client, "t@example.com", "wrong")
    response = sign_in(client, "t@example.com", "Throttle-Me-1")  # even the right password, for a while
    assert response.status_code == 200 and "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_account_count(client, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    factories.make_user(email="c@example.com", password=passwords.hash_password("Clear-Count-1"))
    sign_in(client, "c@example.com", "wrong")
    sign_in(client, "c@example.com", "wrong")
    assert sign_in(client, "c@example.com", "Clear-Count-1").status_code == 302
    client.logout()
    sign_in(client, "c@example.com", "wrong")
    sign_in(client, "c@example.com", "wrong")
    assert sign_in(client, "c@example.com", "Clear-Count-1").status_code == 302


def test_a_user_without_a_known_role_is_treated_as_internal_user(client):
    user = factories.make_user(
        email="norole@example.com", role=None, password=passwords.hash_password("No-Role-Pass-1")
    )
    assert policy.principal_for_litellm_user(user["user_id"]).role == policy.INTERNAL_USER


def test_one_persons_typos_do_not_lock_out_others_behind_the_same_address(client, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    factories.make_user(email="typo@example.com", password=passwords.hash_password("Typo-Person-1"))
    factories.make_user(email="other@example.com", password=passwords.hash_password("Other-Person-1"))
    for _ in range(3):
        sign_in(client, "typo@example.com", "wrong")
    assert sign_in(client, "other@example.com", "Other-Person-1").status_code == 302


def test_many_failures_from_one_address_are_throttled(client, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 4
    factories.make_user(email="victim@example.com", password=passwords.hash_password("Victim-Pass-1"))
    for n in range(4):
        sign_in(client, f"guess{n}@example.com", "wrong")
    response = sign_in(client, "victim@example.com", "Victim-Pass-1")
    assert "Too many failed sign-ins" in response.content.decode()
