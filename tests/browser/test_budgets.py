"""Budgets in a browser: every budget in one table with over/near views, and a team's member
budgets edited together."""

from __future__ import annotations

import secrets

from django.db import connections
from playwright.sync_api import expect

from accounts.models import TeamMembership
from budgets.models import BudgetTable
from tests import factories


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
    page.locator(".view-tabs").get_by_role("link", name="All").click()
    page.get_by_label("Type").select_option(label="Team")
    page.get_by_role("button", name="Filter").click()
    page.locator("#budgets-table thead").get_by_role("link", name="Spend").click()
    kinds = set(table.locator("tbody td:first-child").all_inner_texts())
    assert kinds == {"Team"}
    spends = [float(t.strip("$").replace(",", "")) for t in table.locator("tbody td:nth-child(3)").all_inner_texts()]
    assert spends == sorted(spends, reverse=True) and len(spends) > 1
    shot(page, "budgets-teams-by-spend")


def test_member_budgets_are_set_together_and_the_shared_default_is_cloned(page, sign_in, shot):
    # A team of its own (fresh people), so no other test's demo rows change.
    suffix = secrets.token_hex(3)
    people = [factories.make_user(email=f"{name}-{suffix}@acme.example") for name in ("ana", "ben", "cleo")]
    default = factories.make_budget(max_budget=40.0, budget_duration="1mo")
    team = factories.make_team(
        alias=f"eval-{suffix}",
        members=[(p, "user") for p in people],
        metadata={"team_member_budget_id": default["budget_id"]},
    )
    for person in people[:2]:
        with connections["litellm"].cursor() as cursor:
            cursor.execute(
                f'UPDATE "{TeamMembership._meta.db_table}" SET budget_id = %s, spend = %s '
                "WHERE team_id = %s AND user_id = %s",
                [default["budget_id"], 12.5, team["team_id"], person["user_id"]],
            )
    sign_in(page, "admin@acme.example")
    page.goto(f"/budgets/teams/{team['team_id']}/members/")
    expect(page.get_by_role("heading", name=f"Member budgets · eval-{suffix}")).to_be_visible()
    expect(page.get_by_text("team default").first).to_be_visible()
    shot(page, "budgets-member-matrix")

    page.get_by_label(f"Tick ana-{suffix}@acme.example").check()
    page.get_by_label(f"Tick cleo-{suffix}@acme.example").check()
    page.locator("input[name=apply_max_budget]").fill("10")
    page.locator("input[name=apply_budget_duration]").fill("7d")
    page.get_by_role("button", name="Apply and save").click()
    expect(page.get_by_text("Updated the budgets of 2 members")).to_be_visible()
    shot(page, "budgets-member-matrix-saved")

    assert BudgetTable.objects.get(budget_id=default["budget_id"]).max_budget == 40.0  # shared row untouched
    for person in (people[0], people[2]):
        membership = TeamMembership.objects.get(team_id=team["team_id"], user_id=person["user_id"])
        budget = BudgetTable.objects.get(budget_id=membership.budget_id)
        assert membership.budget_id != default["budget_id"]
        assert budget.max_budget == 10.0 and budget.budget_duration == "7d" and budget.budget_reset_at is not None
    ben = TeamMembership.objects.get(team_id=team["team_id"], user_id=people[1]["user_id"])
    assert ben.budget_id == default["budget_id"] and ben.spend == 12.5
    # Ana spent 12.50 of her new 10.00: the matrix says so.
    expect(page.locator("#member-budgets tr", has_text=f"ana-{suffix}").get_by_text("125%")).to_be_visible()


def test_an_admin_edits_a_budget_row_with_per_model_budgets(page, sign_in, shot):
    row = factories.make_budget(
        max_budget=100.0, budget_duration="30d", model_max_budget={"gpt-4o": {"max_budget": 5.0}}
    )
    sign_in(page, "admin@acme.example")
    page.goto("/budgets/")
    page.get_by_role("link", name="Budget rows").click()
    expect(page.get_by_role("heading", name="Budget rows")).to_be_visible()
    page.screenshot(path=str(shot(page, "budgets-rows").with_name("budgets-rows-top.png")))
    page.goto(f"/budgets/rows/{row['budget_id']}/")
    expect(page.locator("input[name=model_max_budget-model]").first).to_have_value("gpt-4o")
    page.get_by_role("button", name="Add a model").click()
    page.locator("input[name=model_max_budget-model]").last.fill("claude-3-5-sonnet")
    page.locator("input[name=model_max_budget-max_budget]").last.fill("2.5")
    page.locator("input[name=model_max_budget-duration]").last.fill("1d")
    page.get_by_label("Budget resets every").fill("7d")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("then every Monday at 00:00 UTC", exact=False)).to_be_visible()
    shot(page, "budgets-row-preview")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    stored = BudgetTable.objects.get(budget_id=row["budget_id"])
    assert stored.budget_duration == "7d" and stored.budget_reset_at.weekday() == 0
    assert stored.model_max_budget == {
        "gpt-4o": {"max_budget": 5.0},
        "claude-3-5-sonnet": {"max_budget": 2.5, "budget_duration": "1d"},
    }
