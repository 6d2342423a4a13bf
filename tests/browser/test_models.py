"""Models in a browser: add, edit and delete a deployment (the provider's own fields shown),
a team's model aliases, and model requests approved and disapproved, as the demo's roles;
refusals included. Each flow changes only rows it makes itself (the demo data is shared)."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import TeamTable
from config.models import ModelTable, ProxyModelTable, UserNotifications
from deployments import crypto
from keys.models import VerificationToken

SECRET = "azure-browser-secret-5e6f7a8b"


def test_add_edit_and_delete_a_deployment(page, live_url, sign_in, shot):
    sign_in(page, "admin@acme.example")
    page.click("aside nav >> text=Models")
    expect(page.locator("h1")).to_have_text("Models")
    expect(page.locator("table.table")).to_contain_text("research-llama")
    shot(page, "models-list")
    page.click("text=Add deployment")
    page.fill("input[name=model_name]", "browser-gpt")
    page.select_option("select[name=custom_llm_provider]", "bedrock")
    expect(page.locator("input[name=aws_region_name]")).to_be_visible()
    expect(page.locator("input[name=vertex_project]")).to_be_hidden()
    page.select_option("select[name=custom_llm_provider]", "azure")
    expect(page.locator("input[name=aws_region_name]")).to_be_hidden()
    page.fill("input[name=model]", "azure/browser-east")
    page.fill("input[name=api_base]", "https://browser.openai.azure.com")
    page.fill("input[name=api_key]", SECRET)
    page.fill("input[name=api_version]", "2024-06-01")
    page.fill("input[name=rpm]", "100")
    page.fill("input[name=access_groups]", "browser-group")
    shot(page, "models-create-form")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("browser-gpt")
    expect(page.locator(".message-success")).to_contain_text("every 30 seconds")
    expect(page.locator("main")).to_contain_text("https://browser.openai.azure.com")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    shot(page, "models-detail")
    row = ProxyModelTable.objects.get(model_name="browser-gpt")
    key = crypto.salt_key()
    assert crypto.decrypt(row.litellm_params["api_key"], key) == SECRET and SECRET not in str(row.litellm_params)

    page.click("main >> text=Edit")
    expect(page.locator("input[name=api_key]")).to_have_value("")
    expect(page.locator("main form")).to_contain_text("Leave blank to keep it")
    page.fill("input[name=rpm]", "250")
    page.click("main form button[type=submit]")
    expect(page.locator(".message-success")).to_contain_text("Saved.")
    row = ProxyModelTable.objects.get(model_id=row.model_id)
    assert row.litellm_params["rpm"] == 250  # numbers are stored as they are (encrypt_value_helper)
    assert crypto.decrypt(row.litellm_params["api_key"], key) == SECRET

    dev_key = VerificationToken.objects.filter(key_alias="dev-laptop").first()
    VerificationToken.objects.filter(token=dev_key.token).update(models=[*(dev_key.models or []), "browser-group"])
    page.click("main >> text=Delete")
    expect(page.locator("main")).to_contain_text("key dev-laptop")
    shot(page, "models-delete-confirm")
    page.click("main form button[type=submit]")
    expect(page.locator(".message-success")).to_contain_text("Deleted browser-gpt")
    assert not ProxyModelTable.objects.filter(model_id=row.model_id).exists()
    VerificationToken.objects.filter(token=dev_key.token).update(models=dev_key.models)


def test_a_team_admin_adds_only_team_models_and_a_member_none(page, live_url, sign_in, shot):
    sign_in(page, "lead@acme.example")
    page.goto(f"{live_url}/models/new/")
    page.fill("input[name=model_name]", "lead-model")
    page.fill("input[name=model]", "gpt-4o-mini")
    page.click("main form button[type=submit]")
    expect(page.locator(".field-error").first).to_contain_text("Only proxy admins")
    shot(page, "models-lead-refused")
    assert not ProxyModelTable.objects.filter(model_name="lead-model").exists()
    page.click("text=Sign out")
    sign_in(page, "dev@acme.example")
    page.click("aside nav >> text=Models")
    expect(page.locator("text=Add deployment")).to_have_count(0)
    response = page.goto(f"{live_url}/models/new/")
    assert response.status == 403


def test_team_aliases_from_the_team_page(page, live_url, demo, sign_in, shot):
    team_id = demo["teams"]["platform"] if "platform" in demo["teams"] else demo["teams"]["ml-research"]
    sign_in(page, "admin@acme.example")
    page.goto(live_url + reverse("accounts:team_detail", args=[team_id]))
    page.click("text=Edit aliases")
    page.fill("textarea[name=aliases]", "not an alias line")
    page.click("main form button[type=submit]")
    expect(page.locator(".field-error").first).to_contain_text('is not "alias: model"')
    page.fill("textarea[name=aliases]", "smart: gpt-4o\nquick: gpt-4o-mini")
    shot(page, "models-aliases-form")
    page.click("main form button[type=submit]")
    expect(page.locator(".message-success")).to_contain_text("Aliases saved")
    expect(page.locator("main")).to_contain_text("quick")
    shot(page, "models-aliases-team")
    team = TeamTable.objects.get(team_id=team_id)
    assert ModelTable.objects.get(id=team.model_id).aliases == {"smart": "gpt-4o", "quick": "gpt-4o-mini"}


def test_a_request_approved_and_one_disapproved(page, live_url, sign_in, shot, browser):
    sign_in(page, "dev@acme.example")
    key = VerificationToken.objects.get(key_alias="dev-laptop")
    page.goto(f"{live_url}/keys/{key.token}/")
    page.click("text=Ask for models")
    page.check('input[name=models][value="claude-3-5-haiku"]')
    page.fill("textarea[name=justification]", "Cheaper drafts in the browser test")
    shot(page, "models-request-form")
    page.click("main form button[type=submit]")
    expect(page.locator("table.table")).to_contain_text("Cheaper drafts")
    approved = UserNotifications.objects.get(justification="Cheaper drafts in the browser test")

    page.goto(f"{live_url}/models/requests/new/")
    page.check('input[name=models][value="gemini-1.5-pro"]')
    page.fill("textarea[name=justification]", "Long documents in the browser test")
    page.click("main form button[type=submit]")
    disapproved = UserNotifications.objects.get(justification="Long documents in the browser test")

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    admin = context.new_page()
    sign_in(admin, "admin@acme.example")
    expect(admin.locator("aside nav a", has_text="Model requests").locator(".badge")).to_be_visible()
    admin.goto(f"{live_url}/models/requests/{approved.request_id}/answer/")
    expect(admin.locator("main")).to_contain_text("key dev-laptop")
    admin.check('input[name=decision][value="approve"]')
    admin.click("main form button[type=submit]")
    expect(admin.locator(".message-success")).to_contain_text("Request approved")
    admin.goto(f"{live_url}/models/requests/{disapproved.request_id}/answer/")
    admin.check('input[name=decision][value="disapprove"]')
    admin.click("main form button[type=submit]")
    expect(admin.locator(".field-error").first).to_contain_text("Give the requester a reason")
    admin.check('input[name=decision][value="disapprove"]')
    admin.fill("textarea[name=reason]", "Gemini is for the research team only")
    admin.click("main form button[type=submit]")
    expect(admin.locator(".message-success")).to_contain_text("Request disapproved")
    shot(admin, "models-requests-queue")
    context.close()

    assert "claude-3-5-haiku" in VerificationToken.objects.get(token=key.token).models
    page.goto(f"{live_url}/models/requests/")
    expect(page.locator("table.table")).to_contain_text("approved")
    expect(page.locator("table.table")).to_contain_text("Gemini is for the research team only")
    shot(page, "models-requests-mine")
    # The requester may not answer their own request.
    assert page.goto(f"{live_url}/models/requests/{approved.request_id}/answer/").status == 403
