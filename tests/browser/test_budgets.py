"""Budgets in a browser: every budget in one table with over/near views, and a team's member
budgets edited together."""

from __future__ import annotations

from playwright.sync_api import expect

from accounts.models import TeamMembership, TeamTable
from budgets.models import BudgetTable


def test_an_admin_finds_the_budgets_that_need_attention(page, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Budgets").click()
    expect(page.get_by_role("heading", name="Budgets")).to_be_visible()
    table = page.locator("#budgets-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    shot(page, "budgets-overview")
    page.screenshot(path=str(shot(page, "budgets-overview").with_name("budgets-overview-top.png")))
    page.locator(".view-tabs").get_by_role("link", name="Over budget").click()
    rows = table.locator("tbody tr")
    if rows.first.inner_text() != "No budgets match.":
        for text in rows.locator("td:nth-child(5)").all_inner_texts():
            assert int(text.strip().rstrip("%")) >= 100
    shot(page, "budgets-over")
    page.get_by_label("Type").select_option(label="Team")
    page.get_by_role("button", name="Filter").click()
    page.locator("#budgets-table thead").get_by_role("link", name="Spend").click()
    kinds = set(table.locator("tbody td:first-child").all_inner_texts())
    assert kinds <= {"Team", "No budgets match."}
    shot(page, "budgets-teams-by-spend")


def test_a_team_lead_sets_member_budgets_together(page, sign_in, shot):
    team = TeamTable.objects.get(team_alias="ml-research")
    sign_in(page, "lead@acme.example")
    page.goto(f"/budgets/teams/{team.team_id}/members/")
    expect(page.get_by_role("heading", name="Member budgets · ml-research")).to_be_visible()
    shot(page, "budgets-member-matrix")
    boxes = page.locator("#member-budgets tbody input[name=pick]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    picked = [boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")]
    page.locator("input[name=apply_max_budget]").fill("15")
    page.locator("input[name=apply_budget_duration]").fill("7d")
    page.get_by_role("button", name="Apply and save").click()
    expect(page.get_by_text("Updated the budgets of 2 members")).to_be_visible()
    shot(page, "budgets-member-matrix-saved")
    default_id = (team.metadata or {}).get("team_member_budget_id")
    for user_id in picked:
        membership = TeamMembership.objects.get(team_id=team.team_id, user_id=user_id)
        budget = BudgetTable.objects.get(budget_id=membership.budget_id)
        assert budget.max_budget == 15.0 and budget.budget_duration == "7d"
        assert membership.budget_id != default_id
