"""The "Exact" items: what LiteLLM 1.108.11 itself writes, case by case.

Facts cited as litellm-compat.md §N (/work/shared/litellm-compat.md) and litellm-exact.md §N
(the 1.108.11 source read for these questions)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import TeamTable, UserTable
from budgets import services as budget_services
from config import writes
from config.errors import ChangeRefused
from keys import services as key_services
from keys.models import VerificationToken
from tests import factories

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.schema]

ACTOR = writes.Actor(changed_by="admin-user")


# --- 8. Empty and padded durations ----------------------------------------------------------------
# litellm-compat.md §2 / litellm-exact.md §7: validate_budget_duration answers 400 to "" and to
# " 1d" (leading space: duration_in_seconds raises); only null clears the duration.


@pytest.mark.parametrize("bad", ["", " 1d"])
def test_every_service_refuses_empty_and_padded_durations(cast, bad):
    team_before = TeamTable.objects.get(team_id=cast.team["team_id"])
    attempts = [
        lambda: services.team_create(actor=ACTOR, team_alias="Dur", budget_duration=bad),
        lambda: services.team_update(actor=ACTOR, team_id=cast.team["team_id"], changes={"budget_duration": bad}),
        lambda: services.user_create(actor=ACTOR, email="d@example.com", role="internal_user", budget_duration=bad),
        lambda: services.user_update(actor=ACTOR, user_id=cast.member["user_id"], changes={"budget_duration": bad}),
        lambda: services.team_member_add(
            actor=ACTOR, team_id=cast.team["team_id"], user_id=cast.outsider["user_id"], budget_duration=bad
        ),
        lambda: key_services.key_create(actor=ACTOR, data={"key_alias": "dur", "budget_duration": bad}),
        lambda: budget_services.check_limits({"budget_duration": bad}),
    ]
    key = factories.make_key(user_id=cast.member["user_id"], budget_duration="1d")
    attempts.append(lambda: key_services.key_update(actor=ACTOR, token=key["token"], changes={"budget_duration": bad}))
    for attempt in attempts:
        with pytest.raises(ChangeRefused) as e:
            attempt()
        assert e.value.field == "budget_duration"
    assert not TeamTable.objects.filter(team_alias="Dur").exists()
    assert not UserTable.objects.filter(user_email="d@example.com").exists()
    assert not VerificationToken.objects.filter(key_alias="dur").exists()
    assert VerificationToken.objects.get(token=key["token"]).budget_duration == "1d"
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).budget_duration == team_before.budget_duration


def test_null_clears_the_duration_and_its_reset(cast):
    services.team_update(actor=ACTOR, team_id=cast.team["team_id"], changes={"budget_duration": "1d"})
    services.team_update(actor=ACTOR, team_id=cast.team["team_id"], changes={"budget_duration": None})
    team = TeamTable.objects.get(team_id=cast.team["team_id"])
    assert team.budget_duration is None and team.budget_reset_at is None


# --- 3. User delete: keys deleted, not archived ----------------------------------------------------
# litellm-exact.md §3 (correcting litellm-compat.md §1): /user/delete, what LiteLLM's UI calls,
# delete_many's the user's keys without LiteLLM_DeletedVerificationToken rows; one `deleted`
# audit per key, after the user's own `deleted` row.


def test_user_delete_deletes_keys_without_archiving_them(cast, client):
    from config.models import AuditLog
    from keys.models import DeletedVerificationToken

    victim = factories.make_user(email="gone@example.com")
    key = factories.make_key(user_id=victim["user_id"], spend=2.0)
    client.force_login(cast.ops)
    page = client.get(reverse("accounts:user_delete", args=[victim["user_id"]]))
    assert "Deleted Keys" in page.content.decode()
    services.user_delete(actor=ACTOR, user_id=victim["user_id"])
    assert not VerificationToken.objects.filter(token=key["token"]).exists()
    if DeletedVerificationToken.table_exists():
        assert not DeletedVerificationToken.objects.filter(token=key["token"]).exists()
    user_row = AuditLog.objects.get(action="deleted", object_id=victim["user_id"])
    key_row = AuditLog.objects.get(action="deleted", object_id=key["token"])
    assert user_row.table_name == UserTable._meta.db_table and key_row.table_name == VerificationToken._meta.db_table
    assert user_row.updated_at <= key_row.updated_at


# --- 2. Member added by an email typed in another case -------------------------------------------
# litellm-exact.md §2: /team/member_add resolves the user case-insensitively but
# _resolve_member_identity never overwrites a value the caller supplied, so
# members_with_roles.user_email keeps the caller's spelling; _is_member_addressed_by compares
# emails exactly (litellm-compat.md §3: the roster lives in three places).


def test_member_added_by_email_keeps_the_callers_spelling(cast):
    team = factories.make_team(alias="Spelling")
    added = services.team_member_add(actor=ACTOR, team_id=team["team_id"], email="Member@Example.COM")
    assert added.user_id == cast.member["user_id"] and not added.created_user
    [entry] = TeamTable.objects.get(team_id=team["team_id"]).members_with_roles
    assert entry == {"user_id": cast.member["user_id"], "user_email": "Member@Example.COM", "role": "user"}
    assert UserTable.objects.get(user_id=cast.member["user_id"]).user_email == "member@example.com"
    # The console's own lookups ignore case: a second add in yet another spelling is refused.
    with pytest.raises(ChangeRefused):
        services.team_member_add(actor=ACTOR, team_id=team["team_id"], email="MEMBER@example.com")
    services.team_member_remove(actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"])
    assert TeamTable.objects.get(team_id=team["team_id"]).members_with_roles == []


def test_email_only_roster_entries_of_a_deleted_user_go_whatever_their_case(cast):
    victim = factories.make_user(email="gone@example.com")
    team = factories.make_team(alias="Legacy")
    keep = {"user_id": cast.member["user_id"], "user_email": "member@example.com", "role": "user"}
    TeamTable.objects.filter(team_id=team["team_id"]).update(
        members_with_roles=[{"user_id": None, "user_email": "Gone@Example.com", "role": "user"}, keep]
    )
    UserTable.objects.filter(user_id=victim["user_id"]).update(teams=[team["team_id"]])
    services.user_delete(actor=ACTOR, user_id=victim["user_id"])
    assert TeamTable.objects.get(team_id=team["team_id"]).members_with_roles == [keep]


# --- 1. A team created by an ops login ------------------------------------------------------------
# litellm-exact.md §1 (adding to litellm-compat.md §3 "/team/new"): the master-key caller is
# user_id default_user_id, role proxy_admin; _should_auto_add_team_creator adds it as admin unless
# general_settings.disable_auto_add_proxy_admin_to_teams; add_new_member upserts its user row
# (role internal_user when new) and a TeamMembership; the `created` audit shows members_with_roles [].


def _ops_creates_team(cast, client, alias):
    client.force_login(cast.ops)
    response = client.post(reverse("accounts:team_create"), {"team_alias": alias, "organization_id": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    return TeamTable.objects.get(team_alias=alias)


def test_ops_team_create_adds_default_user_id_as_admin(cast, client):
    from accounts.models import TeamMembership
    from config.models import AuditLog

    team = _ops_creates_team(cast, client, "Ops made")
    assert team.members_with_roles == [{"user_id": "default_user_id", "user_email": None, "role": "admin"}]
    admin = UserTable.objects.get(user_id="default_user_id")
    assert admin.user_role == "internal_user" and admin.teams == [team.team_id] and admin.models == []
    assert admin.budget_reset_at is None
    membership = TeamMembership.objects.get(user_id="default_user_id", team_id=team.team_id)
    assert membership.budget_id is None
    [created] = AuditLog.objects.filter(object_id=team.team_id)
    assert created.action == "created" and created.updated_values["members_with_roles"] == []
    assert not AuditLog.objects.filter(object_id="default_user_id").exists()


def test_ops_team_create_keeps_an_existing_default_user_id_row(cast, client):
    factories.make_user(user_id="default_user_id", role="proxy_admin", teams=["older"])
    team = _ops_creates_team(cast, client, "Second")
    admin = UserTable.objects.get(user_id="default_user_id")
    assert admin.user_role == "proxy_admin" and admin.teams == ["older", team.team_id]


def test_disable_auto_add_proxy_admin_to_teams_leaves_the_roster_empty(cast, client, settings):
    settings.LITELLM_DISABLE_AUTO_ADD_PROXY_ADMIN_TO_TEAMS = True
    team = _ops_creates_team(cast, client, "Bare")
    assert team.members_with_roles == []
    assert not UserTable.objects.filter(user_id="default_user_id").exists()
    # The flag is for proxy admins only: any other creator with a user_id still joins as admin.
    made = services.team_create(
        actor=writes.Actor(changed_by=cast.org_admin["user_id"]),
        creator_user_id=cast.org_admin["user_id"],
        creator_role="internal_user",
        team_alias="Mine",
        organization_id=cast.org["organization_id"],
    )
    roster = TeamTable.objects.get(team_id=made["team_id"]).members_with_roles
    assert [m["user_id"] for m in roster] == [cast.org_admin["user_id"]]


# --- 7. Re-sent durations ---------------------------------------------------------------------------
# litellm-exact.md §7: keeps_due_budget_reset keeps a due reset for the same duration and
# recomputes a future one (aligned, litellm-compat.md §2). The console's choice (budgets.forms.
# budget_changes): an edit that leaves the duration untouched is not a re-send, so the stored
# reset stays, due or not; a changed duration always recomputes.


@pytest.mark.parametrize("offset_days", [-3, 5])
def test_an_untouched_duration_keeps_the_stored_reset(cast, offset_days):
    from datetime import timedelta

    from budgets.forms import budget_changes

    reset_at = writes.now_utc().replace(microsecond=0) + timedelta(days=offset_days, hours=7)
    key = factories.make_key(user_id=cast.member["user_id"], budget_duration="1d", budget_reset_at=reset_at)
    row = VerificationToken.objects.get(token=key["token"])
    stored = {"budget_duration": row.budget_duration, "max_budget": row.max_budget, "budget_reset_at": reset_at}
    changes = budget_changes({"budget_duration": "1d", "max_budget": 9.0}, stored)
    assert changes == {"max_budget": 9.0}
    key_services.key_update(actor=ACTOR, token=key["token"], changes=changes)
    assert VerificationToken.objects.get(token=key["token"]).budget_reset_at == reset_at
    team_changed = services.team_update(actor=ACTOR, team_id=cast.team["team_id"], changes={"budget_duration": "1d"})
    assert "budget_reset_at" in team_changed  # a changed duration recomputes
    TeamTable.objects.filter(team_id=cast.team["team_id"]).update(budget_reset_at=reset_at)
    assert services.team_update(
        actor=ACTOR, team_id=cast.team["team_id"], changes={"budget_duration": "1d", "max_budget": 7.0}
    ) == {"max_budget": 7.0}
    assert TeamTable.objects.get(team_id=cast.team["team_id"]).budget_reset_at == reset_at
    changed = budget_changes({"budget_duration": "7d"}, stored)
    assert changed == {"budget_duration": "7d"}  # the service derives the reset (one rule)
    key_services.key_update(actor=ACTOR, token=key["token"], changes=changed)
    assert VerificationToken.objects.get(token=key["token"]).budget_reset_at != reset_at


# --- 4. Two trails, one Audit page ---------------------------------------------------------------
# litellm-exact.md §4: LiteLLM_AuditLogs.table_name is a LitellmTableNames (no BudgetTable,
# OrganizationTable, InvitationLink, ...): those rows go into the console's own trail. The
# autouse check in tests/conftest.py validates every LiteLLM_AuditLog row each test leaves.


def test_untracked_tables_go_to_the_consoles_trail_and_the_page_shows_both(cast, client_for):
    from config.models import AuditLog, ConsoleAuditLog

    budget_row = writes.audit(ACTOR, writes.UPDATED, "BudgetTable", "b-1", {"max_budget": 1}, {"max_budget": 2})
    org_row = writes.audit(ACTOR, writes.CREATED, "OrganizationTable", "o-1", None, {"organization_alias": "A"})
    team_row = writes.audit(ACTOR, writes.UPDATED, "TeamTable", cast.team["team_id"], {}, {"max_budget": 3})
    assert not AuditLog.objects.filter(id__in=[budget_row, org_row]).exists()
    assert set(ConsoleAuditLog.objects.values_list("id", flat=True)) >= {budget_row, org_row}
    assert AuditLog.objects.filter(id=team_row).exists()
    assert not ConsoleAuditLog.objects.filter(id=team_row).exists()

    admin = client_for(cast.proxy_admin)
    page = admin.get(reverse("audit:audit_list"))
    rows = [(r.record.id, r.record.trail) for r in page.context["table"].page.object_list]
    # the three newest, from both trails (written within a millisecond or two, so not ordered here)
    assert set(rows[:3]) == {(team_row, "litellm"), (org_row, "console"), (budget_row, "console")}
    html = page.content.decode()
    assert "LiteLLM_AuditLog" in html and "Console" in html
    updated = admin.get(reverse("audit:audit_list"), {"action": "updated"})
    assert {r.record.id for r in updated.context["table"].page.object_list} == {team_row, budget_row}
    csv = b"".join(admin.get(reverse("audit:audit_list"), {"export": "csv"}).streaming_content).decode()
    lines = csv.splitlines()
    assert "Trail" in lines[0]
    assert any("Console" in line and "b-1" in line for line in lines)
    assert any("LiteLLM_AuditLog" in line and cast.team["team_id"] in line for line in lines)
    detail = admin.get(reverse("audit:audit_detail", args=[budget_row]))
    assert detail.status_code == 200 and "Console" in detail.content.decode()


def test_an_unknown_audit_action_is_refused():
    with pytest.raises(ValueError):
        writes.audit(ACTOR, "renamed", "TeamTable", "t", None, {})


# --- 5. Who changed it ------------------------------------------------------------------------------
# litellm-exact.md §5: a master-key caller is recorded as changed_by="default_user_id",
# changed_by_api_key="litellm_proxy_master_key"; a console LiteLLM user has no key hash: "".


def test_an_ops_login_is_recorded_as_the_master_key_and_attributed_in_the_consoles_trail(cast, client):
    from config.models import AuditAttribution, AuditLog

    team = _ops_creates_team(cast, client, "Attributed")
    [row] = AuditLog.objects.filter(object_id=team.team_id)
    assert (row.changed_by, row.changed_by_api_key) == ("default_user_id", "litellm_proxy_master_key")
    who = AuditAttribution.objects.get(audit_id=row.id)
    assert (who.trail, who.ops_username, who.client_address) == ("litellm", "ops", "127.0.0.1")
    page = client.get(reverse("audit:audit_list"), {"changed_by": "ops"})
    assert row.id in {r.record.id for r in page.context["table"].page.object_list}
    assert "ops" in client.get(reverse("audit:audit_detail", args=[row.id])).content.decode()


def test_a_litellm_user_is_recorded_by_user_id_without_a_key_hash(cast, client_for):
    from config.models import AuditAttribution, AuditLog

    client_for(cast.org_admin).post(
        reverse("accounts:team_create"), {"team_alias": "Theirs", "organization_id": cast.org["organization_id"]}
    )
    team = TeamTable.objects.get(team_alias="Theirs")
    [row] = AuditLog.objects.filter(object_id=team.team_id)
    assert (row.changed_by, row.changed_by_api_key) == (cast.org_admin["user_id"], "")
    assert not AuditAttribution.objects.filter(audit_id=row.id).exists()


# --- 6. Key payloads as LiteLLM's key hooks write them ----------------------------------------------
# litellm-exact.md §6 (correcting litellm-compat.md §6): key created = the /key/generate
# GenerateKeyResponse (exclude_none, masked key, no budget_reset_at, router_settings
# {"model_group_alias": {}}); rotated = the regenerate GenerateKeyResponse; updated = the
# UpdateKeyRequest fields only.


def test_key_audit_payloads_take_the_hooks_shapes(cast):
    from config.models import AuditLog

    factories.make_user(user_id="admin-user", role="proxy_admin")
    issued = key_services.key_create(actor=ACTOR, data={"key_alias": "shape", "budget_duration": "1d"})
    created = AuditLog.objects.get(object_id=issued.token, action="created").updated_values
    assert created["key"].startswith("sk-") and created["key"] != issued.raw and len(created["key"]) == len(issued.raw)
    assert created["token"] == created["token_id"] == issued.token
    assert created["router_settings"] == {"model_group_alias": {}}
    assert "budget_reset_at" not in created and "soft_budget" not in created
    assert None not in created.values() and created["budget_duration"] == "1d"

    key_services.key_update(actor=ACTOR, token=issued.token, changes={"max_budget": 9.0, "budget_duration": "7d"})
    updated = AuditLog.objects.get(object_id=issued.token, action="updated")
    assert set(updated.updated_values) == {"key", "max_budget", "budget_duration"}
    assert updated.updated_values["key"] != issued.token and len(updated.updated_values["key"]) == 64
    assert None not in updated.before_value.values()

    rotated_key = key_services.key_regenerate(actor=ACTOR, token=issued.token)
    rotated = AuditLog.objects.get(object_id=issued.token, action="rotated").updated_values
    assert rotated["token_id"] == rotated_key.token and "token" not in rotated
    assert rotated["router_settings"] == {"model_group_alias": {}} and "budget_reset_at" not in rotated
