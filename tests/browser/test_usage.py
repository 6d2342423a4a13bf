"""Usage in a browser on the demo deployment: the dashboard at 30 days, switching the scope to
a team, the request-log explorer's second page, and one request's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import TeamTable
from config.tables import money
from usage import selectors

pytestmark = pytest.mark.browser


def test_the_dashboard_at_30_days_then_one_team(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/usage/?range=30d")
    expect(page.locator("h1")).to_have_text("Usage · Whole proxy")
    expect(page.locator(".page-head .sub")).to_contain_text("UTC")
    spend = selectors.overview(selectors.Scope("proxy"), selectors.period_for("30d")).figures[0]
    expect(page.locator('[data-figure="spend"] .value')).to_have_text(money(spend.value))
    expect(page.locator("svg.chart")).to_have_count(3)  # the whole proxy has no budget line
    expect(page.locator('[data-breakdown="teams"] tbody tr').first).to_be_visible()
    shot(page, "usage-dashboard-30d")
    page.locator("section.chart-card").first.screenshot(
        path=str(shot(page, "usage-dashboard-30d").parent / "usage-chart-spend.png")
    )

    # switch to team scope with the tabs, then pick the team in the form
    team = TeamTable.objects.filter(team_alias="ml-research").values("team_id", "max_budget").first()
    page.get_by_role("navigation", name="Scope").get_by_role("link", name="Team").click()
    page.select_option("select[name=id]", team["team_id"])
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("h1")).to_have_text("Usage · ml-research")
    expect(page).to_have_url(re.compile(rf"scope=team.*id={team['team_id']}"))
    charts = 4 if team["max_budget"] else 3
    expect(page.locator("svg.chart")).to_have_count(charts)
    page.locator("details.chart-data summary").first.click()  # the text alternative opens
    expect(page.locator("details.chart-data table").first).to_be_visible()
    shot(page, "usage-dashboard-team")

    # a chart's CSV export downloads exactly the rows of its data table
    with page.expect_download() as download:
        page.get_by_role("link", name="Export Spend per day by model as CSV").click()
    lines = open(download.value.path()).read().strip().splitlines()
    assert len(lines) == 1 + 30


def test_the_request_logs_page_two_and_a_request(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/usage/logs/?window=7d")
    expect(page.locator("h1")).to_have_text("Request logs")
    shot(page, "usage-request-logs-page-1")
    first_page = [a.get_attribute("href") for a in page.locator("table.table tbody tr td:first-child a").all()]
    assert len(first_page) == selectors.LOG_PAGE_SIZE
    page.get_by_role("link", name="Older →").click()
    expect(page.locator(".page-info")).to_have_text("Page 2")
    second_page = [a.get_attribute("href") for a in page.locator("table.table tbody tr td:first-child a").all()]
    assert second_page and not set(first_page) & set(second_page)
    shot(page, "usage-request-logs-page-2")

    page.locator("table.table tbody tr td:first-child a").first.click()
    expect(page.locator("h1")).to_contain_text("Request")
    expect(page.get_by_role("heading", name="Metadata")).to_be_visible()
    expect(page.locator(".stat .label", has_text="Latency")).to_be_visible()
    shot(page, "usage-request")


def test_an_internal_user_sees_their_own_usage_only(page, live_url, sign_in, shot):
    sign_in(page, "dev@acme.example")
    page.goto(f"{live_url}/usage/")
    expect(page.locator("h1")).to_contain_text("dev@acme.example")
    tabs = page.get_by_role("navigation", name="Scope").locator("a").all_inner_texts()
    assert tabs == ["User", "Key"]
    shot(page, "usage-dashboard-internal-user")
    response = page.goto(f"{live_url}/usage/?scope=proxy")
    assert response.status == 403
