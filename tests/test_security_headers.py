"""Every response carries a CSP that allows only the console's own assets and a
Permissions-Policy; a signed-in person's pages are never cached; sessions end after an idle
SESSION_COOKIE_AGE; no template carries inline script or event handlers."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases="__all__")

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_an_anonymous_page_gets_the_csp_and_permissions_policy(client):
    response = client.get(reverse("login"))
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no other origin
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy


def test_a_signed_in_persons_pages_are_private_and_not_stored(client_for, cast):
    for url in (reverse("home"), reverse("accounts:team_detail", args=[cast.team["team_id"]])):
        response = client_for(cast.team_admin).get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert "Content-Security-Policy" in response


def test_the_session_slides_on_every_request_for_the_idle_timeout(client_for, cast):
    client = client_for(cast.member)
    response = client.get(reverse("home"))
    assert int(response.cookies["sessionid"]["max-age"]) == 12 * 3600  # renewed on an ordinary page view


def test_the_idle_timeout_comes_from_the_environment(monkeypatch):
    import config.settings as console_settings

    monkeypatch.setenv("SESSION_COOKIE_AGE", "1800")
    assert importlib.reload(console_settings).SESSION_COOKIE_AGE == 1800
    monkeypatch.delenv("SESSION_COOKIE_AGE")
    assert importlib.reload(console_settings).SESSION_COOKIE_AGE == 12 * 3600


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_roles_change_with_an_explicit_button(client_for, cast):
    for user, url in (
        (cast.team_admin, reverse("accounts:team_detail", args=[cast.team["team_id"]])),
        (cast.org_admin, reverse("accounts:org_detail", args=[cast.org["organization_id"]])),
    ):
        page = client_for(user).get(url).content.decode()
        assert "onchange" not in page
        assert page.count(">Change role</button>") >= 1


@pytest.mark.parametrize("console_url", ["", "postgresql://u:p@db/console"])
def test_both_database_aliases_check_a_reused_connection(monkeypatch, console_url):
    import config.settings as console_settings

    monkeypatch.setenv("CONSOLE_DATABASE_URL", console_url)
    databases = importlib.reload(console_settings).DATABASES
    monkeypatch.delenv("CONSOLE_DATABASE_URL")
    importlib.reload(console_settings)
    assert databases["default"]["CONN_HEALTH_CHECKS"] is True
    assert databases["litellm"]["CONN_HEALTH_CHECKS"] is True
