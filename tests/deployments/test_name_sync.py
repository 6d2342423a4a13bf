"""A deployment's name going away or changing is carried into the allowlists and access groups
that name it, as LiteLLM's /model/delete and /model/update do (deployments/name_sync.py)."""

from __future__ import annotations

import pytest
from django.db import connections

from accounts.models import OrganizationTable, TeamTable, UserTable
from config import writes
from config.litellm import catalog, table_name
from config.models import ProxyModelTable
from deployments import services
from keys.models import VerificationToken
from tests import factories

from .test_deployment_pages import NEW, form, salt  # noqa: F401 - the salt key fixture

pytestmark = pytest.mark.django_db(databases="__all__")


def _has_groups() -> bool:  # the access group table is newer than the seed's schema
    return catalog().has_table("AccessGroupTable") and catalog().has_column("AccessGroupTable", "access_model_names")


def _group(names: list[str]) -> None:
    if _has_groups():
        with connections["litellm"].cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{table_name("AccessGroupTable")}"'
                " (access_group_id, access_group_name, access_model_names, updated_at)"
                " VALUES ('ag-1', 'beta', %s, now())",
                [names],
            )


def _group_names() -> list[str] | None:
    if not _has_groups():
        return None
    with connections["litellm"].cursor() as cursor:
        cursor.execute(f'SELECT access_model_names FROM "{table_name("AccessGroupTable")}"')
        return cursor.fetchone()[0]


def _deploy(client, name: str) -> str:
    client.post(NEW, form(model_name=name, access_groups=""))
    return ProxyModelTable.objects.filter(model_name=name).order_by("-created_at").first().model_id


def test_a_rename_moves_every_allowlist_and_group_to_the_new_name(cast, client_for):
    admin = writes.Actor(cast.proxy_admin["user_id"])
    model_id = _deploy(client_for(cast.proxy_admin), "gpt-old")
    key = factories.make_key(alias="k", user_id=cast.member["user_id"], models=["a", "gpt-old", "b"])
    writes.update_row(TeamTable, cast.team["team_id"], {"models": ["gpt-old"]})
    writes.update_row(UserTable, cast.member["user_id"], {"models": ["gpt-old", "gpt-new"]})
    writes.update_row(OrganizationTable, cast.org["organization_id"], {"models": ["other"]})
    _group(["gpt-old"])

    services.update_deployment(actor=admin, model_id=model_id, model_name="gpt-new")

    assert VerificationToken.objects.get(token=key["token"]).models == ["a", "gpt-new", "b"]  # in its place
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).models == ["gpt-new"]
    assert UserTable.objects.get(user_id=cast.member["user_id"]).models == ["gpt-new"]  # no duplicate
    assert OrganizationTable.objects.get(organization_id=cast.org["organization_id"]).models == ["other"]
    assert _group_names() in (None, ["gpt-new"])


def test_a_rename_keeps_the_old_name_while_another_deployment_serves_it(cast, client_for):
    client = client_for(cast.proxy_admin)
    model_id = _deploy(client, "gpt-shared")
    _deploy(client, "gpt-shared")  # a second deployment of the same public name
    key = factories.make_key(alias="k", user_id=cast.member["user_id"], models=["gpt-shared"])
    _group(["gpt-shared"])

    services.update_deployment(actor=writes.Actor(cast.proxy_admin["user_id"]), model_id=model_id, model_name="gpt-x")

    assert VerificationToken.objects.get(token=key["token"]).models == ["gpt-shared", "gpt-x"]
    assert _group_names() in (None, ["gpt-shared", "gpt-x"])


def test_deleting_the_last_deployment_of_a_name_takes_it_out_of_access_groups(cast, client_for):
    client = client_for(cast.proxy_admin)
    first, second = _deploy(client, "gpt-gone"), _deploy(client, "gpt-gone")
    key = factories.make_key(alias="k", user_id=cast.member["user_id"], models=["gpt-gone"])
    _group(["gpt-gone", "other"])
    admin = writes.Actor(cast.proxy_admin["user_id"])

    services.delete_deployment(actor=admin, model_id=first)
    assert _group_names() in (None, ["gpt-gone", "other"])  # still served by the second
    services.delete_deployment(actor=admin, model_id=second)
    assert _group_names() in (None, ["other"])
    # allowlists keep the name on delete, as LiteLLM's /model/delete leaves them
    assert VerificationToken.objects.get(token=key["token"]).models == ["gpt-gone"]
