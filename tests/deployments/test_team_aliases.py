"""Team model aliases: a LiteLLM_ModelTable row linked by TeamTable.model_id, as /team/update
writes model_aliases, edited from the team's page by whoever manages the team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import TeamTable
from config.models import AuditLog, ModelTable

pytestmark = pytest.mark.django_db(databases="__all__")


def test_team_admin_sets_and_changes_aliases(cast, client_for):
    team_id = cast.team["team_id"]
    url = reverse("deployments:team_aliases", args=[team_id])
    lead = client_for(cast.team_admin)
    assert "No model aliases" in lead.get(reverse("accounts:team_detail", args=[team_id])).content.decode()
    assert lead.post(url, {"aliases": "gpt-4: gpt-4o-prod\nfast: gpt-4o-mini"}).status_code == 302
    team = TeamTable.objects.get(team_id=team_id)
    row = ModelTable.objects.get(id=team.model_id)
    assert row.aliases == {"gpt-4": "gpt-4o-prod", "fast": "gpt-4o-mini"}
    assert row.created_by == row.updated_by == cast.team_admin["user_id"]
    lead.post(url, {"aliases": "gpt-4: gpt-4o-eu"})
    assert TeamTable.objects.get(team_id=team_id).model_id == row.id  # the same row, updated in place
    assert ModelTable.objects.get(id=row.id).aliases == {"gpt-4": "gpt-4o-eu"}
    page = lead.get(reverse("accounts:team_detail", args=[team_id])).content.decode()
    assert "gpt-4o-eu" in page and "gpt-4o-mini" not in page
    audits = AuditLog.objects.filter(object_id=team_id, action="updated", table_name="LiteLLM_TeamTable")
    assert [a.updated_values["model_aliases"] for a in audits.order_by("updated_at")][-1] == {"gpt-4": "gpt-4o-eu"}


def test_bad_lines_and_refusals(cast, client_for):
    team_id = cast.team["team_id"]
    url = reverse("deployments:team_aliases", args=[team_id])
    response = client_for(cast.team_admin).post(url, {"aliases": "no separator here"})
    assert response.status_code == 200 and "is not &quot;alias: model&quot;" in response.content.decode()
    assert TeamTable.objects.get(team_id=team_id).model_id is None
    assert client_for(cast.member).post(url, {"aliases": "a: b"}).status_code == 403
    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.admin_viewer).get(url).status_code == 403
