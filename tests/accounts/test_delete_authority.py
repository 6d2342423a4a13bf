"""Deleting a person asks can_delete_user, not can_manage_user: some people may edit a user
they may not delete (yourself; a user who belongs to your org only through the column, with
no membership, as LiteLLM's /user/delete counts memberships alone)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import UserTable
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def _refused_and_kept(client, user_id):
    url = reverse("accounts:user_delete", args=[user_id])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert UserTable.objects.filter(user_id=user_id).exists()


def test_a_proxy_admin_may_edit_but_not_delete_themselves(cast, client_for):
    admin = client_for(cast.proxy_admin)
    assert admin.get(reverse("accounts:user_edit", args=[cast.proxy_admin["user_id"]])).status_code == 200
    _refused_and_kept(admin, cast.proxy_admin["user_id"])


def test_an_org_admin_may_edit_but_not_delete_a_user_without_membership(cast, client_for):
    # In the org through UserTable.organization_id only: can_manage_user counts that column,
    # /user/delete's rule (memberships) does not.
    loose = factories.make_user(email="loose@example.com", organization_id=cast.org["organization_id"])
    org_admin = client_for(cast.org_admin)
    assert org_admin.get(reverse("accounts:user_edit", args=[loose["user_id"]])).status_code == 200
    _refused_and_kept(org_admin, loose["user_id"])
