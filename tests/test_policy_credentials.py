"""Who may act on a whole person (profile, credentials, deletion): one table of
principal x target x action, read against config/policy/.

Credential operations (invite link for an existing user, password-reset link, setting a
password) sign whoever holds the link in as the target, so they need authority over the whole
person; being able to add someone to your team or organization never grants it."""

from __future__ import annotations

import pytest

from accounts.models import UserTable
from config import policy
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

P, T, F = "profile", "credentials", "delete"


@pytest.fixture
def people():
    acme = factories.make_org(alias="Acme")["organization_id"]
    globex = factories.make_org(alias="Globex")["organization_id"]
    u = {}
    u["proxy_admin"] = factories.make_user(role=policy.PROXY_ADMIN)
    u["admin_viewer"] = factories.make_user(role=policy.PROXY_ADMIN_VIEWER)
    u["org_admin"] = factories.make_user()
    u["co_org_admin"] = factories.make_user()
    u["team_admin"] = factories.make_user()
    u["ro_team_admin"] = factories.make_user(role=policy.INTERNAL_USER_VIEWER)
    u["member"] = factories.make_user()
    u["two_orgs"] = factories.make_user()
    u["globex_org_admin"] = factories.make_user()
    u["team_only"] = factories.make_user()
    u["joined_proxy_admin"] = factories.make_user(role=policy.PROXY_ADMIN)
    for key, org, role in (
        ("org_admin", acme, policy.ORG_ADMIN),
        ("co_org_admin", acme, policy.ORG_ADMIN),
        ("team_admin", acme, policy.INTERNAL_USER),
        ("member", acme, policy.INTERNAL_USER),
        ("two_orgs", acme, policy.INTERNAL_USER),
        ("two_orgs", globex, policy.INTERNAL_USER),
        ("globex_org_admin", globex, policy.ORG_ADMIN),
        # pulled into Acme by Acme's org admin (LiteLLM allows it)
        ("globex_org_admin", acme, policy.INTERNAL_USER),
    ):
        factories.make_org_membership(org, u[key]["user_id"], role)
    factories.make_team(
        alias="Research",
        organization_id=acme,
        members=[
            (u["team_admin"], "admin"),
            (u["ro_team_admin"], "admin"),
            (u["member"], "user"),
            (u["team_only"], "user"),
            (u["joined_proxy_admin"], "user"),  # a proxy admin who joined the team
        ],
    )
    return u


def _allowed(principal, action, target) -> bool:
    return {
        P: principal.can_manage_user,
        T: principal.can_manage_credentials,
        F: principal.can_delete_user,
    }[action](target)


# (principal, target, action, allowed)
TABLE = [
    # proxy admins: everyone
    ("proxy_admin", "member", T, True),
    ("proxy_admin", "globex_org_admin", T, True),
    ("proxy_admin", "joined_proxy_admin", T, True),
    ("proxy_admin", "two_orgs", P, True),
    # read-only people: nothing, even when they are a team admin
    ("admin_viewer", "member", T, False),
    ("admin_viewer", "member", P, False),
    ("ro_team_admin", "member", T, False),
    ("ro_team_admin", "team_only", T, False),
    ("ro_team_admin", "member", P, False),
    # org admins: only people all of whose orgs they administer and who administer nothing
    ("org_admin", "member", T, True),
    ("org_admin", "member", P, True),
    ("org_admin", "member", F, True),
    ("org_admin", "two_orgs", T, False),  # a user of two orgs
    ("org_admin", "two_orgs", P, False),
    ("org_admin", "two_orgs", F, False),
    ("org_admin", "globex_org_admin", T, False),  # another org's org admin pulled into Acme
    ("org_admin", "globex_org_admin", P, False),
    ("org_admin", "globex_org_admin", F, False),
    ("org_admin", "co_org_admin", T, False),  # an org admin of the same org
    ("org_admin", "joined_proxy_admin", T, False),
    ("org_admin", "joined_proxy_admin", P, False),
    ("org_admin", "team_only", T, False),  # on an Acme team, but in no organization
    ("org_admin", "team_only", P, False),
    ("org_admin", "admin_viewer", T, False),
    ("org_admin", "org_admin", T, False),  # yourself: use the password page
    # team admins: never for an existing person
    ("team_admin", "member", T, False),
    ("team_admin", "team_only", T, False),
    ("team_admin", "member", P, False),
    ("team_admin", "team_only", P, False),
    ("team_admin", "joined_proxy_admin", T, False),  # a proxy admin who joined their team
    ("team_admin", "joined_proxy_admin", P, False),
    ("team_admin", "joined_proxy_admin", F, False),
    # plain members: nothing
    ("member", "team_only", T, False),
    ("member", "member", T, False),
]


@pytest.mark.parametrize(("who", "target", "action", "allowed"), TABLE)
def test_whole_person_authority(people, who, target, action, allowed):
    principal = policy.principal_for_litellm_user(people[who]["user_id"])
    row = UserTable.objects.get(user_id=people[target]["user_id"])
    assert _allowed(principal, action, row) is allowed


def test_ops_staff(people):
    superuser = policy.Principal(label="ops", role=policy.PROXY_ADMIN, ops_username="ops")
    staff = policy.Principal(label="staff", role=policy.PROXY_ADMIN_VIEWER, ops_username="staff")
    row = UserTable.objects.get(user_id=people["globex_org_admin"]["user_id"])
    assert superuser.can_manage_credentials(row)
    assert not staff.can_manage_credentials(row)


def test_invitation_ids_are_masked_except_for_admins_and_creator(people):
    inv = factories.make_invitation(user_id=people["member"]["user_id"], created_by=people["org_admin"]["user_id"])

    class Row:
        id = inv["id"]
        created_by = inv["created_by"]

    for who, shown in (("proxy_admin", True), ("org_admin", True), ("admin_viewer", False), ("team_admin", False)):
        principal = policy.principal_for_litellm_user(people[who]["user_id"])
        visible = policy.visible_invitation_id(principal, Row)
        assert (visible == inv["id"]) is shown, who
        if not shown:
            assert inv["id"] not in visible and visible.endswith(inv["id"][-4:])
    assert policy.visible_invitation_id(None, Row) == "…" + inv["id"][-4:]
