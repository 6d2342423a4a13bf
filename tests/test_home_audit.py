"""The home page's figures and the audit log pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse

from accounts.models import UserTable
from config import writes
from config.models import AuditLog
from config.policy import UI_SESSION_TEAM_ID
from config.selectors import month_bounds
from keys.models import VerificationToken
from tests import factories
from usage.models import DailyUserSpend

pytestmark = pytest.mark.django_db(databases="__all__")


def sql_one(sql: str, params=()):
    with connections["litellm"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.fixture
def usage(cast):
    """Spend this month and last month for two users, and keys in every state."""
    today = writes.now_utc().date()
    first, last_first, last_end = month_bounds(today)
    for user, amount in ((cast.member, 10.25), (cast.team_admin, 4.5)):
        factories.make_daily_spend(user["user_id"], None, today.isoformat(), spend=amount, model="gpt-4o")
        factories.make_daily_spend(user["user_id"], None, first.isoformat(), spend=1.0, model="gpt-4o-mini")
        factories.make_daily_spend(user["user_id"], None, last_first.isoformat(), spend=7.0)
        factories.make_daily_spend(user["user_id"], None, last_end.isoformat(), spend=0.5)
        factories.make_daily_spend(user["user_id"], None, (last_first - timedelta(days=3)).isoformat(), spend=99.0)
    now = writes.now_utc()
    factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="active")
    factories.make_key(user_id=cast.member["user_id"], alias="blocked", blocked=True)
    factories.make_key(user_id=cast.member["user_id"], alias="expired", expires=now - timedelta(hours=1))
    factories.make_key(user_id=cast.member["user_id"], alias="not-yet-expired", expires=now + timedelta(days=3))
    factories.make_key(user_id=cast.proxy_admin["user_id"], team_id=UI_SESSION_TEAM_ID)  # a UI login
    factories.make_key(user_id=cast.outsider["user_id"], alias="outsiders")
    factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    factories.make_invitation(
        user_id=cast.outsider["user_id"], created_by=cast.proxy_admin["user_id"], expires_in_days=-2
    )
    factories.make_invitation(user_id=cast.team_admin["user_id"], created_by=cast.proxy_admin["user_id"], accepted=True)
    return {"first": first, "last_first": last_first, "last_end": last_end, "today": today}


def figures_for(client_for, user):
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response.context["figures"], response.content.decode()


def test_home_figures_equal_the_sums_in_the_database(cast, usage, client_for):
    figures, html = figures_for(client_for, cast.proxy_admin)
    daily = f'"{DailyUserSpend._meta.db_table}"'
    this_month = sql_one(
        f"SELECT sum(spend) FROM {daily} WHERE date >= %s AND date <= %s",
        [usage["first"].isoformat(), usage["today"].isoformat()],
    )
    last_month = sql_one(
        f"SELECT sum(spend) FROM {daily} WHERE date >= %s AND date <= %s",
        [usage["last_first"].isoformat(), usage["last_end"].isoformat()],
    )
    keys = f'"{VerificationToken._meta.db_table}"'
    active = sql_one(
        f"SELECT count(*) FROM {keys} WHERE coalesce(blocked, false) = false "
        f"AND (expires IS NULL OR expires > now() AT TIME ZONE 'UTC') "
        f"AND (team_id IS NULL OR team_id <> %s)",
        [UI_SESSION_TEAM_ID],
    )
    assert figures["spend_this_month"] == pytest.approx(this_month) == pytest.approx(10.25 + 4.5 + 2.0)
    assert figures["spend_last_month"] == pytest.approx(last_month) == pytest.approx(15.0)
    assert figures["active_keys"] == active == 3
    assert figures["users"] == sql_one(f'SELECT count(*) FROM "{UserTable._meta.db_table}"')
    assert figures["teams"] == 2
    assert figures["pending_invitations"] == 1  # not the accepted one, not the expired one
    assert "$16.75" in html and "$15.00" in html


def test_whole_proxy_figures_are_kept_a_minute_and_dropped_by_a_change_made_here(cast, usage, client_for):
    """The proxy's own writes show once the figures are counted again (the page says when they
    were counted); a change through the console's write path drops them at once."""
    from keys.services.lifecycle import key_block

    first, html = figures_for(client_for, cast.proxy_admin)
    assert first["active_keys"] == 3 and "counted again every 60 s" in html
    active = VerificationToken.objects.get(key_alias="active")
    keys = f'"{VerificationToken._meta.db_table}"'
    with connections["litellm"].cursor() as cursor:  # the proxy blocks one, behind the console's back
        cursor.execute(f"UPDATE {keys} SET blocked = true WHERE token = %s", [active.token])
    kept, _ = figures_for(client_for, cast.proxy_admin)
    assert kept["active_keys"] == 3 and kept["as_of"] == first["as_of"]
    not_yet = VerificationToken.objects.get(key_alias="not-yet-expired")
    key_block(actor=writes.Actor(cast.proxy_admin["user_id"]), token=not_yet.token)
    counted, _ = figures_for(client_for, cast.proxy_admin)
    assert counted["active_keys"] == 1 and counted["as_of"] > first["as_of"]


def test_a_member_sees_only_their_own_spend_and_keys(cast, usage, client_for):
    figures, html = figures_for(client_for, cast.member)
    assert figures["spend_this_month"] == pytest.approx(10.25 + 1.0)
    assert figures["active_keys"] == 2
    assert "users" not in figures and "pending_invitations" not in figures
    assert 'data-figure="users"' not in html


def test_an_org_admin_counts_the_users_and_teams_of_their_org(cast, usage, client_for):
    figures, _ = figures_for(client_for, cast.org_admin)
    assert figures["teams"] == 1  # Research, not the other org's team
    assert figures["users"] == 3  # the org's three members (org admin, team admin, member)


def test_the_home_page_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- The audit log ------------------------------------------------------------------------------


@pytest.fixture
def trail(cast):
    actor = writes.Actor(cast.proxy_admin["user_id"])
    ids = {
        "key_blocked": writes.audit(actor, writes.BLOCKED, "VerificationToken", "hash-1", {"blocked": None}, {}),
        "team_updated": writes.audit(
            writes.Actor("ops"), writes.UPDATED, "TeamTable", cast.team["team_id"], {"max_budget": 1}, {"max_budget": 2}
        ),
        "user_created": writes.audit(
            actor, writes.CREATED, "UserTable", cast.member["user_id"], None, {"user_id": "x"}
        ),
    }
    # An old row, as a proxy wrote it months ago.
    old = writes.now_utc() - timedelta(days=60)
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{AuditLog._meta.db_table}" SET updated_at = %s WHERE id = %s', [old, ids["user_created"]]
        )
    return ids


def listed_ids(response) -> set[str]:
    return {row.record.id for row in response.context["table"].page.object_list}


def test_the_audit_list_shows_every_row_newest_first(cast, trail, client_for):
    response = client_for(cast.proxy_admin).get(reverse("audit:audit_list"))
    assert response.status_code == 200
    rows = [row.record.id for row in response.context["table"].page.object_list]
    assert set(rows) == set(trail.values())
    assert rows[-1] == trail["user_created"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"action": "blocked"}, {"key_blocked"}),
        ({"changed_by": "ops"}, {"team_updated"}),
        ({"table_name": "TeamTable"}, {"team_updated"}),
        ({"object_id": "hash-1"}, {"key_blocked"}),
        ({"since": "DAYS_AGO_30"}, {"key_blocked", "team_updated"}),
        ({"until": "DAYS_AGO_30"}, {"user_created"}),
    ],
)
def test_the_audit_list_filters(cast, trail, client_for, query, expected):
    day = (writes.now_utc() - timedelta(days=30)).date().isoformat()
    query = {k: (day if v == "DAYS_AGO_30" else v) for k, v in query.items()}
    response = client_for(cast.proxy_admin).get(reverse("audit:audit_list"), query)
    assert listed_ids(response) == {trail[name] for name in expected}


def test_the_audit_detail_shows_before_and_after(cast, trail, client_for):
    response = client_for(cast.admin_viewer).get(reverse("audit:audit_detail", args=[trail["team_updated"]]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&quot;max_budget&quot;: 1" in html and "&quot;max_budget&quot;: 2" in html


def test_the_audit_list_exports_its_filtered_rows_as_csv(cast, trail, client_for):
    response = client_for(cast.proxy_admin).get(reverse("audit:audit_list"), {"action": "updated", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert len(lines) == 2 and cast.team["team_id"] in lines[1]


def test_the_audit_pages_send_anonymous_visitors_to_sign_in(client, trail):
    for url in (reverse("audit:audit_list"), reverse("audit:audit_detail", args=[trail["key_blocked"]])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["member", "internal_viewer", "team_admin", "org_admin"])
def test_the_audit_pages_refuse_people_who_do_not_see_everything(cast, trail, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get(reverse("audit:audit_list")).status_code == 403
    assert client.get(reverse("audit:audit_detail", args=[trail["key_blocked"]])).status_code == 403


def test_an_unknown_audit_entry_is_not_found(cast, client_for):
    assert client_for(cast.proxy_admin).get(reverse("audit:audit_detail", args=["no-such-id"])).status_code == 404
