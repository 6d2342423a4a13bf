"""Reports in a browser on the demo deployment: the month that just ended, closed as the
periodic job does, read by the proxy admin (whole report, printable) and by ml-research's team
admin (their team's section only, with its CSV)."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from accounts.models import TeamTable
from config.tables import money
from reports.close import close_previous_month

pytestmark = pytest.mark.browser


def test_admin_reads_and_prints_the_closed_month(page, live_url, demo, sign_in, shot):
    close = close_previous_month()
    total = close.figures.get(kind="total")
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/reports/")
    expect(page.locator("h1")).to_have_text("Reports")
    page.get_by_role("link", name=close.label).click()
    expect(page.locator("main h1")).to_contain_text(f"Report {close.label}")
    proxy = page.locator('[data-section="proxy"]')
    expect(proxy.locator('[data-figure="spend"] .value')).to_have_text(money(total.spend))
    expect(proxy.locator('[data-table="team"] tbody tr').first).to_be_visible()
    expect(page.locator('[data-section^="org-"]').first).to_be_visible()
    expect(page.locator(".report-method")).to_contain_text("UTC months")
    shot(page, "reports-month-admin")
    page.emulate_media(media="print")
    expect(page.locator(".sidebar")).to_be_hidden()
    expect(proxy.get_by_role("link", name="Export Whole proxy as CSV")).to_be_hidden()
    shot(page, "reports-month-print")


def test_team_admin_reads_their_team_and_downloads_its_csv(page, live_url, demo, sign_in, shot):
    close = close_previous_month()
    team = TeamTable.objects.get(team_alias="ml-research")
    figure = close.figures.get(kind="team", entity=team.team_id)
    sign_in(page, "lead@acme.example")
    page.goto(f"{live_url}/reports/{close.label}/")
    sections = page.locator("section.report-section")
    expect(sections).to_have_count(1)
    expect(sections.first.locator("h2")).to_have_text("Team · ml-research")
    expect(sections.first.locator('[data-figure="spend"] .value')).to_have_text(money(figure.spend))
    shot(page, "reports-month-team-admin")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export Team · ml-research as CSV").click()
    rows = list(csv.reader(open(download.value.path())))
    assert rows[1][5] == "ml-research" and float(rows[1][6]) == pytest.approx(figure.spend)
    assert {r[3] for r in rows[1:]} <= {"Team", "Key in a team", "Model in a team"}
