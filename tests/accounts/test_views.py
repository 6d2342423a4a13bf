"""Each role's allowed and refused actions on the people pages: anonymous -> sign-in,
outsider -> 404, read-only -> 403, GET on a POST-only URL -> 405, and pages that render."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import InvitationLink, OrganizationMembership, TeamMembership, TeamTable, UserTable
from accounts.services import invitation_from_token, invitation_token
from accounts.services.invitations import TOKEN_SALT
from config.models import AuditLog
from tests import factories
from tests.forms import shown

pytestmark = pytest.mark.django_db(databases="__all__")


def link_in(text: str):
    """The invitation the console's accept link in `text` names (its token is signed)."""
    token = re.search(r"/invitations/accept/([\w:-]+)/", text).group(1)
    return invitation_from_token(token)


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


@pytest.fixture
def ops(client, cast):
    client.force_login(cast.ops, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- lists and details render, scoped ---------------------------------------------------------


@pytest.mark.parametrize("name", ["user_list", "team_list", "org_list", "enduser_list", "invitation_list"])
def test_lists_render_for_a_proxy_admin_and_export_csv(cast, client_for, name):
    factories.make_end_user(alias="app")
    client = client_for(cast.proxy_admin)
    assert client.get(url(name)).status_code == 200
    response = client.get(url(name) + "?export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_anonymous_is_sent_to_sign_in(client, cast):
    for target in (url("user_list"), url("team_detail", cast.team["team_id"]), url("invitation_create")):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_list_searches_filters_and_scopes(cast, client_for):
    admin = client_for(cast.proxy_admin)
    body = admin.get(url("user_list") + "?q=orgadmin").content.decode()
    assert "orgadmin@example.com" in body and "member@example.com" not in body
    body = admin.get(url("user_list") + f"?team={cast.team['team_id']}").content.decode()
    assert "member@example.com" in body and "outsider@example.com" not in body
    body = admin.get(url("user_list") + "?user_role=proxy_admin_viewer").content.decode()
    assert "viewer@example.com" in body and "member@example.com" not in body
    body = admin.get(url("user_list") + f"?organization={cast.other_org['organization_id']}").content.decode()
    assert "outsider@example.com" in body and "member@example.com" not in body
    csv = b"".join(admin.get(url("user_list") + "?export=csv&sort=-spend").streaming_content).decode()
    assert csv.splitlines()[0].startswith("Email,Name,Role")
    org_admin = client_for(cast.org_admin)
    body = org_admin.get(url("user_list")).content.decode()
    assert "member@example.com" in body and "outsider@example.com" not in body


def test_user_detail_shows_teams_keys_budget_and_usage(cast, client_for):
    factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="member-key")
    factories.make_daily_user_spend(
        cast.member["user_id"],
        __import__("config.writes", fromlist=["x"]).now_utc().date().isoformat(),
        spend=1.25,
        api_requests=3,
    )
    body = client_for(cast.proxy_admin).get(url("user_detail", cast.member["user_id"])).content.decode()
    for text in ("Research", "member-key", "Acme", "$1.25", "no budget limit"):
        assert text in body


def test_outsiders_get_404_on_objects_they_cannot_see(cast, client_for):
    outsider = client_for(cast.outsider)
    assert outsider.get(url("team_detail", cast.team["team_id"])).status_code == 404
    assert outsider.get(url("org_detail", cast.org["organization_id"])).status_code == 403  # no Organizations section
    assert outsider.post(url("team_member_remove", cast.team["team_id"], cast.member["user_id"])).status_code == 404
    org_admin = client_for(cast.org_admin)
    assert org_admin.get(url("user_detail", cast.outsider["user_id"])).status_code == 404
    assert org_admin.get(url("team_detail", cast.other_team["team_id"])).status_code == 404
    assert org_admin.get(url("org_detail", cast.other_org["organization_id"])).status_code == 404


def test_members_see_their_team_but_change_nothing(cast, client_for):
    member = client_for(cast.member)
    response = member.get(url("team_detail", cast.team["team_id"]))
    assert response.status_code == 200 and "Add member" not in response.content.decode()
    assert "teamadmin@example.com" in response.content.decode()
    assert (
        member.post(url("team_member_remove", cast.team["team_id"], cast.internal_viewer["user_id"])).status_code == 403
    )
    assert member.get(url("team_edit", cast.team["team_id"])).status_code == 403
    assert member.get(url("user_list")).status_code == 403  # no Users section for a plain member
    assert member.get(url("invitation_create")).status_code == 403


def test_read_only_admin_sees_everything_and_changes_nothing(cast, client_for):
    viewer = client_for(cast.admin_viewer)
    assert viewer.get(url("team_detail", cast.other_team["team_id"])).status_code == 200
    assert viewer.get(url("user_detail", cast.outsider["user_id"])).status_code == 200
    assert viewer.get(url("team_create")).status_code == 403
    assert viewer.post(url("team_member_remove", cast.team["team_id"], cast.member["user_id"])).status_code == 403
    assert viewer.post(url("user_edit", cast.member["user_id"]), {"user_email": "x@example.com"}).status_code == 403
    assert viewer.get(url("user_delete", cast.member["user_id"])).status_code == 403
    assert viewer.post(url("invitation_create"), {"email": "x@example.com"}).status_code == 403
    end_user = factories.make_end_user()
    assert "/block/" not in viewer.get(url("enduser_list")).content.decode()  # no buttons it cannot use
    assert viewer.post(url("enduser_block", end_user["user_id"]), {"blocked": "1"}).status_code == 403
    assert not AuditLog.objects.exists()


def test_internal_viewer_has_no_people_sections(cast, client_for):
    viewer = client_for(cast.internal_viewer)
    for name in ("user_list", "org_list", "enduser_list", "invitation_list"):
        assert viewer.get(url(name)).status_code == 403
    assert viewer.get(url("team_detail", cast.team["team_id"])).status_code == 200


def test_post_only_urls_refuse_get(cast, client_for):
    admin = client_for(cast.proxy_admin)
    assert admin.get(url("team_member_remove", cast.team["team_id"], cast.member["user_id"])).status_code == 405
    assert admin.get(url("team_member_role", cast.team["team_id"], cast.member["user_id"])).status_code == 405
    assert admin.get(url("org_member_remove", cast.org["organization_id"], cast.member["user_id"])).status_code == 405
    assert admin.get(url("user_password_reset", cast.member["user_id"])).status_code == 405
    assert admin.get(url("enduser_block", factories.make_end_user()["user_id"])).status_code == 405


# --- team admin: manages members of their team only ---------------------------------------------


def test_team_admin_adds_and_removes_members_of_their_team(cast, client_for):
    lead = client_for(cast.team_admin)
    response = lead.post(url("team_member_add", cast.team["team_id"]), {"email": "newbie@example.com", "role": "user"})
    assert response.status_code == 302
    newbie = UserTable.objects.get(user_email="newbie@example.com")
    assert TeamMembership.objects.filter(user_id=newbie.user_id, team_id=cast.team["team_id"]).exists()
    assert lead.post(url("team_member_remove", cast.team["team_id"], newbie.user_id)).status_code == 302
    assert not TeamMembership.objects.filter(user_id=newbie.user_id).exists()
    role_url = url("team_member_role", cast.team["team_id"], cast.member["user_id"])
    opened = shown(lead, url("team_detail", cast.team["team_id"]), action=role_url)
    assert lead.post(role_url, {"role": "admin", **opened}).status_code == 302
    roster = TeamTable.objects.get(team_id=cast.team["team_id"]).members_with_roles
    assert {m["user_id"]: m["role"] for m in roster}[cast.member["user_id"]] == "admin"
    assert lead.get(url("team_edit", cast.team["team_id"])).status_code == 403  # settings are for admins
    assert lead.get(url("team_delete", cast.team["team_id"])).status_code == 403
    assert lead.get(url("team_member_add", cast.other_team["team_id"])).status_code == 404


def test_member_add_form_shows_errors_next_to_the_field(cast, client_for):
    admin = client_for(cast.proxy_admin)
    response = admin.post(url("team_member_add", cast.team["team_id"]), {"email": "not-an-email", "role": "user"})
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    response = admin.post(url("team_member_add", cast.team["team_id"]), {"email": "member@example.com", "role": "user"})
    assert "already a member" in response.content.decode()
    response = admin.post(
        url("team_member_add", cast.team["team_id"]),
        {"email": "z@example.com", "role": "user", "budget_duration": "2mo"},
    )
    assert "Only 1mo" in response.content.decode()
    assert not UserTable.objects.filter(user_email="z@example.com").exists()


def test_member_budget_page_saves_a_private_budget(cast, client_for):
    admin = client_for(cast.proxy_admin)
    target = url("team_member_budget", cast.team["team_id"], cast.member["user_id"])
    assert admin.get(target).status_code == 200
    assert (
        admin.post(target, {"max_budget": "12.5", "budget_duration": "30d", **shown(admin, target)}).status_code == 302
    )
    membership = TeamMembership.objects.get(user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    assert membership.budget_id
    assert admin.get(url("team_member_budget", cast.team["team_id"], cast.outsider["user_id"])).status_code == 404


# --- teams: create, settings, delete ---------------------------------------------------------------


def test_org_admin_creates_a_team_in_their_org_only(cast, client_for):
    org_admin = client_for(cast.org_admin)
    response = org_admin.post(
        url("team_create"), {"team_alias": "Applied", "organization_id": cast.org["organization_id"]}
    )
    assert response.status_code == 302
    team = TeamTable.objects.get(team_alias="Applied")
    assert team.members_with_roles[0]["user_id"] == cast.org_admin["user_id"]
    response = org_admin.post(
        url("team_create"), {"team_alias": "Sneaky", "organization_id": cast.other_org["organization_id"]}
    )
    assert response.status_code == 200 and not TeamTable.objects.filter(team_alias="Sneaky").exists()  # not a choice
    assert client_for(cast.member).get(url("team_create")).status_code == 403


def test_team_settings_edit_writes_changed_fields(cast, client_for):
    admin = client_for(cast.proxy_admin)
    form = {
        "team_alias": "Research",
        "organization_id": cast.org["organization_id"],
        "models": "gpt-4o, gpt-4o-mini",
        "max_budget": "99",
        "budget_duration": "1d",
        "tpm_limit": "",
        "rpm_limit": "",
        "max_parallel_requests": "",
    }
    target = url("team_edit", cast.team["team_id"])
    assert admin.post(target, {**form, **shown(admin, target)}).status_code == 302
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    assert team.models == ["gpt-4o", "gpt-4o-mini"] and team.max_budget == 99.0 and team.budget_reset_at is not None
    updated = AuditLog.objects.get(object_id=cast.team["team_id"], action="updated")
    assert "team_alias" not in updated.updated_values  # unchanged fields are not written


def test_team_delete_confirms_then_deletes(cast, client_for):
    admin = client_for(cast.proxy_admin)
    assert "Delete team" in admin.get(url("team_delete", cast.team["team_id"])).content.decode()
    assert admin.post(url("team_delete", cast.team["team_id"])).status_code == 302
    assert not TeamTable.objects.filter(team_id=cast.team["team_id"]).exists()


# --- users: create, edit, delete --------------------------------------------------------------------


def test_proxy_admin_creates_edits_and_deletes_a_user(cast, client_for):
    admin = client_for(cast.proxy_admin)
    response = admin.post(
        url("user_create"),
        {"user_email": "carol@example.com", "user_role": "proxy_admin_viewer", "models": "", "organization": ""},
    )
    assert response.status_code == 302
    carol = UserTable.objects.get(user_email="carol@example.com")
    assert carol.user_role == "proxy_admin_viewer"
    response = admin.post(
        url("user_edit", carol.user_id),
        {
            "user_email": "carol@example.com",
            "user_role": "internal_user",
            "user_alias": "Carol",
            "models": "gpt-4o",
            "max_budget": "10",
            **shown(admin, url("user_edit", carol.user_id)),
        },
    )
    assert response.status_code == 302
    carol = UserTable.objects.get(user_id=carol.user_id)
    assert (carol.user_role, carol.user_alias, carol.models, carol.max_budget) == (
        "internal_user",
        "Carol",
        ["gpt-4o"],
        10.0,
    )
    assert admin.post(url("user_delete", carol.user_id)).status_code == 302
    assert not UserTable.objects.filter(user_id=carol.user_id).exists()


def test_org_admin_manages_users_of_their_org_but_grants_no_admin_roles(cast, client_for):
    org_admin = client_for(cast.org_admin)
    response = org_admin.post(
        url("user_create"),
        {"user_email": "dave@example.com", "user_role": "proxy_admin", "organization": cast.org["organization_id"]},
    )
    assert response.status_code == 200 and not UserTable.objects.filter(user_email="dave@example.com").exists()
    response = org_admin.post(
        url("user_create"),
        {"user_email": "dave@example.com", "user_role": "internal_user", "organization": cast.org["organization_id"]},
    )
    assert response.status_code == 302
    dave = UserTable.objects.get(user_email="dave@example.com")
    assert OrganizationMembership.objects.filter(
        user_id=dave.user_id, organization_id=cast.org["organization_id"]
    ).exists()
    assert org_admin.post(url("user_delete", dave.user_id)).status_code == 302
    assert org_admin.get(url("user_delete", cast.proxy_admin["user_id"])).status_code == 404  # not in their org
    assert client_for(cast.team_admin).get(url("user_edit", cast.member["user_id"])).status_code == 403


# --- organizations ------------------------------------------------------------------------------------


def test_org_pages_and_membership(cast, client_for):
    admin = client_for(cast.proxy_admin)
    assert admin.post(url("org_create"), {"organization_alias": "Umbrella", "max_budget": "100"}).status_code == 302
    org_admin = client_for(cast.org_admin)
    assert org_admin.get(url("org_create")).status_code == 403
    body = org_admin.get(url("org_detail", cast.org["organization_id"])).content.decode()
    assert "Research" in body and "member@example.com" in body
    target = url("org_member_add", cast.org["organization_id"])
    assert org_admin.post(target, {"email": "orgnew@example.com", "role": "internal_user"}).status_code == 302
    new = UserTable.objects.get(user_email="orgnew@example.com")
    role_url = url("org_member_role", cast.org["organization_id"], new.user_id)
    opened = shown(org_admin, url("org_detail", cast.org["organization_id"]), action=role_url)
    assert org_admin.post(role_url, {"role": "internal_user_viewer", **opened}).status_code == 302
    assert OrganizationMembership.objects.get(user_id=new.user_id).user_role == "internal_user_viewer"
    assert org_admin.post(url("org_member_remove", cast.org["organization_id"], new.user_id)).status_code == 302
    assert (
        org_admin.post(
            url("org_member_remove", cast.other_org["organization_id"], cast.outsider["user_id"])
        ).status_code
        == 404
    )
    assert client_for(cast.member).get(url("org_edit", cast.org["organization_id"])).status_code == 403


# --- end users ------------------------------------------------------------------------------------------


def test_end_users_block_unblock_and_edit(cast, client_for):
    eu = factories.make_end_user(alias="shop")
    admin = client_for(cast.proxy_admin)
    body = admin.get(url("enduser_list") + "?q=shop").content.decode()
    assert "shop" in body
    assert admin.post(url("enduser_block", eu["user_id"]), {"blocked": "1"}).status_code == 302
    from accounts.models import EndUserTable

    assert EndUserTable.objects.get(user_id=eu["user_id"]).blocked is True
    assert (
        admin.post(
            url("enduser_edit", eu["user_id"]),
            {
                "alias": "shop-eu",
                "allowed_model_region": "eu",
                "default_model": "",
                "budget_id": "",
                **shown(admin, url("enduser_edit", eu["user_id"])),
            },
        ).status_code
        == 302
    )
    assert EndUserTable.objects.get(user_id=eu["user_id"]).allowed_model_region == "eu"
    assert client_for(cast.org_admin).get(url("enduser_list")).status_code == 403


# --- invitations -----------------------------------------------------------------------------------------


def test_invite_shows_console_and_litellm_links(cast, client_for, settings):
    settings.PROXY_BASE_URL = "https://proxy.example.com"
    admin = client_for(cast.proxy_admin)
    response = admin.post(
        url("invitation_create"),
        {"email": "erin@example.com", "role": "internal_user", "team": cast.team["team_id"], "organization": ""},
    )
    assert response.status_code == 302
    inv = InvitationLink.objects.get(user_id=UserTable.objects.get(user_email="erin@example.com").user_id)
    body = admin.get(response["Location"]).content.decode()
    assert link_in(body).id == inv.id
    assert f"https://proxy.example.com/ui/onboarding?invitation_id={inv.id}" in body
    assert inv.created_by == cast.proxy_admin["user_id"]


def test_ops_staff_invite_as_the_proxy_admin(ops):
    response = ops.post(
        url("invitation_create"),
        {"email": "frank@example.com", "role": "internal_user", "team": "", "organization": ""},
    )
    assert response.status_code == 302
    inv = InvitationLink.objects.get(user_id=UserTable.objects.get(user_email="frank@example.com").user_id)
    assert inv.created_by == "default_user_id"
    assert UserTable.objects.get(user_id="default_user_id").user_role == "proxy_admin"


def test_team_admin_invites_into_their_team_only(cast, client_for):
    lead = client_for(cast.team_admin)
    assert (
        lead.post(
            url("invitation_create"),
            {"email": "gina@example.com", "role": "internal_user", "team": cast.team["team_id"]},
        ).status_code
        == 302
    )
    response = lead.post(
        url("invitation_create"),
        {"email": "hank@example.com", "role": "internal_user", "team": cast.other_team["team_id"]},
    )
    assert response.status_code == 200 and not UserTable.objects.filter(user_email="hank@example.com").exists()
    response = lead.post(
        url("invitation_create"), {"email": "ivan@example.com", "role": "proxy_admin", "team": cast.team["team_id"]}
    )
    assert response.status_code == 200 and not UserTable.objects.filter(user_email="ivan@example.com").exists()


def test_invitation_list_filters_by_status_and_revokes(cast, client_for):
    pending = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    expired = factories.make_invitation(
        user_id=cast.internal_viewer["user_id"], created_by=cast.proxy_admin["user_id"], expires_in_days=-2
    )
    admin = client_for(cast.proxy_admin)
    body = admin.get(url("invitation_list") + "?status=expired").content.decode()
    assert "iviewer@example.com" in body and "member@example.com" not in body
    body = admin.get(url("invitation_list") + "?status=pending").content.decode()
    assert "member@example.com" in body and "iviewer@example.com" not in body
    assert client_for(cast.org_admin).post(url("invitation_revoke", pending["id"])).status_code in (403, 404)
    assert admin.post(url("invitation_reissue", expired["id"])).status_code == 302
    assert admin.post(url("invitation_revoke", pending["id"])).status_code == 302
    assert not InvitationLink.objects.filter(id__in=[pending["id"], expired["id"]]).exists()


def test_password_reset_link_for_an_existing_user(cast, client_for, settings):
    settings.PROXY_BASE_URL = "https://proxy.example.com"
    admin = client_for(cast.proxy_admin)
    response = admin.post(url("user_password_reset", cast.member["user_id"]))
    assert response.status_code == 302 and "action=reset_password" in response["Location"]
    body = admin.get(response["Location"]).content.decode()
    assert "&amp;action=reset_password" in body or "&action=reset_password" in body
    assert client_for(cast.admin_viewer).post(url("user_password_reset", cast.member["user_id"])).status_code == 403


def accept_url(invitation_id: str) -> str:
    return url("invitation_accept", invitation_token(InvitationLink.objects.get(id=invitation_id)))


def test_accept_page_sets_the_password_and_signs_in(cast, client):
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    link = accept_url(inv["id"])
    page = client.get(link)
    assert page.status_code == 200 and "member@example.com" in page.content.decode()
    weak = client.post(link, {"password1": "weak", "password2": "weak"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.content.decode()
    assert InvitationLink.objects.get(id=inv["id"]).is_accepted is False
    done = client.post(link, {"password1": "Sturdy-Pass-42", "password2": "Sturdy-Pass-42"})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # signed in
    again = client.get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()


@pytest.mark.parametrize("kind", ["expired", "revoked", "used"])
def test_unusable_links_get_a_clear_page_and_change_nothing(cast, client, kind):
    inv = factories.make_invitation(
        user_id=cast.member["user_id"],
        created_by=cast.proxy_admin["user_id"],
        expires_in_days=-1 if kind == "expired" else 7,
        accepted=kind == "used",
    )
    if kind == "revoked":
        link = url("invitation_accept", signing.dumps({"i": "no-such-invitation", "v": "x"}, salt=TOKEN_SALT))
    else:
        link = accept_url(inv["id"])
    response = client.post(link, {"password1": "Sturdy-Pass-42", "password2": "Sturdy-Pass-42"})
    assert response.status_code == 410 and "can't be used" in response.content.decode()
    assert UserTable.objects.get(user_id=cast.member["user_id"]).password is None
    assert not AuditLog.objects.exists()


# --- navigation -------------------------------------------------------------------------------------------


def test_navigation_shows_only_usable_sections(cast, client_for):
    member_nav = client_for(cast.member).get(reverse("home")).content.decode()
    assert "/users/" not in member_nav and "/invitations/" not in member_nav and "/teams/" in member_nav
    admin_nav = client_for(cast.proxy_admin).get(reverse("home")).content.decode()
    assert "/users/" in admin_nav and "/end-users/" in admin_nav and "/invitations/" in admin_nav


def test_team_settings_use_the_shared_budget_editor(cast, client_for):
    admin = client_for(cast.proxy_admin)
    target = url("team_edit", cast.team["team_id"])
    base = {"team_alias": "Research", "organization_id": cast.org["organization_id"], "models": ""}
    base |= shown(admin, target)
    page = admin.get(target).content.decode()
    assert "model_max_budget-model" in page  # the per-model budget rows
    if TeamTable.has_column("soft_budget"):
        response = admin.post(target, base | {"max_budget": "10", "soft_budget": "10"})
        assert "lower than the max budget" in response.content.decode()
        assert TeamTable.objects.get(team_id=cast.team["team_id"]).max_budget is None
    response = admin.post(
        target,
        base
        | {
            "max_budget": "10",
            "model_max_budget-model": ["gpt-4o", ""],
            "model_max_budget-max_budget": ["2.5", ""],
            "model_max_budget-duration": ["1d", ""],
        },
    )
    assert response.status_code == 302
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    assert team.model_max_budget == {"gpt-4o": {"max_budget": 2.5, "budget_duration": "1d"}}


def test_user_edit_writes_per_model_budgets(cast, client_for):
    admin = client_for(cast.proxy_admin)
    form = {
        "user_email": "member@example.com",
        "user_role": "internal_user",
        "model_max_budget-model": ["gpt-4o-mini"],
        "model_max_budget-max_budget": ["1"],
        "model_max_budget-duration": [""],
    }
    target = url("user_edit", cast.member["user_id"])
    assert admin.post(target, {**form, **shown(admin, target)}).status_code == 302
    user = UserTable.objects.get(user_id=cast.member["user_id"])
    assert user.model_max_budget == {"gpt-4o-mini": {"max_budget": 1.0}}
    entry = AuditLog.objects.get(object_id=cast.member["user_id"], action="updated")
    assert entry.updated_values["model_max_budget"] == {"gpt-4o-mini": {"max_budget": 1.0}}


def test_no_one_but_a_proxy_admin_can_take_over_an_admin_account(cast, client_for):
    """An org admin whose org contains a proxy admin may not edit, reset or re-invite them."""
    factories.make_org_membership(cast.org["organization_id"], cast.proxy_admin["user_id"], "internal_user")
    org_admin = client_for(cast.org_admin)
    assert org_admin.post(url("user_password_reset", cast.proxy_admin["user_id"])).status_code == 403
    assert org_admin.get(url("user_edit", cast.proxy_admin["user_id"])).status_code == 403
    assert org_admin.get(url("user_delete", cast.proxy_admin["user_id"])).status_code == 403
    response = org_admin.post(
        url("invitation_create"),
        {"email": "admin@example.com", "role": "internal_user", "organization": cast.org["organization_id"]},
    )
    assert response.status_code == 200 and "You cannot invite this address" in response.content.decode()
    assert not InvitationLink.objects.filter(user_id=cast.proxy_admin["user_id"]).exists()


def test_team_admins_invite_only_new_people(cast, client_for):
    """A link for an existing person signs its holder in as them: team admins get the same
    refusal for their own members as for people elsewhere (no hint of who has an account)."""
    lead = client_for(cast.team_admin)
    pages = []
    for email, user in (("member@example.com", cast.member), ("outsider@example.com", cast.outsider)):
        data = {"email": email, "role": "internal_user", "team": cast.team["team_id"]}
        refused = lead.post(url("invitation_create"), data)
        assert refused.status_code == 200 and not InvitationLink.objects.filter(user_id=user["user_id"]).exists()
        pages.append(refused.content.decode())
    assert all("You cannot invite this address" in page for page in pages)
    data = {"email": "new@example.com", "role": "internal_user", "team": cast.team["team_id"]}
    ok = lead.post(url("invitation_create"), data)
    assert ok.status_code == 302


def test_invitation_links_are_shown_only_to_their_creator_and_proxy_admins(cast, client_for):
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    org_admin_page = client_for(cast.org_admin).get(url("invitation_detail", inv["id"])).content.decode()
    assert "/invitations/accept/" not in org_admin_page and "shown only to" in org_admin_page
    admin_page = client_for(cast.proxy_admin).get(url("invitation_detail", inv["id"])).content.decode()
    assert link_in(admin_page).id == inv["id"]


def test_team_page_links_to_an_invitation_for_that_team(cast, client_for):
    lead = client_for(cast.team_admin)
    page = lead.get(url("team_detail", cast.team["team_id"])).content.decode()
    assert f"{url('invitation_create')}?team={cast.team['team_id']}" in page
    form = lead.get(url("invitation_create") + f"?team={cast.team['team_id']}").content.decode()
    assert f'value="{cast.team["team_id"]}" selected' in form


# --- duplicate team and organization names -------------------------------------------------------


def test_a_second_team_of_the_same_name_is_refused(cast, client_for):
    admin = client_for(cast.proxy_admin)
    teams = TeamTable.objects.count()
    response = admin.post(url("team_create"), {"team_alias": " research ", "organization_id": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["team_alias"] == [
        "A team named 'Research' already exists. Pick another name."
    ]
    assert TeamTable.objects.count() == teams
    # Renaming another team to it (any case) is refused too; the team itself may change its case.
    other = {"team_alias": "RESEARCH", "organization_id": cast.other_org["organization_id"], "models": ""}
    target = url("team_edit", cast.other_team["team_id"])
    response = admin.post(target, {**other, **shown(admin, target)})
    assert "team_alias" in response.context["form"].errors
    assert TeamTable.objects.get(team_id=cast.other_team["team_id"]).team_alias == "Other"
    own = {"team_alias": "research", "organization_id": cast.org["organization_id"], "models": ""}
    target = url("team_edit", cast.team["team_id"])
    assert admin.post(target, {**own, **shown(admin, target)}).status_code == 302
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).team_alias == "research"


def test_a_duplicate_the_proxy_made_does_not_block_other_edits(cast, client_for):
    factories.make_team(alias="Research", organization_id=cast.org["organization_id"])  # the proxy allows it
    form = {"team_alias": "Research", "organization_id": cast.org["organization_id"], "models": "", "max_budget": "7"}
    admin, target = client_for(cast.proxy_admin), url("team_edit", cast.team["team_id"])
    assert admin.post(target, {**form, **shown(admin, target)}).status_code == 302
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).max_budget == 7.0


def test_a_second_organization_of_the_same_name_is_refused(cast, client_for):
    from accounts.models import OrganizationTable

    admin = client_for(cast.proxy_admin)
    orgs = OrganizationTable.objects.count()
    response = admin.post(url("org_create"), {"organization_alias": "ACME", "max_budget": "100"})
    assert response.status_code == 200
    assert response.context["form"].errors["organization_alias"] == [
        "An organization named 'Acme' already exists. Pick another name."
    ]
    assert OrganizationTable.objects.count() == orgs
    target = url("org_edit", cast.other_org["organization_id"])
    response = admin.post(target, {"organization_alias": "acme", **shown(admin, target)})
    assert "organization_alias" in response.context["form"].errors
    assert OrganizationTable.objects.get(organization_id=cast.other_org["organization_id"]).organization_alias == (
        "Globex"
    )
