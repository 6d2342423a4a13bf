"""Route-wide guarantees: every console page refuses anonymous visitors and people without a
console role, whatever view class it uses (hiding a link is not a check)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db(databases="__all__")

# Pages meant for anonymous visitors: sign-in (password and SSO, tests/accounts/test_sso.py), the
# invitation accept page, Django's admin (which has its own login), static files.
PUBLIC_PREFIXES = ("accounts/login/", "accounts/logout/", "accounts/sso/", "admin/", "static/")
PUBLIC_NAMES = {"invitation_accept"}


def console_paths() -> list[str]:
    paths = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if route.startswith(PUBLIC_PREFIXES) or entry.name in PUBLIC_NAMES:
                    continue
                # Fill every <converter:name> with a plausible value.
                while "<" in route:
                    start, end = route.index("<"), route.index(">")
                    route = route[:start] + "x" + route[end + 1 :]
                paths.append("/" + route)

    walk(get_resolver().url_patterns)
    return sorted(set(paths))


def test_there_are_console_pages_to_check():
    assert len(console_paths()) > 40


@pytest.mark.parametrize("path", console_paths())
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/login/"), path


@pytest.mark.parametrize("path", console_paths())
def test_a_django_login_without_a_console_role_is_refused(client, path):
    """A plain Django user (not staff, not a LiteLLM user) gets 403 everywhere."""
    user = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 403, path
