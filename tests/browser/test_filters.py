"""Filters in a browser on the demo deployment take what the pages show: a team's name and a
user's email on the request logs, a model group on the usage dashboard, an actor's email on
the audit log; a name that matches nothing says so next to its field (issue 11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROWS = "table.table tbody tr"


def test_request_logs_by_team_name_then_by_user_email(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/usage/logs/?window=31d")
    team = page.get_by_label("Team", exact=True)
    assert team.get_attribute("list")  # a datalist of the teams one may pick, filled on first focus
    datalist = page.locator(f"datalist#{team.get_attribute('list')}")
    expect(datalist.locator("option")).to_have_count(0)
    team.focus()
    expect(datalist.locator("option[value='ml-research']")).to_have_count(1)
    team.fill("ml-research")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"team=ml-research"))
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.locator("table.table")).not_to_contain_text("No requests")
    cells = {t.strip() for t in page.locator(f"{ROWS} td.col-owner .cut").all_inner_texts()}
    assert "ml-research" in cells
    shot(page, "filters-logs-by-team-name")

    page.goto(f"{live_url}/usage/logs/?window=31d")
    page.get_by_label("User", exact=True).fill("dev@acme.example")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.locator("table.table")).not_to_contain_text("No requests")
    users = {u.strip() for u in page.locator(f"{ROWS} td.col-owner .cut").all_inner_texts()}
    assert "dev@acme.example" in users


def test_usage_by_model_group_name_shows_its_figures(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/usage/?range=30d")
    page.get_by_role("navigation", name="Scope").get_by_role("link", name="Model").click()
    page.get_by_label("Model group or model").fill("claude-3-5-sonnet")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("h1")).to_have_text("Usage · claude-3-5-sonnet")
    expect(page.locator('[data-figure="spend"] .value')).not_to_have_text(re.compile(r"^\$0(\.0+)?$"))
    expect(page.locator('[data-figure="requests"] .value')).not_to_have_text("0")
    expect(page.locator('[data-figure="success_rate"] .value')).not_to_have_text("0.0%")
    shot(page, "filters-usage-by-model-group")


def test_audit_by_actor_email(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/audit/")
    page.get_by_label("Actor").fill("admin@acme.example")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator(ROWS)
    expect(rows.first).to_be_visible()
    expect(page.locator("table.table")).not_to_contain_text("No audit entries")
    actors = page.locator(f"{ROWS} td:nth-child(2)").all_inner_texts()
    assert actors and all("admin@acme.example" in a for a in actors)
    shot(page, "filters-audit-by-actor-email")


def test_a_name_that_matches_nothing_says_what_it_looked_for(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.goto(f"{live_url}/usage/logs/?window=24h")
    page.get_by_label("Team", exact=True).fill("foo")
    page.get_by_role("button", name="Filter").click()
    field = page.locator("label.filter-field", has=page.locator("input[name=team]"))
    expect(field.locator(".field-error")).to_have_text("No team matches “foo”.")
    shot(page, "filters-no-match")

    page.goto(f"{live_url}/usage/?scope=model&id=gpt-9&range=30d")
    expect(page.locator(".field-error")).to_have_text("No model or model group matches “gpt-9”.")
