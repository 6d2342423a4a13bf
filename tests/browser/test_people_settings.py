"""What LiteLLM's UI users look for on the people side (issue 11): a team's default member
budget, its metadata and member permissions, deleting an organization, creating an end user."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from accounts.models import EndUserTable, OrganizationTable, TeamTable
from budgets.models import BudgetTable
from tests import factories

ADMIN = "admin@acme.example"


def _tag() -> str:
    return secrets.token_hex(3)


def _save(page):
    page.locator("main form button[type=submit]").first.click()


def test_a_teams_default_member_budget_is_set_on_its_form_and_shown_on_its_page(page, live_url, sign_in, shot):
    team = factories.make_team(alias=f"member-default-{_tag()}")
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/teams/{team['team_id']}/")
    expect(page.locator("#member-defaults")).to_contain_text("none: members without their own budget")
    page.goto(f"{live_url}/teams/{team['team_id']}/edit/")
    page.get_by_label("Budget per member (USD)").fill("20")
    page.get_by_label("Member budgets reset every").fill("7d")
    _save(page)
    expect(page.locator(".message-success")).to_contain_text("Saved")
    expect(page.locator("#member-defaults")).to_contain_text("$20.00 per member")
    expect(page.locator("#member-defaults")).to_contain_text("resets")
    shot(page, "team-member-default")
    budget_id = TeamTable.objects.get(team_id=team["team_id"]).metadata["team_member_budget_id"]
    assert BudgetTable.objects.get(budget_id=budget_id).max_budget == 20.0


def test_team_metadata_is_edited_as_json_and_hostile_json_is_refused(page, live_url, sign_in):
    team = factories.make_team(alias=f"metadata-{_tag()}", metadata={"team_member_budget_id": "kept-budget"})
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/teams/{team['team_id']}/edit/")
    box = page.get_by_label("Metadata (JSON)")
    expect(box).to_have_value("")  # the reserved key is not offered as text
    box.fill('{"cost_center": NaN}')
    _save(page)
    error = page.locator(".field.has-error", has=page.locator("#id_metadata")).locator(".field-error")
    expect(error).to_contain_text("NaN")
    page.get_by_label("Metadata (JSON)").fill('{"cost_center": "ml-42"}')
    _save(page)
    expect(page.locator("#team-metadata")).to_contain_text('"cost_center": "ml-42"')
    assert TeamTable.objects.get(team_id=team["team_id"]).metadata == {
        "cost_center": "ml-42",
        "team_member_budget_id": "kept-budget",
    }


def test_team_member_permissions_are_ticked_on_the_team_form(page, live_url, sign_in, shot):
    team = factories.make_team(alias=f"permissions-{_tag()}")
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/teams/{team['team_id']}/")
    expect(page.locator("#member-permissions")).to_contain_text("only view the team's keys")
    page.goto(f"{live_url}/teams/{team['team_id']}/edit/")
    page.get_by_label("Create keys (/key/generate)").check()
    page.get_by_label("Delete keys (/key/delete)").check()
    shot(page, "team-edit-member-settings")
    _save(page)
    expect(page.locator("#member-permissions")).to_contain_text("Create keys")
    expect(page.locator("#member-permissions")).to_contain_text("Delete keys")
    assert TeamTable.objects.get(team_id=team["team_id"]).team_member_permissions == ["/key/generate", "/key/delete"]


def test_an_organization_is_deleted_after_a_confirmation_by_a_proxy_admin_only(page, live_url, sign_in, shot):
    org = factories.make_org(alias=f"Doomed {_tag()}")
    team = factories.make_team(alias=f"doomed-team-{_tag()}", organization_id=org["organization_id"])
    sign_in(page, "orgadmin@acme.example")
    acme = OrganizationTable.objects.get(organization_alias="Acme Corp")
    page.goto(f"{live_url}/organizations/{acme.organization_id}/")
    expect(page.locator(".page-head .actions")).not_to_contain_text("Delete")
    page.context.clear_cookies()
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/organizations/{org['organization_id']}/")
    page.locator(".page-head .actions").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name=f"Delete organization {org['organization_alias']}?")).to_be_visible()
    expect(page.locator("main form")).to_contain_text("1 team deleted")
    shot(page, "org-delete-confirm")
    page.get_by_role("button", name="Delete organization").click()
    expect(page.locator(".message-success")).to_contain_text(f"Deleted organization {org['organization_alias']}")
    assert not OrganizationTable.objects.filter(organization_id=org["organization_id"]).exists()
    assert not TeamTable.objects.filter(team_id=team["team_id"]).exists()


def test_an_end_user_is_created_from_the_end_users_page(page, live_url, sign_in, shot):
    user_id = f"app-user-{_tag()}"
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/end-users/")
    page.get_by_role("link", name="Create end user").click()
    page.get_by_label("End-user id").fill(user_id)
    page.get_by_label("Alias").fill("Mobile app user")
    page.get_by_label("…or a new max budget (USD)").fill("5")
    page.get_by_label("New budget resets every").fill("2mo")
    _save(page)
    expect(page.locator(".field", has=page.locator("#id_budget_duration")).locator(".field-error")).to_be_visible()
    shot(page, "end-user-create-refused")
    page.get_by_label("New budget resets every").fill("30d")
    _save(page)
    expect(page.locator(".message-success")).to_contain_text(f"Created end user {user_id}")
    expect(page.locator("main table")).to_contain_text(user_id)
    end_user = EndUserTable.objects.get(user_id=user_id)
    assert BudgetTable.objects.get(budget_id=end_user.budget_id).max_budget == 5.0
