"""Credential links (invitations and password resets) are bearer secrets: who may mint them,
who may see them, and what a link needs to be claimed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse

from accounts import passwords, services
from accounts.models import InvitationLink, OrganizationMembership, UserTable
from config import policy, writes
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


def test_a_team_admin_who_adds_an_existing_user_gains_no_credential_authority(cast, client_for):
    lead = client_for(cast.team_admin)
    added = lead.post(url("team_member_add", cast.team["team_id"]), {"email": "outsider@example.com", "role": "user"})
    assert added.status_code == 302  # LiteLLM lets team admins add existing users; so does the console
    audit_before = len(factories.audit_rows())
    assert lead.post(url("user_password_reset", cast.outsider["user_id"])).status_code in (403, 404)
    refused = lead.post(
        url("invitation_create"),
        {"email": "outsider@example.com", "role": "internal_user", "team": cast.team["team_id"]},
    )
    assert refused.status_code == 200 and "You cannot invite this address" in refused.content.decode()
    assert not InvitationLink.objects.filter(user_id=cast.outsider["user_id"]).exists()
    assert len(factories.audit_rows()) == audit_before
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


# --- the console's link carries a signed token, not the row id ---------------------------------

STRONG = {"password1": "Sturdy-Pass-42", "password2": "Sturdy-Pass-42"}


def _token(invitation_id: str) -> str:
    return services.invitation_token(InvitationLink.objects.get(id=invitation_id))


def test_the_row_id_alone_does_not_claim_a_link(cast, client):
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    for method in (client.get, lambda u: client.post(u, STRONG)):
        response = method(url("invitation_accept", inv["id"]))
        assert response.status_code == 410 and "not valid" in response.content.decode()
    assert UserTable.objects.get(user_id=cast.member["user_id"]).password is None
    assert InvitationLink.objects.get(id=inv["id"]).is_accepted is False
    assert not factories.audit_rows()
    assert "_auth_user_id" not in client.session


def test_a_tampered_token_is_refused(cast, client):
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    other = factories.make_invitation(user_id=cast.outsider["user_id"], created_by=cast.proxy_admin["user_id"])
    payload, stamp, signature = _token(inv["id"]).split(":")
    forged = ":".join([_token(other["id"]).split(":")[0], stamp, signature])  # another row, same signature
    unsigned = signing.dumps({"i": inv["id"], "v": "x"}, salt="console.invitation", key="not-the-secret")
    for token in (forged, payload + ":" + stamp + ":" + signature[:-2] + "xx", unsigned):
        assert client.post(url("invitation_accept", token), STRONG).status_code == 410
    assert (
        UserTable.objects.filter(
            user_id__in=[cast.member["user_id"], cast.outsider["user_id"]], password__isnull=False
        ).count()
        == 0
    )


def test_a_replaced_or_revoked_links_token_is_refused(cast, client):
    actor = writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"])
    first = services.invitation_create(
        actor=actor, user_id=cast.member["user_id"], inviter_id=cast.proxy_admin["user_id"]
    )
    old_link = url("invitation_accept", services.invitation_token(first))
    second = services.invitation_create(
        actor=actor, user_id=cast.member["user_id"], inviter_id=cast.proxy_admin["user_id"]
    )
    assert list(InvitationLink.objects.filter(user_id=cast.member["user_id"]).values_list("id", flat=True)) == [
        second.id
    ]
    assert factories.audit_rows(table_name__endswith="InvitationLink", object_id=first.id, action="deleted")
    assert client.post(old_link, STRONG).status_code == 410
    new_link = url("invitation_accept", services.invitation_token(second))
    services.invitation_revoke(actor=actor, invitation_id=second.id)
    assert client.post(new_link, STRONG).status_code == 410
    assert UserTable.objects.get(user_id=cast.member["user_id"]).password is None


def test_a_token_is_bound_to_the_rows_timestamps(cast, client):
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    link = url("invitation_accept", _token(inv["id"]))
    writes.update_row(InvitationLink, inv["id"], {"updated_at": writes.now_utc() + timedelta(seconds=5)})
    assert client.get(link).status_code == 410


def test_a_new_reset_revokes_the_pending_one(cast, client_for):
    admin = client_for(cast.proxy_admin)
    admin.post(url("user_password_reset", cast.member["user_id"]))
    admin.post(url("user_password_reset", cast.member["user_id"]))
    assert InvitationLink.objects.filter(user_id=cast.member["user_id"]).count() == 1


# --- setting a password revokes other links and ends other sessions ------------------------------


def _signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_accepting_a_link_revokes_the_others_and_ends_other_sessions(cast, client, client_for):
    old_password = passwords.hash_password("Old-password-123!")
    writes.update_row(UserTable, cast.member["user_id"], {"password": old_password})
    elsewhere = client_for(cast.member)  # e.g. whoever knew the old password
    assert _signed_in(elsewhere)
    one = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    two = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.org_admin["user_id"])
    assert client.post(url("invitation_accept", _token(one["id"])), STRONG).status_code == 302
    assert not InvitationLink.objects.filter(id=two["id"]).exists()
    assert _signed_in(client)
    assert not _signed_in(elsewhere)


def test_changing_ones_password_ends_other_sessions_and_pending_links(cast, client_for):
    old = "Old-password-123!"
    writes.update_row(UserTable, cast.member["user_id"], {"password": passwords.hash_password(old)})
    here, elsewhere = client_for(cast.member), client_for(cast.member)
    pending = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    response = here.post(
        reverse("password_change"),
        {"current_password": old, "password1": "New-pass-456?x", "password2": "New-pass-456?x"},
    )
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert elsewhere.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert not InvitationLink.objects.filter(id=pending["id"]).exists()


def test_a_password_reset_by_an_admin_link_ends_sessions_too(cast, client, client_for):
    """Whoever held the account before a reset link is claimed is signed out."""
    elsewhere = client_for(cast.member)
    assert _signed_in(elsewhere)
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    client.post(url("invitation_accept", _token(inv["id"])), STRONG)
    assert not _signed_in(elsewhere)


# --- nobody sees another person's pending link ------------------------------------------------------


def _issue(cast, user_id=None):
    actor = writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"])
    return services.invitation_create(
        actor=actor, user_id=user_id or cast.member["user_id"], inviter_id=cast.proxy_admin["user_id"]
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_invitation_lists_mask_ids_for_everyone_but_proxy_admins(cast, client_for):
    inv = _issue(cast)  # an onboarding invitation: member has no password yet
    for who in (cast.admin_viewer, cast.org_admin, cast.team_admin):
        client = client_for(who)
        page = _body(client.get(url("invitation_list")))
        assert "member@example.com" in page, who["user_email"]
        assert inv.id not in page, who["user_email"]
        assert inv.id not in _body(client.get(url("invitation_list") + "?export=csv"))
        assert inv.id not in _body(client.get(url("user_detail", cast.member["user_id"])))
        detail = client.get(url("invitation_detail", inv.id))
        if detail.status_code == 200:
            assert inv.id not in _body(detail).replace(url("invitation_detail", inv.id), "")
            assert "/invitations/accept/" not in _body(detail)
    admin_page = _body(client_for(cast.proxy_admin).get(url("invitation_list")))
    assert url("invitation_detail", inv.id) in admin_page


def test_password_reset_rows_never_appear_to_team_or_org_admins(cast, client_for):
    writes.update_row(UserTable, cast.member["user_id"], {"password": passwords.hash_password("Old-password-123!")})
    reset = _issue(cast)
    for who in (cast.org_admin, cast.team_admin):
        client = client_for(who)
        assert "member@example.com" not in _body(client.get(url("invitation_list")))
        assert client.get(url("invitation_detail", reset.id)).status_code == 404
    assert "member@example.com" in _body(client_for(cast.admin_viewer).get(url("invitation_list")))


def test_the_litellm_link_is_shown_only_with_a_warning_to_who_may_see_it(cast, client_for, settings):
    settings.PROXY_BASE_URL = "https://proxy.example.com"
    inv = _issue(cast)
    admin_page = _body(client_for(cast.proxy_admin).get(url("invitation_detail", inv.id)))
    assert f"invitation_id={inv.id}" in admin_page and "bearer secret" in admin_page
    viewer_page = _body(client_for(cast.admin_viewer).get(url("invitation_detail", inv.id)))
    assert "invitation_id=" not in viewer_page


def test_the_audit_log_masks_invitation_ids_for_viewers(cast, client_for):
    inv = _issue(cast)
    [entry] = factories.audit_rows(object_id=inv.id, action="created")
    viewer = client_for(cast.admin_viewer)
    audit_list = reverse("audit:audit_list")
    for response in (
        viewer.get(audit_list),
        viewer.get(audit_list + "?export=csv"),
        viewer.get(reverse("audit:audit_detail", args=[entry.id])),
        viewer.get(audit_list + "?object_id=" + inv.id[:8]),
    ):
        assert response.status_code == 200
        assert inv.id not in _body(response)
    assert "…" + inv.id[-4:] in _body(viewer.get(audit_list))
    admin = client_for(cast.proxy_admin)
    assert inv.id in _body(admin.get(audit_list + "?export=csv"))
    assert inv.id in _body(admin.get(reverse("audit:audit_detail", args=[entry.id])))


def test_the_ops_admin_masks_invitation_ids_for_staff(cast, client):
    from django.contrib.auth import get_user_model

    inv = _issue(cast)
    [entry] = factories.audit_rows(object_id=inv.id, action="created")
    staff = get_user_model().objects.create_user("staffer", "s@example.com", "x", is_staff=True)
    client.force_login(staff)
    pages = [
        reverse("admin:accounts_invitationlink_changelist"),
        reverse("admin:accounts_invitationlink_changelist") + "?q=" + inv.id[:8],
        reverse("admin:config_auditlog_changelist"),
        reverse("admin:config_consoleauditlog_changelist"),  # invitations are in the console's own trail
        reverse("admin:config_consoleauditlog_change", args=[entry.id]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert inv.id not in _body(response), page
    client.force_login(cast.ops)
    assert inv.id in _body(client.get(reverse("admin:accounts_invitationlink_changelist")))
