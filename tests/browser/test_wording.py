"""Wording and numbers in a browser (issue 11): resets in words, one date format, names on the
Audit page, and the console's own 404 with DEBUG on (as in the demo)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from playwright.sync_api import expect

from accounts.models import UserTable
from budgets.models import BudgetTable
from config import writes
from tests import factories


def demo_user(email):
    return UserTable.objects.get(user_email=email)


def test_budgets_say_when_they_reset_next_and_why(page, sign_in, shot):
    suffix = secrets.token_hex(3)
    factories.make_team(
        alias=f"month-{suffix}",
        max_budget=50.0,
        budget_duration="30d",
        budget_reset_at=writes.now_utc() + timedelta(days=30, hours=6),
    )
    org = factories.make_org(alias=f"Org {suffix}", max_budget=100.0, spend=10.0)
    BudgetTable.objects.filter(budget_id=org["budget_id"]).update(budget_duration="1mo")  # no reset time yet
    sign_in(page, "admin@acme.example")
    page.goto("/budgets/?kind=team&sort=-reset_at")
    row = page.locator("#budgets-table tbody tr", has_text=f"month-{suffix}")
    expect(row).to_contain_text("in 30 days")
    expect(row).to_contain_text("on the 1st of each month at 00:00 UTC")
    expect(row).not_to_contain_text("every 30d")
    note = page.locator("#reset-note")
    expect(note).to_contain_text("reset job runs about every 10 minutes")
    expect(note).to_contain_text("a key's own budget with an empty reset time is never reset")
    shot(page, "wording-budget-resets")
    page.goto(f"/organizations/{org['organization_id']}/")
    reset = page.locator(".budget-reset")
    expect(reset).to_contain_text("Resets at the proxy's next reset run")
    expect(reset).to_contain_text("Then resets on the 1st of each month at 00:00 UTC.")
    expect(reset).to_contain_text("LiteLLM aligns 1mo to the 1st of the month")
    shot(page, "wording-org-reset")


def test_an_invitation_names_one_expiry_in_one_format(page, sign_in, shot):
    admin = demo_user("admin@acme.example")
    invitee = factories.make_user(email=f"dates-{secrets.token_hex(3)}@acme.example")
    invitation = factories.make_invitation(
        user_id=invitee["user_id"], created_by=admin.user_id, expires_at=datetime(2026, 12, 8, 17, 55)
    )
    sign_in(page, "admin@acme.example")
    page.goto(f"/invitations/{invitation['id']}/")
    body = page.locator("main")
    expect(body).to_contain_text("It works until 2026-12-08 17:55 UTC.")
    expect(body).not_to_contain_text("until the end of")
    expect(page.locator("dt:text-is('Expires') + dd")).to_have_text("2026-12-08 17:55 UTC")
    shot(page, "wording-invitation-dates")


def test_the_audit_log_names_what_changed_and_a_rotation_shows_only_its_changes(page, sign_in, shot):
    dev = demo_user("dev@acme.example")
    alias = f"audited-{secrets.token_hex(3)}"
    key = factories.make_key(alias=alias, user_id=dev.user_id, models=["gpt-4o"], max_budget=5.0)
    sign_in(page, "dev@acme.example")
    page.goto(f"/keys/{key['token']}/")
    page.get_by_role("link", name="Regenerate").click()
    page.get_by_role("button", name="Regenerate secret").click()
    page.get_by_role("link", name="I have copied it").click()
    page.context.clear_cookies()
    sign_in(page, "admin@acme.example")
    page.goto("/audit/?action=rotated")
    row = page.locator("tbody tr", has_text=alias).first
    expect(row).to_contain_text("dev@acme.example")
    shot(page, "wording-audit-names")
    row.get_by_role("link").first.click()
    fields = page.locator("#audit-changes tbody td:first-child").all_inner_texts()
    assert "token" in fields and "key_name" in fields
    assert not {"models", "max_budget", "key_alias", "user_id"} & set(fields)
    shot(page, "wording-audit-rotation")


def test_with_debug_on_404s_are_the_consoles_page_and_an_old_key_address_leads_on(page, sign_in, settings, shot):
    settings.DEBUG = True  # the demo runs with DEBUG on
    lead = demo_user("lead@acme.example")
    dev = demo_user("dev@acme.example")
    colleague = factories.make_key(alias=f"lead-{secrets.token_hex(3)}", user_id=lead.user_id)
    alias = f"moved-{secrets.token_hex(3)}"
    own = factories.make_key(alias=alias, user_id=dev.user_id)
    sign_in(page, "dev@acme.example")
    response = page.goto(f"/keys/{colleague['token']}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("Django tried these URL patterns")).to_have_count(0)
    shot(page, "wording-404-colleague-key")
    page.goto(f"/keys/{own['token']}/")
    page.get_by_role("link", name="Regenerate").click()
    page.get_by_role("button", name="Regenerate secret").click()
    page.get_by_role("link", name="I have copied it").click()
    response = page.goto(f"/keys/{own['token']}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="This key was regenerated")).to_be_visible()
    shot(page, "wording-404-rotated-key")
    page.get_by_role("link", name=f"Open {alias}").click()
    expect(page.get_by_role("heading", name=alias)).to_be_visible()
