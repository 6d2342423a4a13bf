"""manage.py invite and manage.py invitations: one person, a CSV, dry runs, safe re-runs,
bad rows, rights of --as, listing and revoking."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import InvitationLink, OrganizationMembership, UserTable
from accounts.services import invitation_from_token
from config.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")


def link_in(text: str):
    """The invitation the console's accept link in `text` names (its token is signed)."""
    token = re.search(r"/invitations/accept/([\w:-]+)/", text).group(1)
    return invitation_from_token(token)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_invite_one_person_by_team_and_org_alias(cast, settings):
    settings.PROXY_BASE_URL = "https://proxy.example.com"
    out, _ = run("invite", "alice@example.com", "--role", "internal_user", "--team", "Research", "--org", "Acme")
    alice = UserTable.objects.get(user_email="alice@example.com")
    inv = InvitationLink.objects.get(user_id=alice.user_id)
    assert inv.created_by == inv.updated_by == "default_user_id"
    assert UserTable.objects.get(user_id="default_user_id").user_role == "proxy_admin"
    assert link_in(out).id == inv.id and f"/invitations/accept/{inv.id}/" not in out
    assert f"https://proxy.example.com/ui/onboarding?invitation_id={inv.id}" in out
    assert "invited" in out and alice.teams == [cast.team["team_id"]]
    assert OrganizationMembership.objects.filter(
        user_id=alice.user_id, organization_id=cast.org["organization_id"]
    ).exists()
    out, _ = run("invite", "alice@example.com", "--team", cast.team["team_id"])
    assert "already pending" in out
    assert InvitationLink.objects.filter(user_id=alice.user_id).count() == 1


def test_invite_from_csv_reports_each_row_and_never_half_writes(cast, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,role,team,organization,max_budget\n"
        "bob@example.com,internal_user,Research,Acme,25\n"
        "not-an-email,internal_user,,,\n"
        "carol@example.com,internal_user,No Such Team,,\n"
        "dan@example.com,wizard,,,\n"
        "erin@example.com,internal_user_viewer,,Acme,abc\n"
        "member@example.com,internal_user,,,\n"
    )
    out, err = run("invite", "--csv", str(path))
    assert "6/6" in err  # the progress bar
    lines = {
        line.split()[0]: line
        for line in out.splitlines()
        if line and line.split()[0].endswith(("example.com", "email"))
    }
    assert "invited" in lines["bob@example.com"]
    assert "error" in lines["not-an-email"] if "not-an-email" in lines else "not a valid email" in out
    assert "No Such Team" in out and "unknown role 'wizard'" in out and "is not a number" in out
    assert "invited" in lines["member@example.com"]
    assert not UserTable.objects.filter(
        user_email__in=["carol@example.com", "dan@example.com", "erin@example.com"]
    ).exists()
    assert UserTable.objects.get(user_email="bob@example.com").max_budget == 25.0
    # a re-run invites nobody twice
    out, _ = run("invite", "--csv", str(path))
    assert (
        InvitationLink.objects.filter(user_id=UserTable.objects.get(user_email="bob@example.com").user_id).count() == 1
    )
    assert "2 already pending, 4 error" in out


def test_dry_run_writes_nothing(cast, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,role,team,organization,max_budget\nfay@example.com,internal_user,Research,,\n")
    out, _ = run("invite", "--csv", str(path), "--dry-run")
    assert "would invite" in out and "Dry run, nothing written" in out
    assert not UserTable.objects.filter(user_email="fay@example.com").exists()
    assert not AuditLog.objects.exists()


def test_invite_as_a_team_admin_is_held_to_their_rights(cast):
    out, _ = run("invite", "gus@example.com", "--team", "Research", "--as", "teamadmin@example.com")
    gus = UserTable.objects.get(user_email="gus@example.com")
    assert InvitationLink.objects.get(user_id=gus.user_id).created_by == cast.team_admin["user_id"]
    with pytest.raises(CommandError, match="may not add people to team"):
        run("invite", "hal@example.com", "--team", "Other", "--as", "teamadmin@example.com")
    with pytest.raises(CommandError, match="may not give the role proxy_admin"):
        run("invite", "hal@example.com", "--team", "Research", "--role", "proxy_admin", "--as", "teamadmin@example.com")
    with pytest.raises(CommandError, match="may not invite anyone"):
        run("invite", "hal@example.com", "--as", "member@example.com")
    with pytest.raises(CommandError, match="may not invite anyone"):
        run("invite", "hal@example.com", "--as", "viewer@example.com")
    with pytest.raises(CommandError, match="no LiteLLM user"):
        run("invite", "hal@example.com", "--as", "nobody@example.com")
    assert not UserTable.objects.filter(user_email="hal@example.com").exists()


def test_invite_explains_bad_input(cast):
    with pytest.raises(CommandError, match="one email address, or --csv"):
        run("invite")
    with pytest.raises(CommandError, match="Cannot read"):
        run("invite", "--csv", "/nonexistent/people.csv")
    factories.make_team(alias="Research")  # a second team with the same alias
    with pytest.raises(CommandError, match="Several teams"):
        run("invite", "ivy@example.com", "--team", "Research")


def test_invitations_lists_by_status_and_revokes(cast):
    pending = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    factories.make_invitation(
        user_id=cast.outsider["user_id"], created_by=cast.proxy_admin["user_id"], expires_in_days=-1
    )
    out, _ = run("invitations")
    assert "member@example.com" in out and "outsider@example.com" in out
    out, _ = run("invitations", "--status", "expired")
    assert "outsider@example.com" in out and "member@example.com" not in out
    out, _ = run("invitations", "revoke", pending["id"])
    assert "Revoked" in out and not InvitationLink.objects.filter(id=pending["id"]).exists()
    assert factories.audit_rows(object_id=pending["id"], action="deleted")
    with pytest.raises(CommandError, match="No invitation"):
        run("invitations", "revoke", "nope")
    with pytest.raises(CommandError, match="Say which invitation"):
        run("invitations", "revoke")


def test_invite_as_someone_refuses_accounts_they_do_not_manage(cast):
    with pytest.raises(CommandError, match="you cannot invite this address"):
        run("invite", "outsider@example.com", "--team", "Research", "--as", "teamadmin@example.com")
    assert not InvitationLink.objects.filter(user_id=cast.outsider["user_id"]).exists()
