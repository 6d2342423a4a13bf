"""Single sign-on in Chromium: the console's button, the provider's page on 127.0.0.1, back to
the console signed in as the demo's LiteLLM user with their LiteLLM role; sign-out goes on to
the provider's end-session page and the console session is gone."""

from __future__ import annotations

import pytest

from accounts import oidc
from tests.oidc_provider import running_provider, set_person


@pytest.fixture
def provider(settings):
    with running_provider() as issuer:
        settings.OIDC_ISSUER = issuer
        settings.OIDC_CLIENT_ID = "litellm-console"
        settings.OIDC_CLIENT_SECRET = "console-secret"
        settings.OIDC_GROUPS_CLAIM = "groups"
        oidc._client.cache_clear()
        yield issuer
        oidc._client.cache_clear()


def test_the_redirect_dance_signs_in_and_out(page, live_url, provider, shot):
    set_person(provider, "dev-sub", email="DEV@acme.example", email_verified=True, groups=["engineering"])
    page.goto(f"{live_url}/keys/")
    assert "/accounts/login/" in page.url
    page.get_by_role("link", name="Sign in with SSO").click()
    page.wait_for_url(f"{provider}/oauth2/authorize**")
    shot(page, "sso-provider")
    page.fill("input[name=sub]", "dev-sub")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live_url}/keys/")  # back where the person was going
    assert "dev@acme.example" in page.locator("header").inner_text()
    assert page.get_by_role("heading", name="Keys").is_visible()
    shot(page, "sso-signed-in")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider}/oauth2/end_session**")
    page.goto(f"{live_url}/keys/")
    assert "/accounts/login/" in page.url
