"""/database/ in a browser on the demo deployment: the admin reads the tables (biggest first), the
spend logs' state and the wanted indexes, and downloads the tables as CSV; the Database link
is in the admin's navigation and not in a viewer's."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from usage.models import SpendLogs

pytestmark = pytest.mark.browser


def test_the_admin_reads_the_database_page_and_its_csv(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Database").click()
    expect(page.locator("main h1")).to_have_text("Database")
    tables = page.locator('[data-table="tables"] tbody tr')
    expect(tables.first).to_be_visible()
    logs = str(SpendLogs.objects.count())
    expect(page.locator('tr[data-row="SpendLogs"] td[data-rows]')).to_have_text(logs)
    expect(page.locator('[data-log="SpendLogs"]')).to_contain_text("ago")
    expect(page.locator('[data-log="SpendLogs"]')).to_contain_text("request logs and their reconciliation")
    expect(page.locator('[data-table="wanted"] tbody tr').first).to_be_visible()
    # wide tables scroll inside their cards; the page itself fits the window
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    shot(page, "database-health")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export tables CSV").click()
    rows = list(csv.DictReader(open(download.value.path())))
    spend = next(r for r in rows if r["table"] == "LiteLLM_SpendLogs")
    assert spend["rows"] == logs and spend["insert_frequency"] == "High - every LLM API request"
    sizes = [int(r["total_bytes"]) for r in rows]
    assert sizes == sorted(sizes, reverse=True) and len(rows) == tables.count()  # biggest first, as on the page


def test_a_viewer_has_no_database_link_and_is_refused(page, live_url, sign_in):
    sign_in(page, "viewer@acme.example")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Database")).to_have_count(0)
    assert page.goto(f"{live_url}/database/").status == 403
