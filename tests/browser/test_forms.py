"""Forms in a browser, as a first-week admin meets them (issue 11, "Forms"): one soft-budget
rule everywhere, each duration field with its own grammar, confirmations for bulk block and
role changes, an error summary that leads to the fields, sane length limits that never break
the layout, and an ops admin that refuses what the console refuses."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from accounts.models import TeamTable
from keys.models import VerificationToken
from tests import factories

ADMIN = "admin@acme.example"


def _tag() -> str:
    return secrets.token_hex(3)


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# --- same rules everywhere ---------------------------------------------------------------------


def test_a_key_soft_budget_above_its_max_is_refused_as_a_teams_is(page, live_url, sign_in):
    sign_in(page, ADMIN)
    alias = f"soft-over-{_tag()}"
    page.goto(f"{live_url}/keys/new/")
    page.get_by_label("Key name (alias)").fill(alias)
    page.get_by_label("Max budget (USD)").fill("10")
    page.get_by_label("Soft budget (USD)").fill("20")
    page.get_by_role("button", name="Create key").click()
    key_error = page.locator(".field.has-error", has=page.locator("#id_soft_budget")).locator(".field-error")
    expect(key_error).to_contain_text("soft budget must be lower than the max budget")
    assert not VerificationToken.objects.filter(key_alias=alias).exists()

    if not TeamTable.has_column("soft_budget"):
        return
    page.goto(f"{live_url}/teams/new/")
    page.get_by_label("Team name").fill(f"soft-team-{_tag()}")
    page.get_by_label("Max budget (USD)").fill("10")
    page.get_by_label("Soft budget (USD)").fill("20")
    page.locator("main form button[type=submit]").click()
    team_error = page.locator(".field.has-error", has=page.locator("#id_soft_budget")).locator(".field-error")
    expect(team_error).to_have_text(key_error.inner_text())


def test_each_duration_field_shows_its_own_grammar(page, live_url, sign_in):
    """The expiry may be 2mo, a budget reset may not: each field's hint says which applies."""
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/keys/new/")
    expiry_help = page.locator(".field", has=page.locator("#id_duration")).locator(".help").inner_text()
    budget_help = page.locator(".field", has=page.locator("#id_budget_duration")).locator(".help").inner_text()
    assert "2mo" in expiry_help and "any number of months" in expiry_help
    assert "only 1mo" in budget_help and "2mo is refused" in budget_help

    alias = f"grammar-{_tag()}"
    page.get_by_label("Key name (alias)").fill(alias)
    page.get_by_label("Expires after").fill("2mo")
    page.get_by_label("Budget resets every").fill("2mo")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator(".field", has=page.locator("#id_budget_duration")).locator(".field-error")).to_be_visible()
    expect(page.locator(".field", has=page.locator("#id_duration")).locator(".field-error")).to_have_count(0)
    page.get_by_label("Budget resets every").fill("1mo")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name=f"Key created: {alias}")).to_be_visible()
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.budget_duration == "1mo" and key.expires is not None


def test_bulk_block_asks_for_confirmation_as_a_single_block_does(page, live_url, sign_in):
    tag = _tag()
    keys = [factories.make_key(alias=f"bulk-{tag}-{n}") for n in range(2)]
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/keys/?q=bulk-{tag}")
    for key in keys:
        page.locator(f"tr:has-text('{key['key_alias']}') input[name=tokens]").check()
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_role("button", name="Block", exact=True)).to_be_visible()
    assert asked and "Block 2 keys?" in asked[0], asked
    assert not VerificationToken.objects.filter(token__in=[k["token"] for k in keys], blocked=True).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Blocked 2 keys")
    assert VerificationToken.objects.filter(token__in=[k["token"] for k in keys], blocked=True).count() == 2


def test_a_member_role_change_is_an_explicit_confirmed_action(page, live_url, sign_in):
    tag = _tag()
    member = factories.make_user(email=f"role-{tag}@acme.example")
    team = factories.make_team(alias=f"roles-{tag}", members=[(member, "user")])
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/teams/{team['team_id']}/")
    row = page.locator(f'tr[data-member="{member["user_email"]}"]')
    row.locator("select[name=role]").select_option("admin")
    # Picking a role saves nothing by itself.
    page.wait_for_load_state("networkidle")
    assert _roles(team["team_id"])[member["user_id"]] == "user"
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button", name="Change role").click()
    expect(row.get_by_role("button", name="Change role")).to_be_visible()
    assert asked and f"Change the role of {member['user_email']}" in asked[0] and "to Admin?" in asked[0], asked
    assert _roles(team["team_id"])[member["user_id"]] == "user"

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Change role").click()
    expect(page.locator(".message-success")).to_contain_text("Role changed to admin")
    assert _roles(team["team_id"])[member["user_id"]] == "admin"


def _roles(team_id) -> dict:
    return {m["user_id"]: m["role"] for m in TeamTable.objects.get(team_id=team_id).members_with_roles}


# --- long forms: an error summary that leads to the fields ---------------------------------------


def test_long_form_errors_are_summarised_with_links_and_the_first_is_focused(page, live_url, sign_in):
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/keys/new/")
    page.get_by_label("Expires after").fill("soon")
    page.get_by_label("Max budget (USD)").fill("-5")
    page.get_by_role("button", name="Create key").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    links = summary.locator("a")
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [
        "#id_key_alias",
        "#id_max_budget",
        "#id_duration",
    ]
    expect(summary).to_contain_text("Key name (alias)")
    expect(summary).to_contain_text("Expires after")
    # The page brought the first field in error into view and focused it.
    expect(page.locator("#id_key_alias")).to_be_focused()
    summary.get_by_role("link", name="Expires after").click()
    expect(page.locator("#id_duration")).to_be_focused()
    assert page.locator("#id_duration").evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def test_the_team_form_uses_the_same_summary(page, live_url, sign_in):
    sign_in(page, ADMIN)
    page.goto(f"{live_url}/teams/new/")
    page.get_by_label("Max budget (USD)").fill("-1")
    page.locator("main form button[type=submit]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("link", name="Team name")).to_have_attribute("href", "#id_team_alias")
    expect(page.locator("#id_team_alias")).to_be_focused()


# --- length limits ---------------------------------------------------------------------------------


def test_names_and_emails_have_a_length_limit_with_a_clear_message(page, live_url, sign_in):
    sign_in(page, ADMIN)
    long_name = "n" * 300
    page.goto(f"{live_url}/teams/new/")
    page.get_by_label("Team name").fill(long_name)
    page.locator("main form button[type=submit]").click()
    error = page.locator(".field", has=page.locator("#id_team_alias")).locator(".field-error")
    expect(error).to_have_text("Keep it to 255 characters or fewer.")
    assert not TeamTable.objects.filter(team_alias=long_name).exists()

    page.goto(f"{live_url}/users/new/")
    page.get_by_label("Email").fill(("e" * 250) + "@acme.example")
    page.locator("main form button[type=submit]").click()
    error = page.locator(".field", has=page.locator("#id_user_email")).locator(".field-error")
    expect(error).to_contain_text("255 characters or fewer")


def test_a_5000_character_team_alias_never_breaks_the_layout(page, live_url, sign_in, shot):
    tag = _tag()
    alias = f"long-{tag}-" + "x" * 5000
    owner = factories.make_user(email=f"long-{tag}@acme.example")
    team = factories.make_team(alias=alias, members=[(owner, "admin")])
    key = factories.make_key(user_id=owner["user_id"], team_id=team["team_id"], alias=f"long-key-{tag}")
    today = datetime.now(UTC).date().isoformat()  # today is never a cached closed day
    factories.make_daily_team_spend(team["team_id"], today, spend=5000.0, api_key=key["token"])
    sign_in(page, ADMIN)
    pages = {
        "team list": f"{live_url}/teams/?q=long-{tag}",
        "team page": f"{live_url}/teams/{team['team_id']}/",
        "key list": f"{live_url}/keys/?q=long-key-{tag}",
        "key page": f"{live_url}/keys/{key['token']}/",
        "usage": f"{live_url}/usage/",
        "team usage": f"{live_url}/usage/?scope=team&id={team['team_id']}",
    }
    overflowing, untitled = [], []
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("main")).to_contain_text(alias[:60])
        if not _no_horizontal_overflow(page):
            overflowing.append(name)
        elif page.locator(f"[title^='{alias}']").count() == 0:
            untitled.append(name)  # cut, but the full name is nowhere on hover
    assert not overflowing, f"horizontal overflow on: {overflowing}"
    assert not untitled, f"no full name on hover on: {untitled}"
    page.goto(pages["team page"])
    shot(page, "forms-long-team-alias")


# --- the ops admin refuses what the console refuses ---------------------------------------------


def test_the_ops_admin_shows_the_consoles_refusals(page, live_url, sign_in_ops):
    tag = _tag()
    team = factories.make_team(alias=f"ops-{tag}")
    factories.make_key(alias=f"ops-taken-{tag}")
    key = factories.make_key(alias=f"ops-mine-{tag}")
    sign_in_ops(page)

    page.goto(f"{live_url}/admin/accounts/teamtable/{team['team_id']}/change/")
    page.locator("#id_max_budget").fill("-5")
    page.locator("#id_budget_duration").fill("2mo")
    page.locator("input[name=_save]").click()
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    expect(page.locator(".field-max_budget .errorlist")).to_contain_text("zero or more")
    expect(page.locator(".field-budget_duration .errorlist")).to_contain_text("1mo")
    if TeamTable.has_column("soft_budget"):
        page.locator("#id_max_budget").fill("10")
        page.locator("#id_budget_duration").fill("")
        page.locator("#id_soft_budget").fill("20")
        page.locator("input[name=_save]").click()
        expect(page.locator(".field-soft_budget .errorlist")).to_contain_text(
            "soft budget must be lower than the max budget"
        )
    row = TeamTable.objects.get(team_id=team["team_id"])
    assert row.max_budget is None and row.budget_duration is None

    page.goto(f"{live_url}/admin/keys/verificationtoken/{key['token']}/change/")
    page.locator("#id_key_alias").fill(f"ops-taken-{tag}")
    page.locator("input[name=_save]").click()
    expect(page.locator(".field-key_alias .errorlist")).to_contain_text("already exists")
    assert VerificationToken.objects.get(token=key["token"]).key_alias == f"ops-mine-{tag}"


pytestmark = pytest.mark.browser
