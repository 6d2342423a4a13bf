"""Wording and numbers (issue 11): budget resets said in words with LiteLLM's alignment, one date
format with its zone, names next to ids on the Audit page, and the console's own 404/403 pages
with DEBUG on (a regenerated key's old address says where it went)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import resets
from budgets.models import BudgetTable
from config import writes
from keys import services as key_services
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

NOW = datetime(2026, 12, 1, 18, 0)  # a Tuesday


# --- Budget resets, in words -------------------------------------------------------------------


def test_it_says_a_30d_budget_resets_on_the_1st_not_every_30d():
    reset = resets.reset_of("30d", datetime(2027, 1, 1), now=NOW)
    assert reset.rule == "on the 1st of each month at 00:00 UTC"
    assert "LiteLLM aligns 30d to the 1st of the month" in reset.sentence
    assert "every 30d" not in reset.sentence
    assert resets.rule("monthly") == resets.rule("1mo") == resets.rule("30d")
    assert "monthly means 30d" in resets.why("monthly")
    assert resets.rule("7d") == resets.rule("1w") == resets.rule("weekly") == "every Monday at 00:00 UTC"
    assert resets.rule("1d") == resets.rule("daily") == resets.rule("24h") == "every day at 00:00 UTC"


def test_it_counts_whole_days_never_rounding_up():
    assert resets.countdown(NOW + timedelta(days=30, hours=6), NOW) == "in 30 days"
    assert resets.countdown(NOW + timedelta(days=2, hours=5), NOW) == "in 2 days 5 h"
    assert resets.countdown(NOW + timedelta(hours=6), NOW) == "in 6 h"
    assert resets.countdown(NOW - timedelta(minutes=1), NOW) == "due now"


def test_the_budgets_table_says_30_days_for_30_days_6_hours(cast, client_for):
    factories.make_team(
        alias="thirty-days",
        max_budget=10.0,
        budget_duration="30d",
        budget_reset_at=writes.now_utc() + timedelta(days=30, hours=6),
    )
    html = client_for(cast.proxy_admin).get(reverse("budgets:budget_overview"), {"kind": "team"}).content.decode()
    assert "in 30 days" in html and "in 31 days" not in html
    assert "on the 1st of each month at 00:00 UTC" in html and "every 30d" not in html


def test_a_users_page_never_says_resets_every_monthly(cast, client_for):
    person = factories.make_user(
        email="monthly@example.com",
        max_budget=5.0,
        budget_duration="monthly",
        budget_reset_at=writes.now_utc() + timedelta(days=3),
    )
    html = client_for(cast.proxy_admin).get(reverse("accounts:user_detail", args=[person["user_id"]])).content.decode()
    assert "Resets every monthly" not in html
    assert "Then resets on the 1st of each month at 00:00 UTC." in html
    assert "monthly means 30d" in html


def test_an_org_forecast_counts_its_monthly_reset_even_with_an_empty_reset_time(cast, client_for):
    org = factories.make_org(alias="Forecast Org", max_budget=100.0, spend=90.0)
    BudgetTable.objects.filter(budget_id=org["budget_id"]).update(budget_duration="1mo")  # reset time empty
    team = factories.make_team(alias="forecast-team", organization_id=org["organization_id"])
    today = writes.now_utc().date()
    for n in range(7):
        factories.make_daily_team_spend(team["team_id"], (today - timedelta(days=n)).isoformat(), spend=5.0)
    html = client_for(cast.proxy_admin).get(reverse("accounts:org_detail", args=[org["organization_id"]])).content
    html = html.decode()
    # Before: "the budget runs out on ..." as if it never reset. The proxy resets a budget row whose
    # reset time is empty at its next run (proxy/utils.py::get_data, budget_reset_at None is due).
    assert "after it resets" in html
    assert "Resets at the proxy&#x27;s next reset run" in html or "Resets at the proxy's next reset run" in html
    assert "on the 1st of each month" in html


def test_a_keys_own_budget_with_an_empty_reset_time_is_said_to_never_reset(cast, client_for):
    key = factories.make_key(user_id=cast.member["user_id"], alias="stuck", max_budget=5.0, budget_duration="1d")
    html = client_for(cast.proxy_admin).get(reverse("keys:key_detail", args=[key["token"]])).content.decode()
    assert "Never resets: the key&#x27;s own budget (1d) has no reset time" in html


def test_the_budgets_page_states_the_reset_job_rule_it_checked(cast, client_for):
    html = client_for(cast.proxy_admin).get(reverse("budgets:budget_overview")).content.decode()
    assert "within ~10 minutes" not in html
    assert "a key's own budget with an empty reset time is never reset" in html
    assert "reset job runs about every 10 minutes" in html


# --- One date format ------------------------------------------------------------------------


def test_an_invitation_says_one_expiry_in_one_format(cast, client_for):
    invitee = factories.make_user(email="dates@example.com")
    invitation = factories.make_invitation(
        user_id=invitee["user_id"],
        created_by=cast.proxy_admin["user_id"],
        expires_at=datetime(2026, 12, 8, 17, 55),
    )
    html = client_for(cast.proxy_admin).get(reverse("accounts:invitation_detail", args=[invitation["id"]])).content
    html = html.decode()
    assert "until the end of" not in html
    assert "It works until 2026-12-08 17:55 UTC." in html
    assert "<dt>Expires</dt><dd>2026-12-08 17:55 UTC</dd>" in html


def test_a_key_page_writes_every_moment_the_same_way(cast, client_for):
    key = factories.make_key(
        user_id=cast.member["user_id"],
        alias="dated",
        expires=datetime(2027, 3, 4, 5, 6),
        max_budget=5.0,
        budget_duration="1d",
        budget_reset_at=datetime(2027, 3, 1),
    )
    html = client_for(cast.proxy_admin).get(reverse("keys:key_detail", args=[key["token"]])).content.decode()
    assert "<dt>Expires</dt><dd>2027-03-04 05:06 UTC</dd>" in html
    assert "Thu 4 Mar 2027" not in html and "UTC UTC" not in html


# --- The Audit page: names next to ids -------------------------------------------------------


def _audit_list(client):
    with CaptureQueriesContext(connections["litellm"]) as queries:
        html = client.get(reverse("audit:audit_list")).content.decode()
    return html, len(queries)


def test_the_audit_log_names_keys_teams_and_users_reading_each_kind_once(cast, client_for):
    actor = writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"])

    def audit_some(n):
        for i in range(n):
            key = factories.make_key(user_id=cast.member["user_id"], alias=f"named-key-{n}-{i}")
            with writes.atomic():
                writes.audit(actor, writes.BLOCKED, "VerificationToken", key["token"], {}, {"blocked": True})
                writes.audit(actor, writes.UPDATED, "TeamTable", cast.team["team_id"], {}, {"max_budget": 1.0})
                writes.audit(actor, writes.UPDATED, "UserTable", cast.member["user_id"], {}, {"max_budget": 1.0})

    client = client_for(cast.proxy_admin)
    audit_some(1)
    html, few = _audit_list(client)
    assert "named-key-1-0" in html and ">Research<" in html and "member@example.com" in html
    audit_some(5)
    html, many = _audit_list(client)
    assert all(f"named-key-5-{i}" in html for i in range(5))
    assert many == few  # one query per kind for the page, not one per row


def test_a_rotation_diff_shows_what_changed_not_every_column(cast, client_for):
    from config.models import AuditLog

    key = factories.make_key(user_id=cast.member["user_id"], alias="to-rotate", models=["gpt-4o"], max_budget=5.0)
    actor = writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"])
    issued = key_services.key_regenerate(actor=actor, token=key["token"])
    entry = AuditLog.objects.get(action=writes.ROTATED, object_id=key["token"])
    html = client_for(cast.proxy_admin).get(reverse("audit:audit_detail", args=[entry.id])).content.decode()
    changes = html.split('id="audit-changes"')[1].split("</table>")[0]
    fields = [row.split('<td class="mono small">')[1].split("</td>")[0] for row in changes.split("<tr>")[2:]]
    assert "token" in fields and "key_name" in fields
    assert "models" not in fields and "max_budget" not in fields and "key_alias" not in fields
    assert issued.token in changes and "to-rotate" in html


# --- The console's own pages with DEBUG on ---------------------------------------------------


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_with_debug_on_a_colleagues_key_is_the_consoles_404(cast, client_for, debug_on):
    key = factories.make_key(user_id=cast.team_admin["user_id"], alias="colleague")
    response = client_for(cast.member).get(reverse("keys:key_detail", args=[key["token"]]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing here, or nothing you may see." in html
    assert "technical_404" not in html and "Django tried these URL patterns" not in html


def test_with_debug_on_an_unknown_address_is_the_consoles_404(cast, client_for, debug_on):
    response = client_for(cast.member).get("/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing here, or nothing you may see." in response.content.decode()


def test_a_regenerated_keys_old_address_links_to_its_new_page(cast, client_for, debug_on):
    key = factories.make_key(user_id=cast.member["user_id"], alias="rotating")
    actor = writes.Actor(changed_by=cast.member["user_id"], writer_id=cast.member["user_id"])
    first = key_services.key_regenerate(actor=actor, token=key["token"])
    second = key_services.key_regenerate(actor=actor, token=first.token)
    response = client_for(cast.member).get(reverse("keys:key_detail", args=[key["token"]]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This key was regenerated" in html
    assert f'href="{reverse("keys:key_detail", args=[second.token])}"' in html
    # Someone who may not see the new key learns nothing.
    html = client_for(cast.outsider).get(reverse("keys:key_detail", args=[key["token"]])).content.decode()
    assert "regenerated" not in html and second.token not in html


def test_a_regenerated_key_is_found_from_the_archive_without_an_audit_row(cast, client_for, debug_on):
    from config.models import AuditLog
    from keys.models import DeletedVerificationToken

    key = factories.make_key(user_id=cast.member["user_id"], alias="archived-rotation")
    actor = writes.Actor(changed_by=cast.member["user_id"], writer_id=cast.member["user_id"])
    issued = key_services.key_regenerate(actor=actor, token=key["token"])
    with connections["litellm"].cursor() as cursor:  # a proxy without store_audit_logs
        cursor.execute(f'DELETE FROM "{AuditLog._meta.db_table}" WHERE object_id = %s', [key["token"]])
    html = client_for(cast.member).get(reverse("keys:key_detail", args=[key["token"]])).content.decode()
    link = f'href="{reverse("keys:key_detail", args=[issued.token])}"'
    # Only newer schemas archive the old row; on the seed's there is nothing left to follow.
    assert (link in html) == DeletedVerificationToken.table_exists()


def test_the_words_follow_the_proxys_timezone_and_reset_time(settings):
    settings.LITELLM_TIMEZONE = "Europe/Berlin"
    settings.LITELLM_BUDGET_RESET_TIME = "09:30"
    assert resets.rule("1mo") == "on the 1st of each month at 09:30 Europe/Berlin"
    assert resets.rule("24h") == "every day at 00:00 Europe/Berlin"  # hour resets ignore the reset time
    assert "to the proxy's budget_reset_time" in resets.why("1d")
    assert "to midnight" in resets.why("24h")


def test_a_team_page_words_its_member_budgets_resets(cast, client_for):
    budget = factories.make_budget(max_budget=25.0, budget_duration="30d")
    from accounts.models import TeamMembership

    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{TeamMembership._meta.db_table}" SET budget_id = %s WHERE team_id = %s AND user_id = %s',
            [budget["budget_id"], cast.team["team_id"], cast.member["user_id"]],
        )
    html = client_for(cast.proxy_admin).get(reverse("accounts:team_detail", args=[cast.team["team_id"]])).content
    html = html.decode()
    assert "every 30d" not in html
    assert "resets on the 1st of each month at 00:00 UTC" in html
