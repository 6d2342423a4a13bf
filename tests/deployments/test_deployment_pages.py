"""/models/: deployments read and written as LiteLLM's /model/new, /model/update and
/model/delete do, with every litellm_params string encrypted under the salt key (checked with
the port of LiteLLM's own helpers), secrets never shown, and plain refusals."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from accounts.models import TeamTable
from config.models import AuditLog, ProxyModelTable
from deployments import crypto
from tests import factories
from tests import litellm_crypto as oracle

pytestmark = pytest.mark.django_db(databases="__all__")

SALT = "sk-test-salt-key-0123"
SECRET = "sk-planted-provider-secret-7781"
LIST = reverse("deployments:model_list")
NEW = reverse("deployments:model_create")


@pytest.fixture(autouse=True)
def salt(settings):
    settings.LITELLM_SALT_KEY, settings.LITELLM_MASTER_KEY, settings.LITELLM_ENCRYPTION_ALGORITHM = SALT, None, ""
    oracle.SALT_KEY, oracle.GENERAL_SETTINGS = SALT, {}
    yield settings
    oracle.SALT_KEY, oracle.GENERAL_SETTINGS = None, {}


def form(**values):
    data = {"model_name": "gpt-4o-prod", "custom_llm_provider": "azure", "model": "azure/gpt4o-east"}
    data |= {"api_base": "https://east.openai.azure.com", "api_key": SECRET, "api_version": "2024-06-01"}
    data |= {"rpm": "600", "tpm": "", "input_cost_per_token": "0.0000025", "access_groups": "beta, prod"}
    return data | values


def only_row() -> ProxyModelTable:
    return ProxyModelTable.objects.get()


def opened(row) -> dict:
    """The stored litellm_params as LiteLLM's decrypt_value_helper reads them."""
    return {k: oracle.decrypt_value_helper(v, key=k) for k, v in row.litellm_params.items()}


def test_admin_creates_a_deployment_litellm_can_open(cast, client_for, caplog):
    client = client_for(cast.proxy_admin)
    with caplog.at_level(logging.DEBUG):
        response = client.post(NEW, form())
    row = only_row()
    assert response.status_code == 302 and response["Location"] == reverse("deployments:model_detail", args=[row.pk])
    assert SECRET not in str(row.litellm_params) and "east.openai" not in str(row.litellm_params)
    clear = opened(row)
    assert clear["api_key"] == SECRET and clear["model"] == "azure/gpt4o-east"
    assert clear["api_base"] == "https://east.openai.azure.com" and clear["api_version"] == "2024-06-01"
    assert clear["custom_llm_provider"] == "azure" and clear["rpm"] == 600
    assert clear["input_cost_per_token"] == 0.0000025 and clear["use_in_pass_through"] is False
    assert "tpm" not in clear
    assert row.model_name == "gpt-4o-prod"
    assert row.model_info == {
        "id": row.model_id,
        "db_model": False,
        "member_auto_router": False,
        "access_groups": ["beta", "prod"],
    }
    assert row.created_by == row.updated_by == cast.proxy_admin["user_id"]
    audit = AuditLog.objects.get(object_id=row.model_id)
    assert (audit.action, audit.table_name) == ("created", "LiteLLM_ProxyModelTable")
    assert SECRET not in str(audit.updated_values)
    assert SECRET not in caplog.text

    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert SECRET not in body and "azure/gpt4o-east" in body and "https://east.openai.azure.com" in body
    assert ">set<" in body and "every 30 seconds" in body
    listing = client.get(LIST, {"provider": "azure"}).content.decode()
    assert "gpt-4o-prod" in listing and "beta, prod" in listing and SECRET not in listing
    csv = b"".join(client.get(LIST, {"export": "csv"}).streaming_content).decode()
    assert "gpt-4o-prod" in csv and "api_key: set" in csv and SECRET not in csv


def test_gcm_writes_when_the_proxy_says_so_and_litellm_ciphertext_reads(cast, client_for, salt):
    salt.LITELLM_ENCRYPTION_ALGORITHM = "aes-256-gcm"
    client = client_for(cast.proxy_admin)
    client.post(NEW, form())
    row = only_row()
    assert all(v.startswith("v2:gcm:") for v in row.litellm_params.values() if isinstance(v, str))
    assert opened(row)["api_key"] == SECRET
    # A row LiteLLM encrypted itself (both forms) is shown decrypted.
    oracle.GENERAL_SETTINGS = {"encryption_algorithm": "aes-256-gcm"}
    gcm = {
        "model": oracle.encrypt_value_helper("bedrock/claude"),
        "aws_region_name": oracle.encrypt_value_helper("eu-west-1"),
    }
    oracle.GENERAL_SETTINGS = {}
    legacy = {
        "model": oracle.encrypt_value_helper("vertex_ai/gemini-pro"),
        "api_key": oracle.encrypt_value_helper(SECRET),
    }
    for model_id, params in (("m-gcm", gcm), ("m-nacl", legacy)):
        factories.make_proxy_model(model_id, model_id, {"id": model_id, "db_model": False})
        ProxyModelTable.objects.filter(model_id=model_id).update(litellm_params=params)
    page = client.get(reverse("deployments:model_detail", args=["m-gcm"])).content.decode()
    assert "bedrock/claude" in page and "eu-west-1" in page
    page = client.get(reverse("deployments:model_detail", args=["m-nacl"])).content.decode()
    assert "vertex_ai/gemini-pro" in page and SECRET not in page


def test_without_the_salt_key_names_only_and_writes_refused(cast, client_for, salt):
    factories.make_proxy_model("m-1", "gpt-4o", {"id": "m-1"})
    ProxyModelTable.objects.filter(model_id="m-1").update(
        litellm_params={"model": crypto.encrypt("openai/gpt-4o", SALT)}
    )
    salt.LITELLM_SALT_KEY = None
    client = client_for(cast.proxy_admin)
    body = client.get(LIST).content.decode()
    assert "gpt-4o" in body and "m-1" in body and "openai/gpt-4o" not in body
    assert "Set LITELLM_SALT_KEY" in body
    response = client.post(NEW, form())
    assert response.status_code == 200 and "without it the console cannot encrypt" in response.content.decode()
    assert ProxyModelTable.objects.count() == 1


def test_a_wrong_salt_key_is_a_message_not_a_500(cast, client_for, salt):
    factories.make_proxy_model("m-1", "gpt-4o", {"id": "m-1"})
    ProxyModelTable.objects.filter(model_id="m-1").update(
        litellm_params={"model": crypto.encrypt("openai/gpt-4o", "other")}
    )
    client = client_for(cast.proxy_admin)
    page = client.get(reverse("deployments:model_detail", args=["m-1"]))
    assert page.status_code == 200 and "does not open with the configured salt key" in page.content.decode()
    edit = client.post(reverse("deployments:model_edit", args=["m-1"]), form(model_name="renamed"))
    assert edit.status_code == 200 and "Nothing was changed" in edit.content.decode()
    assert only_row().model_name == "gpt-4o"


def test_edit_keeps_a_blank_secret_and_replaces_a_typed_one(cast, client_for):
    client = client_for(cast.proxy_admin)
    client.post(NEW, form())
    row = only_row()
    url = reverse("deployments:model_edit", args=[row.pk])
    page = client.get(url).content.decode()
    assert SECRET not in page and "Leave blank to keep it" in page
    client.post(url, form(api_key="", api_base="https://west.example", rpm=""))
    clear = opened(only_row())
    assert clear["api_key"] == SECRET and clear["api_base"] == "https://west.example" and "rpm" not in clear
    client.post(url, form(api_key="sk-new-provider-secret"))
    assert opened(only_row())["api_key"] == "sk-new-provider-secret"
    updates = AuditLog.objects.filter(object_id=row.pk, action="updated")
    assert updates.count() == 2
    assert all(SECRET not in str(a.before_value) + str(a.updated_values) for a in updates)
    assert only_row().updated_by == cast.proxy_admin["user_id"]


def test_team_admin_adds_a_team_model_and_nobody_else_may(cast, client_for):
    team_id = cast.team["team_id"]
    lead = client_for(cast.team_admin)
    refused = lead.post(NEW, form(team_id=""))
    assert refused.status_code == 200 and "Only proxy admins" in refused.content.decode()
    lead.post(NEW, form(team_id=team_id, model_name="research-gpt"))
    row = only_row()
    assert row.model_name.startswith(f"model_name_{team_id}_")
    assert row.model_info["team_id"] == team_id and row.model_info["team_public_model_name"] == "research-gpt"
    assert "research-gpt" in TeamTable.objects.get(team_id=team_id).models
    assert "research-gpt" in client_for(cast.member).get(LIST).content.decode()
    assert client_for(cast.outsider).get(reverse("deployments:model_detail", args=[row.pk])).status_code == 404
    assert client_for(cast.member).get(reverse("deployments:model_edit", args=[row.pk])).status_code == 403
    assert client_for(cast.member).get(NEW).status_code == 403
    assert client_for(cast.admin_viewer).get(NEW).status_code == 403


def test_delete_warns_with_what_names_it_then_deletes(cast, client_for):
    client = client_for(cast.proxy_admin)
    client.post(NEW, form(team_id=cast.team["team_id"], model_name="research-gpt"))
    row = only_row()
    factories.make_key(alias="uses-it", user_id=cast.member["user_id"], models=["research-gpt"])
    url = reverse("deployments:model_delete", args=[row.pk])
    confirm = client.get(url).content.decode()
    assert "key uses-it" in confirm and "team Research" in confirm
    assert client.post(url).status_code == 302
    assert not ProxyModelTable.objects.exists()
    assert "research-gpt" not in (TeamTable.objects.get(team_id=cast.team["team_id"]).models or [])
    assert AuditLog.objects.filter(object_id=row.pk, action="deleted").exists()


def test_pickers_offer_public_names_and_access_groups(cast, client_for):
    admin = client_for(cast.proxy_admin)
    admin.post(NEW, form(model_name="shared-gpt", access_groups="beta"))
    admin.post(NEW, form(model_name="research-gpt", team_id=cast.team["team_id"], access_groups=""))
    admin.post(NEW, form(model_name="globex-gpt", team_id=cast.other_team["team_id"], access_groups=""))
    choices = reverse("deployments:model_choices")
    assert client_for(cast.member).get(choices).json()["models"] == ["research-gpt", "shared-gpt", "beta"]
    assert "globex-gpt" in client_for(cast.proxy_admin).get(choices).json()["models"]
    # The key form's picker: the team's own model under its public name, never another team's.
    keys = client_for(cast.proxy_admin).get(reverse("keys:key_models"), {"team": cast.team["team_id"]}).json()
    found = keys["models"]
    assert keys["any"]  # the cast's team allows every model
    assert "research-gpt" in found and "shared-gpt" in found and "beta" in found
    assert "globex-gpt" not in found and not any(m.startswith("model_name_") for m in found)
    page = client_for(cast.proxy_admin).get(reverse("accounts:team_edit", args=[cast.team["team_id"]])).content.decode()
    assert 'data-models-url="/models/choices.json"' in page
