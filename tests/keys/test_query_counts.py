"""The key pages run a fixed number of statements, whatever the number of keys (absolute
bounds), and the keys list looks up team aliases and owner emails for the rows it shows only."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

# Session, user, principal and catalog lookups + the page's own reads, as measured: 3 keys or 60
# give the same counts. (The CSV adds two label lookups per 2,000 keys: config/views/export.py.)
# A page past the last (page 2 of 3 keys) reads the last page again: one more statement.
# +1 on the pages (not the CSV) for an admin: the pending model requests counted in the navigation.
MAX_STATEMENTS = {"list": 16, "team admin list": 14, "detail": 14, "csv": 13}


def statements(client, path) -> list[str]:
    with (
        CaptureQueriesContext(connections["litellm"]) as litellm,
        CaptureQueriesContext(connections["default"]) as console,
    ):
        response = client.get(path)
        assert response.status_code == 200
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return [q["sql"] for q in litellm.captured_queries + console.captured_queries]


def _keys(cast, n):
    for i in range(n):
        user = factories.make_user(email=f"q{i}@example.com")
        factories.make_key(user_id=user["user_id"], team_id=cast.team["team_id"], alias=f"k{i}")


@pytest.mark.parametrize("n", [3, 60])
def test_key_pages_statement_bounds(cast, client_for, n):
    _keys(cast, n)
    admin, team_admin = client_for(cast.proxy_admin), client_for(cast.team_admin)
    key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="the key")
    assert len(statements(admin, reverse("keys:key_list"))) <= MAX_STATEMENTS["list"]
    assert len(statements(admin, reverse("keys:key_list") + "?page=2")) <= MAX_STATEMENTS["list"]
    assert len(statements(team_admin, reverse("keys:key_list"))) <= MAX_STATEMENTS["team admin list"]
    assert len(statements(admin, reverse("keys:key_detail", args=[key["token"]]))) <= MAX_STATEMENTS["detail"]
    assert len(statements(admin, reverse("keys:key_list") + "?export=csv")) <= MAX_STATEMENTS["csv"]


def test_labels_are_looked_up_after_the_limit(cast, client_for):
    """Page 2 shows the team and owner of its keys without a subquery per key in the keys'
    statement (which an OFFSET would run for every skipped key too)."""
    _keys(cast, 55)
    client = client_for(cast.proxy_admin)
    sql = statements(client, reverse("keys:key_list") + "?page=2")
    keys_sql = [s for s in sql if 'FROM "LiteLLM_VerificationToken"' in s and "OFFSET" in s]
    assert keys_sql, sql
    assert all('"LiteLLM_TeamTable"' not in s and '"LiteLLM_UserTable"' not in s for s in keys_sql)
    # the sort and the OFFSET run on the keys' (created_at, token) pairs; whole rows only for the page
    assert all('"token" IN (SELECT U0."token" AS "pk" FROM "LiteLLM_VerificationToken" U0' in s for s in keys_sql)
    page = client.get(reverse("keys:key_list") + "?page=2").content.decode()
    assert "Research" in page and "@example.com" in page


def test_a_long_csv_asks_for_each_team_and_owner_once(cast, client_for, monkeypatch):
    """Batch after batch, the CSV keeps the labels it has looked up: a team or owner seen in an
    earlier batch is not asked for again, and every row still carries its team and owner."""
    from config.views import export

    monkeypatch.setattr(export, "BATCH", 2)
    owners = [factories.make_user(email=f"owner{i}@example.com") for i in range(2)]
    for i in range(12):
        factories.make_key(user_id=owners[i % 2]["user_id"], team_id=cast.team["team_id"], alias=f"long{i}")
    client = client_for(cast.proxy_admin)
    with CaptureQueriesContext(connections["litellm"]) as litellm:
        response = client.get(reverse("keys:key_list") + "?export=csv")
        lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [line for line in lines if line.startswith("long")]
    assert len(rows) == 12
    assert all(cast.team["team_alias"] in row and "@example.com" in row for row in rows)
    batches = -(-(len(lines) - 1) // 2)
    lookups = [q["sql"] for q in litellm.captured_queries if "= ANY(" in q["sql"]]
    team_lookups = [sql for sql in lookups if 'FROM "LiteLLM_TeamTable"' in sql]
    owner_lookups = [sql for sql in lookups if 'FROM "LiteLLM_UserTable"' in sql]
    assert batches >= 5
    assert len(team_lookups) <= 2 and len(owner_lookups) <= batches - 3, (len(team_lookups), len(owner_lookups))
