"""What LiteLLM's UI users look for on a key, in a browser: allowed routes and the key type,
tags, auto-rotation (newest schema) and a team's service-account key."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from accounts.models import TeamTable, UserTable
from keys.models import VerificationToken
from tests import factories


def test_an_admin_limits_a_key_to_some_routes_and_a_member_picks_a_read_only_key(page, sign_in, shot):
    alias = f"routes-{secrets.token_hex(3)}"
    sign_in(page, "admin@acme.example")
    page.goto("/keys/new/")
    page.get_by_label("Key name (alias)").fill(alias)
    page.get_by_label("Allowed routes").fill("chat/completions")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator(".field-error", has_text="neither a path")).to_be_visible()
    assert not VerificationToken.objects.filter(key_alias=alias).exists()
    page.get_by_label("Allowed routes").fill("/chat/completions, /v1/files/*")
    shot(page, "keys-access-routes-form")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name=f"Key created: {alias}")).to_be_visible()
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.allowed_routes == ["/chat/completions", "/v1/files/*"] and key.key_type == "default"
    page.get_by_role("link", name="Open the key").click()
    expect(page.locator("dd code", has_text="/v1/files/*")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, "dev@acme.example")
    page.goto("/keys/new/")
    expect(page.get_by_label("Allowed routes")).to_have_count(0)  # only proxy admins list routes
    key_type = page.get_by_label("Key type")
    expect(key_type.locator("option", has_text="Management")).to_have_count(0)
    alias = f"readonly-{secrets.token_hex(3)}"
    page.get_by_label("Key name (alias)").fill(alias)
    key_type.select_option("read_only")
    page.get_by_role("button", name="Create key").click()
    page.get_by_role("link", name="Open the key").click()
    expect(page.get_by_text("Read only (info routes only: info_routes)")).to_be_visible()
    shot(page, "keys-access-read-only")
    assert VerificationToken.objects.get(key_alias=alias).allowed_routes == ["info_routes"]


def test_a_member_tags_a_key_and_changes_its_tags(page, sign_in, shot):
    alias = f"tagged-{secrets.token_hex(3)}"
    sign_in(page, "dev@acme.example")
    page.goto("/keys/new/")
    page.get_by_label("Key name (alias)").fill(alias)
    page.get_by_label("Tags").fill("prod, billing")
    page.get_by_role("button", name="Create key").click()
    page.get_by_role("link", name="Open the key").click()
    expect(page.locator("dd .badge", has_text="billing")).to_be_visible()
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.metadata == {"tags": ["prod", "billing"]}
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Tags")).to_have_value("prod, billing")
    page.get_by_label("Tags").fill("prod")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator("dd .badge", has_text="billing")).to_have_count(0)
    shot(page, "keys-access-tags")
    assert VerificationToken.objects.get(key_alias=alias).metadata == {"tags": ["prod"]}


def test_an_admin_turns_on_auto_rotation(page, sign_in, shot):
    alias = f"rotating-{secrets.token_hex(3)}"
    factories.make_key(alias=alias)
    sign_in(page, "admin@acme.example")
    page.goto(f"/keys/?q={alias}")
    page.get_by_role("link", name=alias).click()
    expect(page.locator("dt", has_text=re.compile("^Rotation$")).locator("+ dd")).to_have_text("off")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Rotate automatically").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".field-error", has_text="how often to rotate")).to_be_visible()
    assert not VerificationToken.objects.get(key_alias=alias).auto_rotate
    page.get_by_label("Rotate every").fill("30d")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    due = page.locator("dt", has_text=re.compile("^Rotation$")).locator("+ dd")
    expect(due).to_have_text(re.compile(r"every 30d, next due \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"))
    shot(page, "keys-access-rotation")
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.auto_rotate is True and key.rotation_interval == "30d" and key.key_rotation_at is not None


def test_a_team_lead_makes_a_service_account_key_a_member_cannot(page, sign_in, shot):
    team = TeamTable.objects.get(team_alias="ml-research")
    alias = f"deploy-bot-{secrets.token_hex(3)}"
    sign_in(page, "lead@acme.example")
    page.goto("/keys/new/")
    page.get_by_label("Key name (alias)").fill(alias)
    page.get_by_label("Service account key (belongs to the team, no owner)").check()
    page.get_by_role("button", name="Create key").click()
    expect(page.locator(".field-error", has_text="belongs to a team")).to_be_visible()
    page.get_by_label("Team", exact=True).select_option(label="ml-research")
    shot(page, "keys-access-service-account-form")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name=f"Key created: {alias}")).to_be_visible()
    key = VerificationToken.objects.get(key_alias=alias)
    assert key.user_id is None and key.team_id == team.team_id
    assert key.metadata == {"service_account_id": alias}
    page.get_by_role("link", name="Open the key").click()
    expect(page.locator("dt", has_text="Service account")).to_be_visible()
    shot(page, "keys-access-service-account")

    page.context.clear_cookies()
    dev = UserTable.objects.get(user_email="dev@acme.example")
    assert dev.user_id not in {m["user_id"] for m in team.members_with_roles if m["role"] == "admin"}
    sign_in(page, "dev@acme.example")
    page.goto("/keys/new/")
    expect(page.get_by_label("Key name (alias)")).to_be_visible()
    expect(page.get_by_text("Service account key")).to_have_count(0)
