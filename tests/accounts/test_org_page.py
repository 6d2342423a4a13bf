"""An organization's page shows a bounded number of members and teams (the first
ORG_PAGE_ROWS, sorted in SQL), their true counts, and links to the rest: rendering a role form
for each of thousands of members took seconds (issue 17)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def test_org_page_shows_the_first_members_and_teams_and_links_to_the_rest(cast, client_for, monkeypatch):
    from accounts import selectors

    monkeypatch.setattr(selectors, "ORG_PAGE_ROWS", 3)
    org_id = cast.org["organization_id"]
    before = selectors.OrganizationMembership.objects.filter(organization_id=org_id).count()
    for i in range(4):
        user = factories.make_user(email=f"zz-member-{i}@example.com")
        factories.make_org_membership(org_id, user["user_id"])
        factories.make_team(alias=f"zz-team-{i}", organization_id=org_id, members=[(user, "user")])
    body = client_for(cast.proxy_admin).get(reverse("accounts:org_detail", args=[org_id])).content.decode()
    members = body[body.index('id="org-members"') :]
    assert f'Members <span class="muted small">({before + 4})</span>' in body
    assert members.count("Change role") == 3
    assert "zz-member-3@example.com" not in body  # sorted by email: the last one is past the first 3
    assert f"all {before + 4} members</a>" in body and f"?organization={org_id}" in body
    assert "zz-team-3" not in body and f"?organization_id={org_id}" in body
    assert cast.org_admin["user_email"] in members  # admins first
    team_row = body[body.index("zz-team-0") :]
    assert '<td class="num">1</td>' in team_row[: team_row.index("</tr>")]  # its roster, counted in SQL
