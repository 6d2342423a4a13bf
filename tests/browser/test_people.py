"""People flows in a browser: invite someone and accept as them, create a team, add and remove
team members. Each flow changes only rows it makes itself (the demo data is shared)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from accounts import passwords
from accounts.models import InvitationLink, TeamMembership, TeamTable, UserTable


def test_invite_a_person_and_accept_as_them(page, live_url, sign_in, shot, browser):
    sign_in(page, "admin@acme.example")
    page.click("aside nav >> text=Invitations")
    expect(page.locator("h1")).to_have_text("Invitations")
    shot(page, "people-invitations-list")
    page.click("text=Invite someone")
    page.fill("input[name=email]", "new.hire@acme.example")
    page.select_option("select[name=role]", "internal_user")
    page.fill("input[name=max_budget]", "20")
    shot(page, "people-invite-form")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Invitation for new.hire@acme.example")
    expect(page.locator(".message-success")).to_contain_text("Invitation created")
    link = page.locator("#console-link").inner_text().strip()
    assert re.search(r"/invitations/accept/[\w:-]+/$", link)
    shot(page, "people-invitation-link")

    user = UserTable.objects.get(user_email="new.hire@acme.example")
    invitation = InvitationLink.objects.get(user_id=user.user_id)
    assert user.max_budget == 20.0 and invitation.is_accepted is False

    # The invitee opens the link in their own browser (no session).
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    invitee = context.new_page()
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("Welcome to LiteLLM")
    expect(invitee.locator(".login")).to_contain_text("new.hire@acme.example")
    invitee.fill("input[name=password1]", "too-weak")
    invitee.fill("input[name=password2]", "too-weak")
    invitee.click("main form button[type=submit]")
    expect(invitee.locator(".field-error").first).to_contain_text("at least 12 characters")
    shot(invitee, "people-accept-weak-password")
    invitee.fill("input[name=password1]", "Fresh-Start-2026")
    invitee.fill("input[name=password2]", "Fresh-Start-2026")
    shot(invitee, "people-accept-form")
    invitee.click("main form button[type=submit]")
    expect(invitee).to_have_url(f"{live_url}/")
    expect(invitee.locator(".who-name")).to_have_text("new.hire@acme.example")
    expect(invitee.locator(".message-success")).to_contain_text("Your password is set")
    shot(invitee, "people-accepted-home")

    invitation = InvitationLink.objects.get(id=invitation.id)
    assert invitation.is_accepted and invitation.accepted_at and invitation.updated_by == user.user_id
    assert passwords.verify_password("Fresh-Start-2026", UserTable.objects.get(user_id=user.user_id).password)

    # The used link now explains itself.
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("This link can't be used")
    expect(invitee.locator(".lead")).to_contain_text("already been used")
    shot(invitee, "people-accept-used-link")
    context.close()

    page.goto(f"{live_url}/invitations/?status=accepted")
    expect(page.locator("table.table")).to_contain_text("new.hire@acme.example")
    shot(page, "people-invitations-accepted")


def test_create_a_team_then_add_and_remove_members(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.click("aside nav >> text=Teams")
    expect(page.locator("h1")).to_have_text("Teams")
    shot(page, "people-team-list")
    page.click("text=Create team")
    page.fill("input[name=team_alias]", "browser-squad")
    page.select_option("select[name=organization_id]", label="Acme Corp")
    # The models picker offers the deployments' public names and access groups.
    picker = page.get_by_role("combobox", name="Models")
    picker.fill("4o-mi")
    page.get_by_role("option", name="gpt-4o-mini", exact=True).click()
    page.fill("input[name=max_budget]", "75")
    page.fill("input[name=budget_duration]", "1mo")
    shot(page, "people-team-create-form")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("browser-squad")
    expect(page.locator(".message-success")).to_contain_text("Created team browser-squad")
    team = TeamTable.objects.get(team_alias="browser-squad")
    assert team.models == ["gpt-4o-mini"] and team.max_budget == 75.0 and team.budget_reset_at.day == 1
    # The admin who created it is its first member, as LiteLLM does.
    expect(page.locator("#members")).to_contain_text("admin@acme.example")
    shot(page, "people-team-created")

    for email in ("pair.one@acme.example", "pair.two@acme.example"):
        page.click("text=Add member")
        page.fill("input[name=email]", email)
        page.click("main form button[type=submit]")
        expect(page.locator(".message-success")).to_contain_text(f"Added {email}")
    expect(page.locator("#members tbody tr")).to_have_count(3)
    shot(page, "people-team-members")

    page.locator('tr[data-member="pair.two@acme.example"] select[name=role]').select_option("admin")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('tr[data-member="pair.two@acme.example"] button', has_text="Change role").click()
    expect(page.locator(".message-success")).to_contain_text("Role changed to admin")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('tr[data-member="pair.one@acme.example"] button', has_text="Remove").click()
    expect(page.locator(".message-success")).to_contain_text("Removed pair.one@acme.example from the team")
    expect(page.locator("#members tbody tr")).to_have_count(2)
    expect(page.locator("#members")).not_to_contain_text("pair.one@acme.example")
    shot(page, "people-team-member-removed")

    roster = {m["user_email"]: m["role"] for m in TeamTable.objects.get(team_id=team.team_id).members_with_roles}
    assert roster == {"admin@acme.example": "admin", "pair.two@acme.example": "admin"}
    one = UserTable.objects.get(user_email="pair.one@acme.example")
    assert team.team_id not in one.teams
    assert not TeamMembership.objects.filter(user_id=one.user_id, team_id=team.team_id).exists()


def test_a_team_admin_manages_members_but_not_settings(page, live_url, demo, sign_in, shot):
    sign_in(page, "lead@acme.example")
    page.goto(f"{live_url}/teams/{demo['teams']['ml-research']}/")
    expect(page.locator("text=Add member")).to_be_visible()
    expect(page.locator(".page-head .actions")).not_to_contain_text("Settings")
    shot(page, "people-team-as-lead")
    response = page.goto(f"{live_url}/teams/{demo['teams']['ml-research']}/edit/")
    assert response.status == 403


def test_user_list_and_detail(page, live_url, sign_in, shot):
    sign_in(page, "orgadmin@acme.example")
    page.click("aside nav >> text=Users")
    expect(page.locator("h1")).to_have_text("Users")
    shot(page, "people-user-list")
    page.fill("input[name=q]", "dev@")
    page.click(".filters button[type=submit]")
    page.locator("table.table tbody a", has_text="dev@acme.example").click()
    expect(page.locator("h1")).to_have_text("dev@acme.example")
    expect(page.locator("body")).to_contain_text("ml-research")
    shot(page, "people-user-detail")


def test_organizations_and_end_users(page, live_url, demo, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.click("aside nav >> text=Organizations")
    expect(page.locator("h1")).to_have_text("Organizations")
    shot(page, "people-org-list")
    page.locator("table.table tbody a", has_text="Acme Corp").click()
    expect(page.locator("h1")).to_have_text("Acme Corp")
    expect(page.locator("#org-members")).to_contain_text("orgadmin@acme.example")
    shot(page, "people-org-detail")

    page.click("aside nav >> text=End users")
    expect(page.locator("h1")).to_have_text("End users")
    first = page.locator("table.table tbody tr").first
    was_blocked = "Blocked" in first.locator("td").nth(6).inner_text()
    first.locator("button").click()
    expect(page.locator(".message-success")).to_contain_text("Unblocked" if was_blocked else "Blocked")
    shot(page, "people-end-users")
    page.locator("table.table tbody tr").first.locator("button").click()  # put it back
    expect(page.locator(".message-success")).to_contain_text("Blocked" if was_blocked else "Unblocked")
