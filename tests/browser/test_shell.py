"""The console shell in a browser: sign-in, home figures, navigation per role, the audit
log, sign-out and the ops admin, on the demo deployment."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import TeamTable
from config import policy
from config.selectors import home_figures
from config.tables import money

# What each demo account finds in the sidebar (besides Home).
NAVIGATION = {
    "admin@acme.example": [
        "Keys",
        "Teams",
        "Users",
        "Organizations",
        "End users",
        "Budgets",
        "Usage",
        "Request logs",
        "Reports",
        "Invitations",
        "Models",
        "Model requests",
        "Audit",
        "Alerts",
        "Jobs",
        "Database",
    ],
    "orgadmin@acme.example": [
        "Keys",
        "Teams",
        "Users",
        "Organizations",
        "Budgets",
        "Usage",
        "Request logs",
        "Reports",
        "Invitations",
        "Models",
        "Model requests",
        "Alerts",
    ],
    "lead@acme.example": [
        "Keys",
        "Teams",
        "Users",
        "Usage",
        "Request logs",
        "Reports",
        "Invitations",
        "Models",
        "Model requests",
        "Alerts",
    ],
    "dev@acme.example": ["Keys", "Teams", "Usage", "Request logs", "Models", "Model requests"],
    "intern@acme.example": ["Keys", "Teams", "Usage", "Request logs", "Models"],
}


def nav_labels(page) -> list[str]:
    """The sidebar's labels, without a count badge ("Model requests 3")."""
    return [re.sub(r"\s+\d+$", "", t.strip()) for t in page.locator("aside nav a").all_inner_texts()]


def test_sign_in_refuses_a_wrong_password_and_accepts_the_right_one(page, live_url, sign_in, shot):
    page.goto(f"{live_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))
    expect(page.locator("h1")).to_have_text("Sign in")
    shot(page, "shell-sign-in")
    page.fill("input[name=username]", "admin@acme.example")
    page.fill("input[name=password]", "not-the-password")
    page.click("form button[type=submit]")
    expect(page.locator(".form-errors")).to_be_visible()
    shot(page, "shell-sign-in-refused")
    sign_in(page, "admin@acme.example")
    expect(page).to_have_url(f"{live_url}/")
    expect(page.locator(".who-name")).to_have_text("admin@acme.example")


def test_home_shows_the_figures_from_the_database(page, demo, sign_in, shot):
    sign_in(page, "admin@acme.example")
    expected = home_figures(policy.principal_for_litellm_user(demo["accounts"]["admin@acme.example"]))
    expect(page.locator('[data-figure="spend-this-month"]')).to_have_text(money(expected["spend_this_month"]))
    expect(page.locator('[data-figure="spend-last-month"]')).to_have_text(money(expected["spend_last_month"]))
    expect(page.locator('[data-figure="active-keys"]')).to_have_text(str(expected["active_keys"]))
    expect(page.locator('[data-figure="users"]')).to_have_text(str(expected["users"]))
    expect(page.locator('[data-figure="teams"]')).to_have_text(str(expected["teams"]))
    expect(page.locator('[data-figure="pending-invitations"]')).to_have_text(str(expected["pending_invitations"]))
    assert expected["active_keys"] > 0 and expected["spend_this_month"] > 0
    shot(page, "shell-home-admin")


@pytest.mark.parametrize("email", list(NAVIGATION))
def test_each_role_sees_its_own_navigation(page, live_url, sign_in, shot, email):
    sign_in(page, email)
    assert nav_labels(page) == ["Home", *NAVIGATION[email]]
    shot(page, f"shell-home-{email.split('@')[0]}")
    # Every section it offers opens (no error page), and the sidebar marks where we are.
    for label in NAVIGATION[email]:
        page.locator("aside nav a", has_text=re.compile(rf"^{re.escape(label)}(\s+\d+)?$")).click()
        page.wait_for_load_state("domcontentloaded")
        active = page.locator("aside nav a.active").inner_text().strip()
        assert re.sub(r"\s+\d+$", "", active) == label, page.url
        assert "Server Error" not in page.content()


def test_people_who_do_not_see_everything_are_refused_the_audit_log(page, live_url, sign_in, shot):
    sign_in(page, "intern@acme.example")
    response = page.goto(f"{live_url}/audit/")
    assert response.status == 403
    shot(page, "shell-audit-refused")


def test_the_audit_log_lists_entries_and_opens_one(page, live_url, sign_in, shot):
    sign_in(page, "viewer@acme.example")
    page.goto(f"{live_url}/audit/")
    expect(page.locator("h1")).to_have_text("Audit log")
    rows = page.locator("table.table tbody tr")
    assert rows.count() > 0
    shot(page, "shell-audit-list")
    page.select_option("select[name=action]", "blocked")
    page.click(".filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"action=blocked"))
    actions = page.locator("table.table tbody td:nth-child(3)").all_inner_texts()
    assert actions and set(actions) == {"blocked"}
    page.locator("table.table tbody tr a").first.click()
    expect(page.locator("h1")).to_have_text("Audit entry")
    expect(page.locator("dl.props")).to_contain_text("blocked")
    shot(page, "shell-audit-detail")


def test_sign_out_ends_the_session(page, live_url, sign_in):
    sign_in(page, "dev@acme.example")
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_url}/keys/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/keys/"))


def test_the_ops_admin_lists_and_opens_litellm_rows(page, live_url, demo, sign_in_ops, shot):
    sign_in_ops(page)
    expect(page.locator(".who-name")).to_have_text("ops")
    page.click("text=Ops admin")
    expect(page.locator("#site-name")).to_contain_text("LiteLLM console")
    shot(page, "admin-index")
    page.goto(f"{live_url}/admin/keys/verificationtoken/?state=blocked")
    assert page.locator("#result_list tbody tr").count() > 0
    shot(page, "admin-keys-blocked")
    team_id = demo["teams"]["ml-research"]
    page.goto(f"{live_url}/admin/accounts/teamtable/{team_id}/change/")
    expect(page.locator(".litellm-related")).to_contain_text("lead@acme.example")
    expect(page.locator(".field-spend .readonly")).to_be_visible()  # a counter: shown, not editable
    assert page.locator("input[name=spend]").count() == 0
    shot(page, "admin-team-change")
    page.goto(f"{live_url}/admin/usage/spendlogs/")
    assert page.locator("#result_list tbody tr").count() > 0
    shot(page, "admin-spendlogs", full_page=False)
    assert TeamTable.objects.filter(team_id=team_id).exists()


def test_a_person_changes_their_own_password(page, live_url, sign_in, shot):
    from accounts import passwords
    from accounts.models import UserTable
    from tests import factories

    old, new = "Old-password-123!", "Brand-new-pass-456?"
    row = factories.make_user(email="pat.browser@acme.example", password=passwords.hash_password(old))
    sign_in(page, "pat.browser@acme.example", old)
    page.get_by_role("link", name="Password").click()
    expect(page.locator("h1")).to_have_text("Change your password")
    page.fill("input[name=current_password]", old)
    page.fill("input[name=password1]", "weak")
    page.fill("input[name=password2]", "weak")
    page.click("form.form button[type=submit]")
    expect(page.locator(".field-error").first).to_be_visible()
    shot(page, "shell-password-weak")
    page.fill("input[name=current_password]", old)
    page.fill("input[name=password1]", new)
    page.fill("input[name=password2]", new)
    page.click("form.form button[type=submit]")
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    assert passwords.verify_password(new, UserTable.objects.get(user_id=row["user_id"]).password)
