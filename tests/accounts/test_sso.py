"""OpenID Connect sign-in against a real provider on 127.0.0.1 (tests/oidc_provider.py): the code
flow with PKCE, state and nonce; refusals (state, nonce, issuer, audience, unverified email,
unknown person); first-sign-in creation and group -> role mapping through the audited services;
sign-out; PASSWORD_LOGIN=false keeping only the ops break-glass login."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from accounts import oidc
from accounts.models import UserTable
from config import policy
from config.models import AuditLog
from tests import factories
from tests.oidc_provider import authorize_as, query_of, running_provider, set_person, with_param

pytestmark = pytest.mark.django_db(databases=["default", "litellm"])


@pytest.fixture(scope="module")
def provider():
    with running_provider() as issuer:
        yield issuer


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider
    settings.OIDC_CLIENT_ID = "litellm-console"
    settings.OIDC_CLIENT_SECRET = "console-secret"
    settings.OIDC_SCOPES = "openid email profile"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = "platform-admins=proxy_admin,auditors=proxy_admin_viewer"
    settings.OIDC_CREATE_USERS = False
    oidc._client.cache_clear()
    yield provider
    oidc._client.cache_clear()


def start(client) -> str:
    response = client.get("/accounts/sso/")
    assert response.status_code == 302
    return response["Location"]


def callback(client, location: str):
    parts = urlsplit(location)
    assert parts.path == "/accounts/sso/callback/", location
    return client.get(f"{parts.path}?{parts.query}")


def signed_in_as(client) -> str | None:
    response = client.get("/")
    return None if response.status_code == 302 else response.context["principal"].label


def test_login_page_offers_sso_and_the_dance_signs_in_the_litellm_user(sso):
    person = factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="Pat@Example.COM", email_verified=True)
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with SSO" in page and 'href="/accounts/sso/"' in page
    url = start(client)
    asked = query_of(url)
    assert url.startswith(sso + "/oauth2/authorize")
    assert asked["response_type"] == "code" and asked["client_id"] == "litellm-console"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert asked["state"] and asked["nonce"]
    response = callback(client, authorize_as(url, "pat-sub"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "pat@example.com"
    principal = policy.principal_for_user(client.get("/").wsgi_request.user)
    assert principal.user_id == person["user_id"] and principal.role == policy.INTERNAL_USER
    assert not [k for k in client.session.keys() if k.startswith("_state_sso")]  # state used up


def test_a_callback_with_another_state_is_refused(sso):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="pat@example.com", email_verified=True)
    client = Client()
    location = authorize_as(start(client), "pat-sub")
    response = callback(client, with_param(location, state="forged-state"))
    assert response.status_code == 403
    assert "state does not match" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_replayed_callback_in_another_browser_is_refused(sso):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="pat@example.com", email_verified=True)
    location = authorize_as(start(Client()), "pat-sub")
    attacker = Client()
    assert callback(attacker, location).status_code == 403
    assert signed_in_as(attacker) is None


def test_an_id_token_with_another_nonce_is_refused(sso):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="pat@example.com", email_verified=True)
    client = Client()
    url = with_param(start(client), nonce="not-the-session-nonce")
    response = callback(client, authorize_as(url, "pat-sub"))
    assert response.status_code == 403
    assert "refused" in response.content.decode() and "nonce" in response.content.decode()
    assert signed_in_as(client) is None


def test_an_id_token_from_another_issuer_is_refused(sso):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="pat@example.com", email_verified=True)
    client = Client()
    url = start(client)
    # The same provider answering under another name: its tokens then say iss=http://localhost:…
    meta = oidc.client().server_metadata
    meta["token_endpoint"] = meta["token_endpoint"].replace("127.0.0.1", "localhost")
    response = callback(client, authorize_as(url, "pat-sub"))
    assert response.status_code == 403
    assert "iss" in response.content.decode()
    assert signed_in_as(client) is None


def test_an_id_token_for_another_client_is_refused(sso, monkeypatch):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="pat@example.com", email_verified=True)
    client = Client()
    url = start(client)
    # A genuine token the provider issued to another application, with this session's nonce
    # (a token mix-up): its audience is that application, not the console.
    other = authorize_as(with_param(url, client_id="other-app"), "pat-sub")
    stolen = requests.post(
        oidc.client().server_metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query_of(other)["code"],
            "redirect_uri": query_of(url)["redirect_uri"],
        },
        auth=("other-app", "other-secret"),
        timeout=10,
    ).json()
    assert "id_token" in stolen
    monkeypatch.setattr(oidc.client(), "fetch_access_token", lambda **kwargs: dict(stolen))
    response = callback(client, f"/accounts/sso/callback/?code=x&state={query_of(url)['state']}")
    assert response.status_code == 403
    assert "Invalid claim: &#x27;aud&#x27;" in response.content.decode()
    assert signed_in_as(client) is None


def test_an_unverified_email_is_refused(sso):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-unverified", email="pat@example.com", email_verified=False)
    client = Client()
    response = callback(client, authorize_as(start(client), "pat-unverified"))
    assert response.status_code == 403
    assert "has not verified the email address pat@example.com" in response.content.decode()
    assert signed_in_as(client) is None


def test_unknown_people_get_a_clear_page_unless_creation_is_on(sso, settings):
    set_person(sso, "new-sub", email="newcomer@example.com", email_verified=True, groups=["staff"])
    client = Client()
    response = callback(client, authorize_as(start(client), "new-sub"))
    assert response.status_code == 403
    assert "no LiteLLM user with the email newcomer@example.com" in response.content.decode()
    assert not UserTable.objects.filter(user_email__iexact="newcomer@example.com").exists()

    settings.OIDC_CREATE_USERS = True
    settings.OIDC_DEFAULT_ROLE = policy.INTERNAL_USER_VIEWER
    response = callback(client, authorize_as(start(client), "new-sub"))
    assert response.status_code == 302
    row = UserTable.objects.get(user_email="newcomer@example.com")
    assert row.user_role == policy.INTERNAL_USER_VIEWER
    audit = AuditLog.objects.using("litellm").get(object_id=row.user_id, action="created")
    assert audit.changed_by == "default_user_id"
    assert signed_in_as(client) == "newcomer@example.com"
    # The second sign-in finds the same row instead of creating another.
    again = Client()
    assert callback(again, authorize_as(start(again), "new-sub")).status_code == 302
    assert UserTable.objects.filter(user_email__iexact="newcomer@example.com").count() == 1


def test_idp_groups_set_the_litellm_role_through_the_audited_update(sso):
    person = factories.make_user(role=policy.INTERNAL_USER, email="ops-lead@example.com")
    set_person(sso, "lead-sub", email="ops-lead@example.com", email_verified=True, groups=["staff", "platform-admins"])
    client = Client()
    assert callback(client, authorize_as(start(client), "lead-sub")).status_code == 302
    assert UserTable.objects.get(user_id=person["user_id"]).user_role == policy.PROXY_ADMIN
    audit = AuditLog.objects.using("litellm").get(object_id=person["user_id"], action="updated")
    assert audit.before_value["user_role"] == policy.INTERNAL_USER
    assert audit.updated_values["user_role"] == policy.PROXY_ADMIN
    assert client.get("/users/").status_code == 200  # proxy admins see every user
    # Unmapped groups leave the role in LiteLLM's table alone.
    set_person(sso, "lead-sub", email="ops-lead@example.com", email_verified=True, groups=["staff"])
    again = Client()
    assert callback(again, authorize_as(start(again), "lead-sub")).status_code == 302
    assert UserTable.objects.get(user_id=person["user_id"]).user_role == policy.PROXY_ADMIN


def test_sign_out_ends_the_session_and_the_providers(sso):
    factories.make_user(role=policy.INTERNAL_USER, email="pat@example.com")
    set_person(sso, "pat-sub", email="pat@example.com", email_verified=True)
    client = Client()
    callback(client, authorize_as(start(client), "pat-sub"))
    assert signed_in_as(client) == "pat@example.com"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(sso + "/oauth2/end_session?")
    assert query_of(response["Location"])["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    assert signed_in_as(client) is None


def test_password_login_off_keeps_only_the_ops_break_glass(sso, settings, django_user_model):
    settings.PASSWORD_LOGIN = False
    person = factories.make_user(role=policy.PROXY_ADMIN, email="pat@example.com", password="Pat-Password-123!")
    django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password")
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert "Break-glass only" in page
    response = client.post("/accounts/login/", {"username": "pat@example.com", "password": "Pat-Password-123!"})
    assert response.status_code == 200 and "Password sign-in is off here" in response.content.decode()
    assert signed_in_as(client) is None
    assert client.post("/accounts/login/", {"username": "ops", "password": "ops-password"}).status_code == 302
    assert signed_in_as(client) == "ops"
    assert person["user_id"]
