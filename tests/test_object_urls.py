"""An object's page URL has one definition (get_absolute_url on the model) and every list links
it; an invitation's page URL (its id is a secret) is only built for someone who may see the id."""

import pytest
from django.urls import reverse

from accounts.models import InvitationLink, OrganizationTable, TeamTable, UserTable
from budgets.models import BudgetTable
from config.policy import principal_for_litellm_user
from keys.models import VerificationToken
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def test_lists_link_each_object_to_its_own_page(cast, client_for):
    key = VerificationToken.objects.get(
        token=factories.make_key(alias="linked-key", user_id=cast.member["user_id"])["token"]
    )
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    user = UserTable.objects.get(user_id=cast.member["user_id"])
    org = OrganizationTable.objects.get(organization_id=cast.org["organization_id"])
    client = client_for(cast.proxy_admin)
    for obj, list_url in (
        (key, reverse("keys:key_list")),
        (team, reverse("accounts:team_list")),
        (user, reverse("accounts:user_list")),
        (org, reverse("accounts:org_list")),
    ):
        url = obj.get_absolute_url()
        assert f'href="{url}"' in client.get(list_url).content.decode(), type(obj).__name__
        assert client.get(url).status_code == 200, url
    budget = BudgetTable.objects.get(budget_id=factories.make_budget(max_budget=5.0)["budget_id"])
    assert client.get(budget.get_absolute_url()).status_code == 200


def test_invitation_page_url_only_for_those_who_may_see_its_id(cast, client_for):
    row = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    invitation = InvitationLink.objects.get(id=row["id"])
    assert not hasattr(invitation, "get_absolute_url")
    admin, org_admin = (
        principal_for_litellm_user(cast.proxy_admin["user_id"]),
        principal_for_litellm_user(cast.org_admin["user_id"]),
    )
    assert invitation.page_url_for(admin) == reverse("accounts:invitation_detail", args=[row["id"]])
    assert invitation.page_url_for(org_admin) is None and invitation.page_url_for(None) is None
    body = client_for(cast.org_admin).get(reverse("accounts:invitation_list")).content.decode()
    assert row["id"] not in body
    assert row["id"] in client_for(cast.proxy_admin).get(reverse("accounts:invitation_list")).content.decode()
