"""The tables' rows are rendered in Python (ConsoleTable.body_html) instead of django-tables2's
per-cell template loop: every list page's rows must stay exactly what the library renders
for the same table (cells, links, escaping, td attributes, empty text)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.template import RequestContext, Template
from django.urls import reverse

from config import writes
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

PAGES = [
    "keys:key_list",
    "accounts:user_list",
    "accounts:team_list",
    "accounts:org_list",
    "accounts:enduser_list",
    "accounts:invitation_list",
    "audit:audit_list",
    "usage:spendlog_list",
    "usage:errorlog_list",
]


def _tbody(html: str) -> str:
    match = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    assert match, "no table body on the page"
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", match.group(1))  # masked anew per render
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", body)).strip()


def _library_tbody(response) -> str:
    """The page's table through django-tables2's own template (its per-cell row loop), in the
    page's context (template columns read it). Rows take their odd/even class from a counter
    on the table: restart it, as a new render would."""
    table = response.context["table"]
    table._counter = itertools.count()
    values = {}
    for context in reversed(list(response.context)):
        values.update(context.flatten())
    page = Template('{% load django_tables2 %}{% render_table table "django_tables2/table.html" %}')
    return _tbody(page.render(RequestContext(response.wsgi_request, values)))


@pytest.fixture
def rows(cast):
    now = writes.now_utc()
    for i in range(3):
        user = factories.make_user(email=f"p{i}<b>@example.com")
        factories.make_key(
            user_id=user["user_id"],
            team_id=cast.team["team_id"],
            alias=f"key <{i}> & co" if i else None,
            spend=1.5 * i,
            max_budget=10.0 if i == 1 else None,
            blocked=i == 2,
            expires=now - timedelta(days=1) if i == 2 else None,
        )
        factories.make_spend_log(api_key=factories.hash_key(f"raw-{i}"), spend=0.001 * i, model=f"gpt <{i}>")
        factories.make_end_user()
        factories.make_invitation(user_id=user["user_id"], created_by=cast.proxy_admin["user_id"])
    return cast


@pytest.mark.parametrize("page", PAGES)
def test_rows_are_what_django_tables2_renders(rows, client_for, page):
    response = client_for(rows.proxy_admin).get(reverse(page))
    assert response.status_code == 200
    ours = _tbody(response.content.decode())
    assert ours == _library_tbody(response)
    assert "<td" in ours  # the page shows rows (or its empty text) in the table


def test_empty_text_when_no_rows(cast, client_for):
    response = client_for(cast.member).get(reverse("keys:key_list") + "?team_id=nope")
    body = _tbody(response.content.decode())
    assert body == _library_tbody(response)
    assert "No keys" in body
