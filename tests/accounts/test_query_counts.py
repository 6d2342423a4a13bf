"""The people pages run a fixed number of queries, however many rows they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def litellm_queries(client, path) -> int:
    with CaptureQueriesContext(connections["litellm"]) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["team_detail", "user_list", "team_list", "org_detail", "invitation_list"])
def test_page_queries_do_not_grow_with_rows(cast, client_for, page):
    client = client_for(cast.proxy_admin)
    paths = {
        "team_detail": reverse("accounts:team_detail", args=[cast.team["team_id"]]),
        "user_list": reverse("accounts:user_list"),
        "team_list": reverse("accounts:team_list"),
        "org_detail": reverse("accounts:org_detail", args=[cast.org["organization_id"]]),
        "invitation_list": reverse("accounts:invitation_list"),
    }

    def add_one():
        user = factories.make_user()
        factories.make_org_membership(cast.org["organization_id"], user["user_id"])
        factories.make_team(organization_id=cast.org["organization_id"], members=[(user, "user")])
        factories.make_key(user_id=user["user_id"], team_id=cast.team["team_id"])
        factories.make_invitation(user_id=user["user_id"], created_by=cast.proxy_admin["user_id"])

    add_one()  # every kind of row present once, then six more of each
    before = litellm_queries(client, paths[page])
    for _ in range(6):
        add_one()
    assert litellm_queries(client, paths[page]) == before
