"""Alerts and jobs in a browser: the history with its channels and the test button, the jobs
page with the periodic tasks, and a team admin who sees only their team's alerts."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from accounts.models import TeamTable, UserTable
from alerts.evaluate import evaluate
from config.writes import now_utc
from tests import factories


def _alerting_keys():
    lead = UserTable.objects.get(user_email="lead@acme.example").user_id
    team = TeamTable.objects.get(team_alias="ml-research").team_id
    other = TeamTable.objects.exclude(team_id=team).exclude(team_alias="litellm-dashboard").first().team_id
    reset = now_utc() + timedelta(days=12)
    factories.make_key(user_id=lead, team_id=team, alias="alert-ours", spend=88.0, max_budget=100.0,
                       budget_duration="30d", budget_reset_at=reset)  # fmt: skip
    factories.make_key(team_id=other, alias="alert-theirs", spend=97.0, max_budget=100.0)
    evaluate(deliver_now=True)


def test_an_admin_reads_the_alert_history_and_sends_a_test_alert(page, sign_in, shot, settings, mailoutbox):
    settings.ALERT_EMAIL_ENABLED = True
    _alerting_keys()
    sign_in(page, "admin@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="alert-ours").first).to_contain_text("Email: Sent")
    expect(rows.filter(has_text="alert-theirs").first).to_be_visible()
    page.get_by_label("Type").select_option(label="Key")
    page.get_by_role("button", name="Filter").click()
    assert set(page.locator("table tbody td:nth-child(3)").all_inner_texts()) == {"Key"}
    shot(page, "alerts-history")
    page.get_by_role("button", name="Send a test alert (Email)").click()
    expect(page.get_by_text("Test alert sent through Email.")).to_be_visible()
    assert mailoutbox[-1].to == ["admin@acme.example"]
    shot(page, "alerts-test-sent")


def test_the_jobs_page_lists_the_periodic_tasks(page, sign_in_ops, shot):
    sign_in_ops(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    periodic = page.get_by_role("region", name="Periodic tasks")
    expect(periodic).to_contain_text("alerts.evaluate")
    expect(periodic).to_contain_text("usage.usage_warm")
    shot(page, "jobs")


def test_a_team_admin_sees_only_their_teams_alerts(page, sign_in, shot, settings, mailoutbox):
    settings.ALERT_EMAIL_ENABLED = True
    _alerting_keys()
    sign_in(page, "lead@acme.example")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Jobs")).to_have_count(0)
    nav.get_by_role("link", name="Alerts").click()
    expect(page.locator("table tbody")).to_contain_text("alert-ours")
    expect(page.locator("table tbody")).not_to_contain_text("alert-theirs")
    expect(page.get_by_role("button", name="Send a test alert (Email)")).to_have_count(0)
    shot(page, "alerts-team-admin")
