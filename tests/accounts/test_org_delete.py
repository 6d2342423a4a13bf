"""Deleting an organization as /organization/delete does (accounts/services/org_delete.py):
proxy admins only, refused while a team of it holds a PTU share, its teams, memberships and
keys deleted, its users unlinked, its budget row kept, the deletion audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import OrganizationMembership, OrganizationTable, TeamMembership, TeamTable, UserTable
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused
from config.models import ConsoleAuditLog
from keys.models import VerificationToken
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

ACTOR = writes.Actor(changed_by="admin-user", writer_id="admin-user")


def test_delete_takes_teams_members_and_keys_and_keeps_the_budget_row(cast):
    org_id, team_id = cast.org["organization_id"], cast.team["team_id"]
    loose = factories.make_user(organization_id=org_id)
    team_key = factories.make_key(team_id=team_id, user_id=cast.member["user_id"])
    org_key = factories.make_key(organization_id=org_id, user_id=cast.member["user_id"])
    other_key = factories.make_key(team_id=cast.other_team["team_id"])
    services.org_delete(actor=ACTOR, organization_id=org_id)
    assert not OrganizationTable.objects.filter(organization_id=org_id).exists()
    assert not TeamTable.objects.filter(team_id=team_id).exists()
    assert not TeamMembership.objects.filter(team_id=team_id).exists()
    assert not OrganizationMembership.objects.filter(organization_id=org_id).exists()
    assert not VerificationToken.objects.filter(token__in=[team_key["token"], org_key["token"]]).exists()
    assert VerificationToken.objects.filter(token=other_key["token"]).exists()
    assert team_id not in (UserTable.objects.get(user_id=cast.member["user_id"]).teams or [])
    assert UserTable.objects.get(user_id=loose["user_id"]).organization_id is None  # the FK's SET NULL
    assert BudgetTable.objects.filter(budget_id=cast.org["budget_id"]).exists()
    audit = ConsoleAuditLog.objects.get(object_id=org_id, action="deleted")
    assert audit.before_value["teams"] == [team_id] and audit.updated_values == {}


def test_a_team_holding_a_ptu_share_refuses_the_delete(cast):
    factories.make_proxy_model("ptu-1", "gpt-4o-ptu", info={"ptu_shares": {cast.team["team_id"]: 50}})
    with pytest.raises(ChangeRefused, match="PTU share"):
        services.org_delete(actor=ACTOR, organization_id=cast.org["organization_id"])
    assert OrganizationTable.objects.filter(organization_id=cast.org["organization_id"]).exists()
    assert TeamTable.objects.filter(team_id=cast.team["team_id"]).exists()
    # the same rule on /team/delete
    with pytest.raises(ChangeRefused, match="PTU share"):
        services.team_delete(actor=ACTOR, team_id=cast.team["team_id"])


def test_only_proxy_admins_may_delete(cast, client_for):
    url = reverse("accounts:org_delete", args=[cast.org["organization_id"]])
    for person in (cast.org_admin, cast.admin_viewer, cast.team_admin):
        client = client_for(person)
        assert client.get(url).status_code in (403, 404)
        assert client.post(url).status_code in (403, 404)
    assert client_for(cast.org_admin).get(url).status_code == 403  # sees the org, may not delete it
    assert OrganizationTable.objects.filter(organization_id=cast.org["organization_id"]).exists()
    admin = client_for(cast.proxy_admin)
    page = admin.get(url)
    assert page.status_code == 200
    assert "1 team deleted, with 0 keys" in page.content.decode()
    assert "3 members leave it" in page.content.decode()
    response = admin.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:org_list")
    assert not OrganizationTable.objects.filter(organization_id=cast.org["organization_id"]).exists()


def test_a_refused_delete_goes_back_to_the_organization_with_the_reason(cast, client_for):
    factories.make_proxy_model("ptu-2", "gpt-4o-ptu", info=json.dumps({"ptu_shares": {cast.team["team_id"]: 2}}))
    admin = client_for(cast.proxy_admin)
    org_url = reverse("accounts:org_detail", args=[cast.org["organization_id"]])
    response = admin.post(reverse("accounts:org_delete", args=[cast.org["organization_id"]]), follow=True)
    assert response.redirect_chain[-1][0] == org_url
    assert "holds a PTU share on deployment ptu-2" in response.content.decode()
    delete_url = reverse("accounts:org_delete", args=[cast.org["organization_id"]])
    assert f'href="{delete_url}"' in response.content.decode()
