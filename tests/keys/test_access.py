"""Allowed routes, key type, tags, service-account keys and auto-rotation: stored as LiteLLM's
/key/generate, /key/service-account/generate and /key/update store them, refused where LiteLLM
refuses (or where a value could never match), and hidden where the schema has no column."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import TeamTable
from config.errors import ChangeRefused
from config.models import AuditLog
from config.writes import Actor, now_utc, update_row
from keys import services
from keys.models import VerificationToken
from tests import factories
from tests.forms import open_form, save, shown

pytestmark = [pytest.mark.django_db(databases="__all__")]

ACTOR = Actor(changed_by="admin-user", writer_id="admin-user")


def rotation_schema() -> bool:
    return VerificationToken.has_column("auto_rotate")


def key_type_schema() -> bool:
    return VerificationToken.has_column("key_type")


def stored(token) -> VerificationToken:
    return VerificationToken.objects.get(token=token)


def raw_from(response) -> str:
    return re.search(r'id="raw-key">(sk-[A-Za-z0-9_\-]+)<', response.content.decode()).group(1)


def token_of(response) -> str:
    import hashlib

    return hashlib.sha256(raw_from(response).encode()).hexdigest()


# --- services --------------------------------------------------------------------------------


def test_tags_and_routes_are_stored_as_generate_key_stores_them(db):
    factories.make_user(user_id="admin-user", role="proxy_admin")
    issued = services.key_create(
        actor=ACTOR,
        data={
            "key_alias": "tagged",
            "metadata": {"purpose": "ci"},
            "tags": ["prod", "billing"],
            "allowed_routes": ["/chat/completions", "/v1/files/*", "info_routes"],
        },
    )
    key = stored(issued.token)
    assert key.metadata == {"purpose": "ci", "tags": ["prod", "billing"]}
    assert key.allowed_routes == ["/chat/completions", "/v1/files/*", "info_routes"]
    [row] = AuditLog.objects.filter(object_id=issued.token)
    assert row.updated_values["metadata"]["tags"] == ["prod", "billing"]
    assert row.updated_values["allowed_routes"] == ["/chat/completions", "/v1/files/*", "info_routes"]


@pytest.mark.parametrize(
    "key_type, routes",
    [("llm_api", ["llm_api_routes"]), ("management", ["management_routes"]), ("read_only", ["info_routes"])],
)
def test_the_key_type_writes_its_routes(db, key_type, routes):
    issued = services.key_create(actor=ACTOR, data={"key_type": key_type})
    key = stored(issued.token)
    assert key.allowed_routes == routes  # handle_key_type, on either schema
    assert key.key_type == (key_type if key_type_schema() else None)


def test_routes_that_could_never_match_are_refused(db):
    for bad in (["chat/completions"], ["/chat completions"], ["llm_routes"]):
        with pytest.raises(ChangeRefused) as refused:
            services.key_create(actor=ACTOR, data={"allowed_routes": bad})
        assert refused.value.field == "allowed_routes"
    assert not VerificationToken.objects.exists()


def test_a_service_account_key_belongs_to_the_team_and_has_no_owner(db):
    team = factories.make_team(alias="Platform")
    user = factories.make_user()
    issued = services.key_create(
        actor=ACTOR,
        data={
            "key_alias": "deploy-bot",
            "team_id": team["team_id"],
            "user_id": user["user_id"],
            "service_account": True,
        },
    )
    key = stored(issued.token)
    assert key.user_id is None and key.team_id == team["team_id"]
    assert key.metadata == {"service_account_id": "deploy-bot"}  # the alias, else a uuid4
    unnamed = stored(services.key_create(actor=ACTOR, data={"team_id": team["team_id"], "service_account": True}).token)
    assert re.fullmatch(r"[0-9a-f-]{36}", unnamed.metadata["service_account_id"])
    with pytest.raises(ChangeRefused):
        services.key_create(actor=ACTOR, data={"key_alias": "orphan", "service_account": True})
    assert not VerificationToken.objects.filter(key_alias="orphan").exists()


def test_service_account_id_cannot_be_changed_and_is_kept(db):
    team = factories.make_team()
    issued = services.key_create(
        actor=ACTOR, data={"key_alias": "sa", "team_id": team["team_id"], "service_account": True}
    )
    services.key_update(actor=ACTOR, token=issued.token, changes={"metadata": {"owner": "ops"}})
    assert stored(issued.token).metadata == {"owner": "ops", "service_account_id": "sa"}
    with pytest.raises(ChangeRefused) as refused:
        services.key_update(actor=ACTOR, token=issued.token, changes={"team_id": None})
    assert refused.value.field == "team_id" and stored(issued.token).team_id == team["team_id"]
    with pytest.raises(ChangeRefused):  # a service_account_id without a team, made by hand
        services.key_create(actor=ACTOR, data={"key_alias": "loose", "metadata": {"service_account_id": "x"}})
    with pytest.raises(ChangeRefused, match="immutable"):
        services.key_update(actor=ACTOR, token=issued.token, changes={"metadata": {"service_account_id": "other"}})
    assert stored(issued.token).metadata["service_account_id"] == "sa"


def test_auto_rotation_fields_are_set_only_when_asked(db):
    if not rotation_schema():
        with pytest.raises(ChangeRefused, match="no auto-rotation"):
            services.key_create(actor=ACTOR, data={"auto_rotate": True, "rotation_interval": "30d"})
        assert not VerificationToken.objects.exists()
        return
    plain = stored(services.key_create(actor=ACTOR, data={}).token)
    assert plain.auto_rotate is False and plain.rotation_interval is None and plain.key_rotation_at is None
    before = now_utc()
    issued = services.key_create(
        actor=ACTOR, data={"key_alias": "rot", "auto_rotate": True, "rotation_interval": "30d"}
    )
    key = stored(issued.token)
    assert key.auto_rotate is True and key.rotation_interval == "30d"
    assert before + timedelta(days=30) - timedelta(seconds=1) <= key.key_rotation_at <= now_utc() + timedelta(days=30)
    with pytest.raises(ChangeRefused) as refused:
        services.key_create(actor=ACTOR, data={"auto_rotate": True})
    assert refused.value.field == "rotation_interval"


def test_update_restarts_the_rotation_clock_and_turning_it_off_writes_only_that(db):
    if not rotation_schema():
        issued = services.key_create(actor=ACTOR, data={})
        with pytest.raises(ChangeRefused):
            services.key_update(
                actor=ACTOR, token=issued.token, changes={"auto_rotate": True, "rotation_interval": "1d"}
            )
        return
    issued = services.key_create(actor=ACTOR, data={"auto_rotate": True, "rotation_interval": "30d"})
    update_row(VerificationToken, issued.token, {"key_rotation_at": now_utc() - timedelta(days=1)})
    services.key_update(actor=ACTOR, token=issued.token, changes={"auto_rotate": True, "rotation_interval": "7d"})
    key = stored(issued.token)
    assert key.rotation_interval == "7d" and key.key_rotation_at > now_utc() + timedelta(days=6)
    services.key_update(actor=ACTOR, token=issued.token, changes={"auto_rotate": False})
    off = stored(issued.token)
    assert off.auto_rotate is False and off.rotation_interval == "7d" and off.key_rotation_at == key.key_rotation_at
    row = AuditLog.objects.filter(object_id=issued.token, action="updated").order_by("updated_at").last()
    assert row.updated_values["auto_rotate"] is False and "rotation_interval" not in row.updated_values


# --- views -----------------------------------------------------------------------------------


@pytest.fixture
def team_row(cast):
    return TeamTable.objects.get(team_id=cast.team["team_id"])


def test_admin_creates_a_tagged_routed_key_from_the_form(cast, client_for):
    client = client_for(cast.proxy_admin)
    response = client.post(
        reverse("keys:key_create"),
        {"key_alias": "routed", "tags": "prod, billing, prod", "allowed_routes": "/chat/completions, /v1/*"},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    key = stored(token_of(response))
    assert key.metadata == {"tags": ["prod", "billing"]}
    assert key.allowed_routes == ["/chat/completions", "/v1/*"]
    body = client.get(reverse("keys:key_detail", args=[key.token])).content.decode()
    assert "/chat/completions" in body and "billing" in body


def test_bad_routes_and_tags_in_metadata_are_refused_next_to_the_field(cast, client_for):
    client = client_for(cast.proxy_admin)
    response = client.post(
        reverse("keys:key_create"),
        {"key_alias": "bad", "allowed_routes": "chat", "metadata-name": ["tags"], "metadata-value": ['["x"]']},
    )
    errors = response.context["form"].errors
    assert "allowed_routes" in errors and "metadata" in errors
    assert not VerificationToken.objects.filter(key_alias="bad").exists()


def test_a_member_gets_key_types_but_no_free_routes(cast, client_for):
    client = client_for(cast.member)
    form = client.get(reverse("keys:key_create")).context["form"]
    assert "allowed_routes" not in form.fields
    if key_type_schema():
        assert [c for c, _ in form.fields["key_type"].choices] == ["default", "llm_api", "read_only"]
        response = client.post(reverse("keys:key_create"), {"key_alias": "ro", "key_type": "read_only"})
        assert stored(token_of(response)).allowed_routes == ["info_routes"]
        response = client.post(reverse("keys:key_create"), {"key_alias": "mgmt", "key_type": "management"})
        assert "key_type" in response.context["form"].errors
    else:
        assert "key_type" not in form.fields
    # A hand-made POST with routes is ignored (the field is not theirs): the key gets none.
    response = client.post(reverse("keys:key_create"), {"key_alias": "sneaky", "allowed_routes": "/key/generate"})
    assert stored(token_of(response)).allowed_routes == []
    assert not VerificationToken.objects.filter(key_alias="mgmt").exists()


def test_team_admin_makes_a_service_account_key_a_member_may_not(cast, client_for, team_row):
    response = client_for(cast.team_admin).post(
        reverse("keys:key_create"), {"key_alias": "ci", "team_id": cast.team["team_id"], "service_account": "on"}
    )
    key = stored(token_of(response))
    assert key.user_id is None and key.metadata == {"service_account_id": "ci"}
    body = client_for(cast.team_admin).get(reverse("keys:key_detail", args=[key.token])).content.decode()
    assert "Service account" in body
    member = client_for(cast.member)
    assert "service_account" not in member.get(reverse("keys:key_create")).context["form"].fields
    # LiteLLM lets a plain member do it once the team lists /key/service-account/generate.
    update_row(TeamTable, team_row.team_id, {"team_member_permissions": ["/key/service-account/generate"]})
    response = member.post(
        reverse("keys:key_create"), {"key_alias": "m-sa", "team_id": cast.team["team_id"], "service_account": "on"}
    )
    assert stored(token_of(response)).user_id is None


def test_service_account_needs_a_team_and_no_owner(cast, client_for):
    client = client_for(cast.proxy_admin)
    response = client.post(reverse("keys:key_create"), {"key_alias": "sa", "service_account": "on"})
    assert "team_id" in response.context["form"].errors
    response = client.post(
        reverse("keys:key_create"),
        {"key_alias": "sa", "service_account": "on", "team_id": cast.team["team_id"], "owner": "member@example.com"},
    )
    assert "owner" in response.context["form"].errors
    assert not VerificationToken.objects.filter(key_alias="sa").exists()


def test_outsider_may_not_make_a_service_account_key_for_another_team(cast, client_for, team_row):
    """The outsider admins their own team (so sees the box) but not cast.team."""
    response = client_for(cast.outsider).post(
        reverse("keys:key_create"), {"key_alias": "x", "team_id": cast.team["team_id"], "service_account": "on"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not VerificationToken.objects.filter(key_alias="x").exists()


def test_edit_keeps_tags_routes_and_rotation_and_changes_what_was_changed(cast, client_for):
    client = client_for(cast.proxy_admin)
    key = factories.make_key(
        alias="k",
        user_id=cast.member["user_id"],
        metadata={"tags": ["a"], "env": "prod"},
        allowed_routes=["info_routes"],
    )
    url = reverse("keys:key_edit", args=[key["token"]])
    fields = open_form(client, url)
    assert fields["tags"] == ["a"] and fields["allowed_routes"] == ["info_routes"]
    assert save(client, url, fields).status_code == 302  # nothing changed: nothing written
    assert not AuditLog.objects.filter(object_id=key["token"], action="updated").exists()
    changes = {"tags": "a, b", "allowed_routes": "/chat/completions"}
    if rotation_schema():
        changes.update(auto_rotate="on", rotation_interval="90d")
    assert save(client, url, open_form(client, url), **changes).status_code == 302
    row = stored(key["token"])
    assert row.metadata == {"tags": ["a", "b"], "env": "prod"} and row.allowed_routes == ["/chat/completions"]
    audit = AuditLog.objects.get(object_id=key["token"], action="updated")
    assert audit.updated_values["tags"] == ["a", "b"]
    if rotation_schema():
        assert row.auto_rotate is True and row.rotation_interval == "90d" and row.key_rotation_at is not None
        assert "key_rotation_at" not in audit.updated_values  # not an UpdateKeyRequest field


def test_a_member_may_not_widen_a_read_only_key(cast, client_for):
    key = factories.make_key(alias="ro", user_id=cast.member["user_id"], allowed_routes=["info_routes"])
    client = client_for(cast.member)
    url = reverse("keys:key_edit", args=[key["token"]])
    assert "allowed_routes" not in client.get(url).context["form"].fields
    client.post(url, {"key_alias": "ro", "allowed_routes": "", **shown(client, url)})
    assert stored(key["token"]).allowed_routes == ["info_routes"]


def test_rotation_fields_only_on_the_newest_schema(cast, client_for):
    client = client_for(cast.proxy_admin)
    form = client.get(reverse("keys:key_create")).context["form"]
    assert ("auto_rotate" in form.fields) == rotation_schema()
    assert ("key_type" in form.fields) == key_type_schema()
    key = factories.make_key(alias="plain", user_id=cast.member["user_id"])
    body = client.get(reverse("keys:key_detail", args=[key["token"]])).content.decode()
    assert ("<dt>Rotation</dt>" in body) == rotation_schema()
    assert ("<dt>Key type</dt>" in body) == key_type_schema()
    if rotation_schema():
        response = client.post(reverse("keys:key_create"), {"key_alias": "r", "auto_rotate": "on"})
        assert "rotation_interval" in response.context["form"].errors
        response = client.post(reverse("keys:key_create"), {"key_alias": "r", "rotation_interval": "30d"})
        assert "rotation_interval" in response.context["form"].errors
        assert not VerificationToken.objects.filter(key_alias="r").exists()
