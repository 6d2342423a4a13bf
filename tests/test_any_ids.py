"""Ids LiteLLM lets callers choose (end users from any API caller's `user` field; team, user,
org and budget ids on create) may be any string: list pages render and every link leads to
the right object."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest
from django.urls import resolve, reverse

from config.converters import AnyIdConverter
from tests import factories

pytestmark = pytest.mark.django_db(databases=["default", "litellm"])

HOSTILE_IDS = [
    "acct/42/eu-west",
    "ends-with/edit",
    "trailing/",
    "/leading",
    "50%off",
    "what?x=1",
    "hash#frag",
    "with space",
    "tilde~2F~7E~",
    "Zürich-東京-☃",
    "..",
    ".",
    "back\\slash",
    "x" * 255,
]

LISTS = {
    "accounts:enduser_list": "accounts:enduser_edit",
    "accounts:team_list": "accounts:team_detail",
    "accounts:user_list": "accounts:user_detail",
    "accounts:org_list": "accounts:org_detail",
    "budgets:budget_rows": "budgets:budget_row_edit",
    "usage:spendlog_list": "usage:spendlog_detail",
    "usage:errorlog_list": "usage:errorlog_detail",
}


@pytest.mark.parametrize("value", [*HOSTILE_IDS, "", "plain"])
def test_the_converter_round_trips_any_string(value):
    converter = AnyIdConverter()
    url = converter.to_url(value)
    assert "/" not in url and re.fullmatch(converter.regex, url)
    assert converter.to_python(url) == value


@pytest.mark.parametrize("ident", HOSTILE_IDS)
def test_list_pages_link_every_chosen_id_to_its_own_page(cast, client_for, ident):
    ids = {k: ident for k in ("end_user", "team", "user", "org", "budget", "request", "model", "tag")}
    factories.make_proxy_shaped_rows(ids=ids)
    client = client_for(cast.proxy_admin)
    client.raise_request_exception = False
    for list_name, detail_name in LISTS.items():
        response = client.get(reverse(list_name), {"per_page": 100})
        assert response.status_code == 200, f"{list_name}: {response.status_code}"
        body = response.content.decode()
        expected = reverse(detail_name, args=[ident])
        hrefs = {html.unescape(h) for h in re.findall(r'href="([^"]+)"', body)}
        assert expected in hrefs, f"{list_name} has no link to {expected}"
        # The link routes (as a server decodes it) to the view, with the id intact.
        match = resolve(unquote(expected))
        assert match.url_name == detail_name.split(":")[1]
        assert ident in match.kwargs.values()
        page = client.get(expected)
        assert page.status_code == 200, f"{expected}: {page.status_code}"
    # Pages that take the id in their path, including trailing actions.
    for name in ("accounts:team_edit", "accounts:team_member_add", "budgets:team_members", "accounts:user_edit"):
        assert client.get(reverse(name, args=[ident])).status_code == 200, name
    response = client.get(reverse("accounts:org_edit", args=[ident]))
    assert response.status_code == 200
    for scope in ("team", "user", "org", "tag", "model"):
        response = client.get(reverse("usage:dashboard"), {"scope": scope, "id": ident})
        assert response.status_code == 200, scope
