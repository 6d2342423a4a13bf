"""Every list and detail page runs a fixed number of statements, whatever the number of rows
it shows (issue 17): each page is read with one set of rows and again with eight times as
many of every kind (users, teams, org members, keys, budgets, daily rows, request logs,
audit entries), and both counts must be equal and within the page's absolute bound. A page
with a lookup per row (N+1) shows as a count that grows. (The key pages: tests/keys/.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.models import AuditLog
from config.writes import insert_as_proxy, new_id, now_utc
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

# Statements on both connections (session, user and principal lookups included), as measured
# on the newest schema; the seed schema runs the same or fewer.
# +1 on every page for an admin: the pending model requests counted in the navigation.
MAX_STATEMENTS = {
    "home": 16,
    "users list": 13,
    "teams list": 12,
    "organizations list": 11,
    "budgets overview": 11,
    "request logs": 19,  # one datalist per entity filter (key, user, team, organization, model, end user)
    "audit": 18,  # names next to ids: one lookup per kind shown (config/audit_names.py)
    "team detail": 17,  # its spend-spike alerts (alerts/spikes.py), for those who see alerts
    "user detail": 19,  # the same
    "organization detail": 15,
    "usage": 20,
}


def _paths(cast) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "users list": reverse("accounts:user_list"),
        "teams list": reverse("accounts:team_list"),
        "organizations list": reverse("accounts:org_list"),
        "budgets overview": reverse("budgets:budget_overview"),
        "request logs": reverse("usage:spendlog_list"),
        "audit": reverse("audit:audit_list"),
        "team detail": reverse("accounts:team_detail", args=[cast.team["team_id"]]),
        "user detail": reverse("accounts:user_detail", args=[cast.member["user_id"]]),
        "organization detail": reverse("accounts:org_detail", args=[cast.org["organization_id"]]),
        "usage": reverse("usage:dashboard") + "?range=30d",
    }


def _add_rows(cast, n: int) -> None:
    """n more of every kind of row the pages above list, tied to the cast's team, org and member."""
    org_id, team_id, member = cast.org["organization_id"], cast.team["team_id"], cast.member
    now = now_utc()
    today = now.date().isoformat()
    for _ in range(n):
        budget = factories.make_budget(max_budget=10.0, budget_duration="30d")
        user = factories.make_user(max_budget=5.0)
        factories.make_org_membership(org_id, user["user_id"])
        factories.make_team(organization_id=org_id, members=[(user, "user")], max_budget=20.0)
        budget_id = budget["budget_id"]
        key = factories.make_key(user_id=member["user_id"], team_id=team_id, max_budget=3.0, budget_id=budget_id)
        factories.make_key(user_id=user["user_id"], team_id=team_id)
        factories.make_daily_spend(member["user_id"], team_id, today, api_key=key["token"], spend=0.5, api_requests=2)
        factories.make_daily_spend(user["user_id"], team_id, today, spend=0.25, api_requests=1)
        factories.make_spend_log(api_key=key["token"], user=member["user_id"], team_id=team_id)
        insert_as_proxy(
            AuditLog,
            {
                "id": new_id(),
                "updated_at": now - timedelta(minutes=1),
                "changed_by": cast.proxy_admin["user_id"],
                "changed_by_api_key": "",
                "action": "updated",
                "table_name": "LiteLLM_TeamTable",
                "object_id": team_id,
                "before_value": {"max_budget": 1.0},
                "updated_values": {"max_budget": 2.0},
            },
        )


def statements(client, path: str) -> int:
    with (
        CaptureQueriesContext(connections["litellm"]) as litellm,
        CaptureQueriesContext(connections["default"]) as console,
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    return len(litellm.captured_queries) + len(console.captured_queries)


@pytest.mark.parametrize("page", list(MAX_STATEMENTS))
def test_statements_do_not_grow_with_rows(cast, client_for, page):
    client = client_for(cast.proxy_admin)
    path = _paths(cast)[page]
    _add_rows(cast, 2)
    client.get(path)  # the first view may fill caches (usage's closed days, the catalog)
    few = statements(client, path)
    _add_rows(cast, 14)
    client.get(path)
    many = statements(client, path)
    assert (few, many) == (few, few), f"{page}: {few} statements with few rows, {many} with 8x as many"
    assert many <= MAX_STATEMENTS[page]
