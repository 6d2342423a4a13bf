"""The team form's default member budget, metadata and member permissions, as a browser sends
them, and who may change them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import TeamTable
from budgets.models import BudgetTable
from tests.forms import open_form, save

pytestmark = pytest.mark.django_db(databases="__all__")


def edit_url(team_id):
    return reverse("accounts:team_edit", args=[team_id])


def test_admin_sets_member_default_metadata_and_permissions(cast, client_for):
    admin = client_for(cast.proxy_admin)
    target = edit_url(cast.team["team_id"])
    fields = open_form(admin, target)
    # the column exists on both schemas (migration 20250412081753, before the seed's last)
    assert TeamTable.has_column("team_member_permissions")
    assert 'name="team_member_permissions"' in admin.get(target).content.decode()
    changes = {
        "team_member_budget": "15",
        "team_member_budget_duration": "1mo",
        "metadata": '{"cost_center": "r&d", "tier": 2}',
        "team_member_permissions": ["/key/generate", "/key/list"],
    }
    assert save(admin, target, fields, **changes).status_code == 302
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    budget = BudgetTable.objects.get(budget_id=team.metadata["team_member_budget_id"])
    assert (budget.max_budget, budget.budget_duration) == (15.0, "1mo")
    assert team.metadata["cost_center"] == "r&d" and team.metadata["tier"] == 2
    assert team.team_member_permissions == ["/key/generate", "/key/list"]
    page = admin.get(reverse("accounts:team_detail", args=[cast.team["team_id"]])).content.decode()
    assert "$15.00" in page and "per member" in page
    assert "Create keys" in page and "List the team&#x27;s keys" in page
    assert "cost_center" in page and "team_member_budget_id" not in page
    # the edit form shows the metadata without the reserved key, and saving it again keeps it
    fields = open_form(admin, target)
    assert "team_member_budget_id" not in fields["metadata"][0]
    assert save(admin, target, fields, team_alias="Research 2").status_code == 302
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).metadata == team.metadata


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"a": NaN}', "NaN"),
        ('{"a": "\\u0000"}', "NUL"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "Not valid JSON"),
        ('{"team_member_budget_id": "free-tier"}', "kept by LiteLLM"),
    ],
)
def test_hostile_metadata_is_refused_next_to_the_field(cast, client_for, text, message):
    admin = client_for(cast.proxy_admin)
    target = edit_url(cast.team["team_id"])
    response = save(admin, target, open_form(admin, target), metadata=text)
    assert response.status_code == 200 and message in response.content.decode()
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).metadata == {}


def test_an_unknown_permission_is_refused(cast, client_for):
    admin = client_for(cast.proxy_admin)
    target = edit_url(cast.team["team_id"])
    response = save(admin, target, open_form(admin, target), team_member_permissions=["/team/daily/activity/export"])
    assert response.status_code == 200
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).team_member_permissions == []


def test_the_create_form_sets_the_default_member_budget(cast, client_for):
    org_admin = client_for(cast.org_admin)
    response = org_admin.post(
        reverse("accounts:team_create"),
        {
            "team_alias": "New Team",
            "organization_id": cast.org["organization_id"],
            "team_member_budget": "4",
            "team_member_rpm_limit": "30",
        },
    )
    assert response.status_code == 302
    team = TeamTable.objects.get(team_alias="New Team")
    budget = BudgetTable.objects.get(budget_id=team.metadata["team_member_budget_id"])
    assert (budget.max_budget, budget.rpm_limit, budget.budget_duration) == (4.0, 30, None)
    assert budget.budget_id.startswith("team-New-Team-budget-")


def test_people_without_authority_cannot_change_them(cast, client_for):
    admin = client_for(cast.proxy_admin)
    target = edit_url(cast.team["team_id"])
    fields = open_form(admin, target)
    for person in (cast.team_admin, cast.member, cast.admin_viewer, cast.outsider):
        response = save(client_for(person), target, fields, team_member_budget="1000", metadata='{"x": 1}')
        assert response.status_code in (403, 404)
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    assert team.metadata == {}


def test_without_the_column_the_permissions_are_neither_offered_nor_shown(cast, client_for, monkeypatch):
    """A database older than migration 20250412081753 has no team_member_permissions column."""
    from accounts.services import team_settings

    monkeypatch.setattr(team_settings, "has_member_permissions", lambda: False)
    admin = client_for(cast.proxy_admin)
    assert 'name="team_member_permissions"' not in admin.get(edit_url(cast.team["team_id"])).content.decode()
    page = admin.get(reverse("accounts:team_detail", args=[cast.team["team_id"]])).content.decode()
    assert "Members may also" not in page
    fields = open_form(admin, edit_url(cast.team["team_id"]))
    assert save(admin, edit_url(cast.team["team_id"]), fields, team_member_budget="3").status_code == 302
