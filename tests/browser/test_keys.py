"""Keys in a browser, as a person would use them: create a key and copy its secret (shown
once), block it, and change a budget after previewing what the change means."""

from __future__ import annotations

import hashlib
import re
import secrets

from playwright.sync_api import expect

from accounts.models import TeamTable, UserTable
from keys.models import VerificationToken
from tests import factories


def demo_user(email):
    return UserTable.objects.get(user_email=email)


def test_a_member_creates_a_key_and_copies_the_secret_once(page, sign_in, shot):
    alias = f"laptop-{secrets.token_hex(3)}"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "dev@acme.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Keys").click()
    page.get_by_role("link", name="Create key").click()
    expect(page.get_by_role("heading", name="Create a key")).to_be_visible()
    page.get_by_label("Key name (alias)").fill(alias)
    page.get_by_label("Team", exact=True).select_option(label="ml-research")
    # The models picker: type part of a name, pick a match (only the team's models are offered).
    picker = page.get_by_role("combobox", name="Models")
    picker.fill("4o-m")
    expect(page.get_by_role("option", name="gpt-4o-mini")).to_be_visible()
    expect(page.get_by_role("option", name="gpt-4o", exact=True)).to_have_count(0)
    picker.fill("gpt-4")
    page.get_by_role("option", name="gpt-4o", exact=True).click()
    expect(page.get_by_role("button", name="Remove gpt-4o")).to_be_visible()
    picker.fill("claude")
    expect(page.get_by_role("option", name="claude-3-5-sonnet")).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.get_by_role("button", name="Remove claude-3-5-sonnet")).to_be_visible()
    page.get_by_role("button", name="Remove claude-3-5-sonnet").click()
    page.get_by_label("Max budget (USD)").fill("25")
    page.get_by_label("Budget resets every").fill("30d")
    page.get_by_label("Expires after").fill("90d")
    page.locator("input[name=metadata-name]").first.fill("purpose")
    page.locator("input[name=metadata-value]").first.fill("notebook experiments")
    shot(page, "keys-create-form")
    page.get_by_role("button", name="Create key").click()

    expect(page.get_by_role("heading", name=f"Key created: {alias}")).to_be_visible()
    raw = page.locator("#raw-key").inner_text().strip()
    assert raw.startswith("sk-") and len(raw) == 25
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    shot(page, "keys-created-secret")

    key = VerificationToken.objects.get(key_alias=alias)
    assert key.token == hashlib.sha256(raw.encode()).hexdigest()
    assert key.key_name == f"sk-...{raw[-4:]}"
    assert key.user_id == demo_user("dev@acme.example").user_id
    assert key.models == ["gpt-4o"] and key.max_budget == 25.0 and key.budget_duration == "30d"
    assert key.metadata == {"purpose": "notebook experiments"}

    # A reload shows the shown-once page (a GET), not a second POST that would make a new key.
    page.reload()
    expect(page.get_by_text("already shown once")).to_be_visible()
    assert raw not in page.content()
    assert VerificationToken.objects.filter(key_alias=alias).count() == 1
    page.get_by_role("link", name="Open the key").click()
    expect(page.get_by_role("heading", name=alias)).to_be_visible()
    expect(page.get_by_text("$0.00", exact=True)).to_be_visible()
    shot(page, "keys-detail-new")


def test_a_team_lead_blocks_a_key_and_unblocks_it_from_the_list(page, sign_in, shot):
    team = TeamTable.objects.get(team_alias="ml-research")
    dev = demo_user("dev@acme.example")
    alias = f"ci-runner-{secrets.token_hex(3)}"
    factories.make_key(alias=alias, user_id=dev.user_id, team_id=team.team_id, spend=3.5, max_budget=20.0)
    sign_in(page, "lead@acme.example")
    page.goto(f"/keys/?q={alias}")
    page.get_by_role("link", name=alias).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Block").click()
    expect(page.get_by_text(f"{alias} is blocked")).to_be_visible()
    expect(page.locator("h1 .badge", has_text="Blocked")).to_be_visible()
    expect(page.get_by_text("The proxy sees this within 60 seconds")).to_be_visible()
    shot(page, "keys-detail-blocked")
    assert VerificationToken.objects.get(key_alias=alias).blocked is True

    page.goto(f"/keys/?q={alias}")
    expect(page.locator("#keys-table").get_by_text("Blocked")).to_be_visible()
    page.get_by_label("Select key").first.check()
    shot(page, "keys-list-bulk")
    page.get_by_role("button", name="Unblock").click()
    expect(page.get_by_text("Unblocked 1 key")).to_be_visible()
    assert VerificationToken.objects.get(key_alias=alias).blocked is False


def test_an_admin_previews_a_budget_cut_before_saving(page, sign_in, shot):
    alias = f"batch-job-{secrets.token_hex(3)}"
    factories.make_key(alias=alias, spend=42.0, max_budget=100.0, budget_duration="30d")
    sign_in(page, "admin@acme.example")
    page.goto(f"/keys/?q={alias}")
    page.get_by_role("link", name=alias).click()
    shot(page, "keys-detail-budget")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Max budget (USD)").fill("30")
    page.get_by_label("Budget resets every").fill("7d")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Current spend $42.00 is already over the new budget of $30.00")).to_be_visible()
    # 7d resets on the next Monday (budgets/resets.py), worded in the console's one date format
    next_reset = re.compile(r"Spend resets on \d{4}-\d{2}-\d{2} 00:00 UTC, then every Monday")
    expect(page.get_by_text(next_reset)).to_be_visible()
    expect(page.get_by_text("within 60 seconds")).to_be_visible()
    shot(page, "keys-edit-preview")
    assert VerificationToken.objects.get(key_alias=alias).max_budget == 100.0
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.max_budget == 30.0 and key.budget_duration == "7d" and key.budget_reset_at.weekday() == 0
    assert key.spend == 42.0
    expect(page.get_by_text("Over budget").first).to_be_visible()
    shot(page, "keys-detail-over-budget")


def test_a_key_page_shows_its_daily_usage_latest_requests_and_forecast(page, sign_in, shot):
    key = (
        VerificationToken.objects.filter(key_alias="dev-laptop").first()
        or VerificationToken.objects.exclude(team_id="litellm-dashboard").order_by("-spend").first()
    )
    sign_in(page, "admin@acme.example")
    page.goto(f"/keys/{key.token}/")
    expect(page.get_by_role("heading", name="Daily usage")).to_be_visible()
    expect(page.get_by_role("heading", name="Latest requests")).to_be_visible()
    shot(page, "keys-detail-usage")
    page.goto("/keys/?sort=-spend")
    expect(page.locator("#keys-table tbody tr").first).to_be_visible()
    page.screenshot(path=str(shot(page, "keys-list").with_name("keys-list-top.png")))


def test_an_owner_regenerates_then_deletes_a_key(page, sign_in, shot):
    dev = demo_user("dev@acme.example")
    alias = f"rotate-{secrets.token_hex(3)}"
    old = factories.make_key(alias=alias, user_id=dev.user_id, spend=1.25)
    sign_in(page, "dev@acme.example")
    page.goto(f"/keys/{old['token']}/")
    page.get_by_role("link", name="Regenerate").click()
    expect(page.get_by_text("The old secret stops working")).to_be_visible()
    shot(page, "keys-regenerate-confirm")
    page.get_by_role("button", name="Regenerate secret").click()
    expect(page.get_by_role("heading", name=f"New secret for {alias}")).to_be_visible()
    raw = page.locator("#raw-key").inner_text().strip()
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.token == hashlib.sha256(raw.encode()).hexdigest() != old["token"]
    assert key.spend == 1.25
    page.get_by_role("link", name="I have copied it").click()
    page.get_by_role("link", name="Delete").click()
    shot(page, "keys-delete-confirm")
    page.get_by_role("button", name="Delete key").click()
    expect(page.get_by_text(f"Deleted {alias}")).to_be_visible()
    assert not VerificationToken.objects.filter(key_alias=alias).exists()
