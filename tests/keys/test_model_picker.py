"""The key form's models picker: small pages whatever a team holds, suggestions limited to
what the person may grant, and the server (not the picker) refusing anything else."""

import pytest
from django.urls import reverse

from accounts.models import TeamTable, UserTable
from keys.models import VerificationToken
from tests import factories
from tests.forms import shown

pytestmark = pytest.mark.django_db(databases="__all__")

MODELS_URL = reverse("keys:key_models")


@pytest.fixture
def big_team(cast):
    """The cast's team holds 10,000 model names; the outsider's team holds its own."""
    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(models=[f"model-{i:05d}" for i in range(10_000)])
    TeamTable.objects.filter(team_id=cast.other_team["team_id"]).update(models=["globex-secret-model"])
    return cast.team["team_id"]


def test_key_forms_stay_small_and_name_no_other_team(cast, client_for, big_team):
    key = factories.make_key(alias="mine", user_id=cast.member["user_id"], team_id=big_team, models=["model-00007"])
    client = client_for(cast.member)
    for url in (reverse("keys:key_create"), reverse("keys:key_edit", args=[key["token"]])):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert len(response.content) < 100_000, (url, len(response.content))
        assert "globex-secret-model" not in body and ">Other<" not in body
        assert "model-09999" not in body
    assert 'value="model-00007"' in body  # the edit form keeps the key's current models


def test_models_endpoint_answers_only_grantable_models(cast, client_for, big_team):
    client = client_for(cast.member)
    data = client.get(MODELS_URL, {"team": big_team, "q": "model-01"}).json()
    assert len(data["models"]) == 50 and data["more"] is True
    assert all(m.startswith("model-01") for m in data["models"])
    data = client.get(MODELS_URL, {"team": big_team, "q": "globex"}).json()
    assert data["models"] == []
    # A team the member is not in does not exist for them.
    assert client.get(MODELS_URL, {"team": cast.other_team["team_id"]}).status_code == 404
    # Read-only people make no keys.
    assert client_for(cast.internal_viewer).get(MODELS_URL, {"team": big_team}).status_code == 403
    # A personal key: the member's own models.
    UserTable.objects.filter(user_id=cast.member["user_id"]).update(models=["my-own-model"])
    data = client.get(MODELS_URL, {"q": ""}).json()
    assert data["models"] == ["no-default-models", "my-own-model"] and data["any"] is False


def test_a_team_with_every_proxy_model_offers_the_proxy_models_but_no_private_ones(cast, client_for):
    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(models=["all-proxy-models"])
    factories.make_proxy_model("m1", "gpt-4o")
    factories.make_proxy_model("m2", "claude-3-5-sonnet")
    factories.make_proxy_model(
        "m3", f"model_name_{cast.other_team['team_id']}_x", {"team_id": cast.other_team["team_id"]}
    )
    data = client_for(cast.member).get(MODELS_URL, {"team": cast.team["team_id"]}).json()
    assert data["any"] is True
    assert "gpt-4o" in data["models"] and "claude-3-5-sonnet" in data["models"]
    assert not any(m.startswith("model_name_") for m in data["models"])


def test_posting_a_model_the_person_may_not_grant_is_refused(cast, client_for, big_team):
    client = client_for(cast.member)
    before = VerificationToken.objects.count()
    response = client.post(
        reverse("keys:key_create"),
        {"key_alias": "sneaky-models", "team_id": big_team, "models": "model-00001, globex-secret-model"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["models"]
    assert "globex-secret-model" in errors[0] and "model-00001" not in errors[0]
    assert "You may not give this key" in response.content.decode()
    assert VerificationToken.objects.count() == before

    response = client.post(
        reverse("keys:key_create"), {"key_alias": "fine-models", "team_id": big_team, "models": "model-00001"}
    )
    assert response.status_code == 200 and "form" not in (response.context or {})
    assert VerificationToken.objects.get(key_alias="fine-models").models == ["model-00001"]


def test_editing_cannot_add_a_model_but_keeps_the_ones_the_key_has(cast, client_for, big_team):
    # An admin once gave the key a model the team no longer lists: saving keeps it.
    key = factories.make_key(alias="edit-me", user_id=cast.member["user_id"], team_id=big_team, models=["legacy"])
    url = reverse("keys:key_edit", args=[key["token"]])
    client = client_for(cast.member)
    opened = shown(client, url)
    response = client.post(
        url, {"key_alias": "edit-me", "team_id": big_team, "models": "legacy, globex-secret-model", **opened}
    )
    assert response.status_code == 200 and "globex-secret-model" in response.context["form"].errors["models"][0]
    assert VerificationToken.objects.get(token=key["token"]).models == ["legacy"]
    data = {"key_alias": "edit-me", "team_id": big_team, "models": "legacy, model-00002", **opened}
    response = client.post(url, data)
    assert response.status_code == 302
    assert VerificationToken.objects.get(token=key["token"]).models == ["legacy", "model-00002"]
