"""Credential links (invitations and password resets) are bearer secrets: who may mint them,
who may see them, and what a link needs to be claimed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import InvitationLink, OrganizationMembership
from config import policy
from config.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


def test_a_team_admin_who_adds_an_existing_user_gains_no_credential_authority(cast, client_for):
    lead = client_for(cast.team_admin)
    added = lead.post(url("team_member_add", cast.team["team_id"]), {"email": "outsider@example.com", "role": "user"})
    assert added.status_code == 302  # LiteLLM lets team admins add existing users; so does the console
    audit_before = AuditLog.objects.count()
    assert lead.post(url("user_password_reset", cast.outsider["user_id"])).status_code in (403, 404)
    refused = lead.post(
        url("invitation_create"),
        {"email": "outsider@example.com", "role": "internal_user", "team": cast.team["team_id"]},
    )
    assert refused.status_code == 200 and "You cannot invite this address" in refused.content.decode()
    assert not InvitationLink.objects.filter(user_id=cast.outsider["user_id"]).exists()
    assert AuditLog.objects.count() == audit_before
    assert lead.get(url("user_edit", cast.outsider["user_id"])).status_code in (403, 404)


def test_an_org_admin_who_pulls_in_another_orgs_org_admin_cannot_reset_them(cast, client_for):
    globex_admin = factories.make_user(email="globex-admin@example.com")
    factories.make_org_membership(cast.other_org["organization_id"], globex_admin["user_id"], policy.ORG_ADMIN)
    boss = client_for(cast.org_admin)
    added = boss.post(
        url("org_member_add", cast.org["organization_id"]),
        {"email": "globex-admin@example.com", "role": "internal_user"},
    )
    assert added.status_code == 302
    assert OrganizationMembership.objects.filter(
        organization_id=cast.org["organization_id"], user_id=globex_admin["user_id"]
    ).exists()
    assert boss.post(url("user_password_reset", globex_admin["user_id"])).status_code == 403
    refused = boss.post(
        url("invitation_create"),
        {"email": "globex-admin@example.com", "role": "internal_user", "organization": cast.org["organization_id"]},
    )
    assert refused.status_code == 200
    assert not InvitationLink.objects.filter(user_id=globex_admin["user_id"]).exists()
    assert boss.get(url("user_edit", globex_admin["user_id"])).status_code == 403


def test_an_org_admin_still_resets_a_user_of_only_their_org(cast, client_for):
    response = client_for(cast.org_admin).post(url("user_password_reset", cast.member["user_id"]))
    assert response.status_code == 302
    assert InvitationLink.objects.filter(user_id=cast.member["user_id"]).count() == 1
