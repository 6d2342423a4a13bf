"""The rows the people services write, field by field against litellm-compat.md §3-§5."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest

from accounts import passwords, services
from accounts.models import (
    DeletedTeamTable,
    InvitationLink,
    OrganizationMembership,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)
from budgets import services as budget_services
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused
from config.models import AuditLog, ConsoleAuditLog
from keys.models import DeletedVerificationToken, VerificationToken
from tests import factories

pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.schema]

ACTOR = writes.Actor(changed_by="admin-user")


def audits(object_id, action=None):
    """Both trails: LiteLLM_AuditLog and the console's own (tables LiteLLM does not audit)."""
    rows = []
    for model in (AuditLog, ConsoleAuditLog):
        qs = model.objects.filter(object_id=object_id)
        if action:
            qs = qs.filter(action=action)
        rows += list(qs)
    return sorted(rows, key=lambda r: r.updated_at)


def is_uuid4(value: str) -> bool:
    return uuid.UUID(value).version == 4


def litellm_verify(password: str, stored: str) -> bool:
    """litellm/proxy/utils.py::verify_password, re-implemented independently."""
    raw = base64.b64decode(stored[len("scrypt:") :])
    salt, dk = raw[:16], raw[16:]
    return hmac.compare_digest(dk, hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1, dklen=32))


# --- users -----------------------------------------------------------------------------------


def test_user_create_writes_the_row_user_new_writes():
    row = services.user_create(
        actor=ACTOR, email="New.Person@Example.com", role="internal_user", max_budget=5.0, budget_duration="30d"
    )
    user = UserTable.objects.get(user_id=row["user_id"])
    assert is_uuid4(user.user_id)
    assert user.user_email == "New.Person@Example.com"
    assert user.user_role == "internal_user"
    assert user.models == [] and user.teams == [] and user.metadata == {}
    assert user.spend == 0.0 and user.max_budget == 5.0
    assert user.budget_duration == "30d"
    first_of_next_month = (writes.now_utc().replace(day=1) + timedelta(days=32)).replace(day=1)
    assert user.budget_reset_at.date() == first_of_next_month.date()  # 30d aligns to the 1st
    assert user.password is None
    assert VerificationToken.objects.filter(user_id=user.user_id).count() == 0  # no key
    [entry] = audits(user.user_id, "created")
    assert entry.before_value is None
    assert writes.decode_audit_value(entry.updated_values)["user_email"] == "New.Person@Example.com"
    assert entry.table_name.endswith("UserTable") and entry.changed_by == "admin-user"


def test_user_create_refuses_a_duplicate_email_in_any_case():
    factories.make_user(email="dup@example.com")
    with pytest.raises(ChangeRefused) as e:
        services.user_create(actor=ACTOR, email="DUP@example.com", role="internal_user")
    assert e.value.field == "email"
    assert UserTable.objects.filter(user_email__iexact="dup@example.com").count() == 1


def test_user_create_refuses_a_month_budget_other_than_1mo():
    with pytest.raises(ChangeRefused) as e:
        services.user_create(actor=ACTOR, email="m@example.com", role="internal_user", budget_duration="2mo")
    assert e.value.field == "budget_duration"
    assert not UserTable.objects.filter(user_email="m@example.com").exists()


def test_user_update_writes_only_changed_columns_and_never_spend():
    user = factories.make_user(email="u@example.com", spend=12.5)
    changed = services.user_update(
        actor=ACTOR,
        user_id=user["user_id"],
        changes={"user_alias": "Ursula", "user_email": "u@example.com", "budget_duration": "1d"},
    )
    assert set(changed) == {"user_alias", "budget_duration", "budget_reset_at"}
    row = UserTable.objects.get(user_id=user["user_id"])
    assert row.user_alias == "Ursula" and row.spend == 12.5
    assert row.budget_reset_at == (writes.now_utc() + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    [entry] = audits(user["user_id"], "updated")
    assert writes.decode_audit_value(entry.before_value)["user_alias"] is None
    assert writes.decode_audit_value(entry.updated_values)["user_alias"] == "Ursula"


def test_user_delete_cascades_as_litellm_does(cast):
    victim = factories.make_user(email="gone@example.com", password=passwords.hash_password("Secret-Pass-1"))
    team = factories.make_team(alias="T", members=[(victim, "user"), (cast.member, "admin")])
    factories.make_org_membership(cast.org["organization_id"], victim["user_id"])
    key = factories.make_key(user_id=victim["user_id"], team_id=team["team_id"], spend=3.0)
    other_key = factories.make_key(user_id=cast.member["user_id"])
    invited = factories.make_user(email="invitee@example.com")
    sent = factories.make_invitation(user_id=invited["user_id"], created_by=victim["user_id"])
    own = factories.make_invitation(user_id=victim["user_id"], created_by=cast.proxy_admin["user_id"])

    services.user_delete(actor=ACTOR, user_id=victim["user_id"])

    assert not UserTable.objects.filter(user_id=victim["user_id"]).exists()
    assert not VerificationToken.objects.filter(token=key["token"]).exists()
    assert VerificationToken.objects.filter(token=other_key["token"]).exists()
    assert not InvitationLink.objects.filter(id__in=[sent["id"], own["id"]]).exists()
    assert not OrganizationMembership.objects.filter(user_id=victim["user_id"]).exists()
    assert not TeamMembership.objects.filter(user_id=victim["user_id"]).exists()
    roster = TeamTable.objects.get(team_id=team["team_id"]).members_with_roles
    assert [m["user_id"] for m in roster] == [cast.member["user_id"]]
    if DeletedVerificationToken.table_exists():
        # /user/delete delete_many's the keys without archiving them (litellm-exact.md §3)
        assert not DeletedVerificationToken.objects.filter(token=key["token"]).exists()
    [deleted] = audits(victim["user_id"], "deleted")
    assert "password" not in writes.decode_audit_value(deleted.before_value)
    assert audits(key["token"], "deleted")
    assert audits(team["team_id"], "updated")


# --- teams and rosters ------------------------------------------------------------------------


def test_team_create_writes_a_team_as_team_new_does():
    team = services.team_create(
        actor=ACTOR, team_alias="Platform", models=["gpt-4o"], max_budget=100.0, budget_duration="7d", tpm_limit=1000
    )
    row = TeamTable.objects.get(team_id=team["team_id"])
    assert is_uuid4(row.team_id)
    assert row.team_alias == "Platform" and row.organization_id is None
    assert row.members_with_roles == [] and row.admins == [] and row.members == []
    assert row.metadata == {} and row.models == ["gpt-4o"] and row.spend == 0.0
    assert row.max_budget == 100.0 and row.tpm_limit == 1000 and row.blocked is False
    assert row.budget_reset_at.weekday() == 0 and row.budget_reset_at.hour == 0  # 7d -> next Monday
    from django.db import connections

    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'SELECT jsonb_typeof(members_with_roles) FROM "{TeamTable._meta.db_table}" WHERE team_id = %s',
            [row.team_id],
        )
        assert cursor.fetchone()[0] == "array"
    [entry] = audits(row.team_id, "created")
    assert writes.decode_audit_value(entry.updated_values)["team_alias"] == "Platform"


def test_team_create_by_a_litellm_user_makes_them_admin(cast):
    team = services.team_create(
        actor=writes.Actor(changed_by=cast.org_admin["user_id"], writer_id=cast.org_admin["user_id"]),
        creator_user_id=cast.org_admin["user_id"],
        team_alias="Mine",
        organization_id=cast.org["organization_id"],
    )
    roster = TeamTable.objects.get(team_id=team["team_id"]).members_with_roles
    assert roster == [{"user_id": cast.org_admin["user_id"], "user_email": "orgadmin@example.com", "role": "admin"}]


def test_member_add_by_user_id_moves_all_three_roster_parts(cast):
    team = factories.make_team(alias="Solo")
    added = services.team_member_add(
        actor=ACTOR, team_id=team["team_id"], user_id=cast.outsider["user_id"], role="admin"
    )
    assert added.created_user is False
    roster = TeamTable.objects.get(team_id=team["team_id"]).members_with_roles
    assert roster == [{"user_id": cast.outsider["user_id"], "user_email": "outsider@example.com", "role": "admin"}]
    assert set(roster[0]) == {"user_id", "user_email", "role"}  # jsonb keeps its own key order
    assert UserTable.objects.get(user_id=cast.outsider["user_id"]).teams.count(team["team_id"]) == 1
    membership = TeamMembership.objects.get(user_id=cast.outsider["user_id"], team_id=team["team_id"])
    assert membership.budget_id is None and membership.spend == 0.0
    [entry] = audits(team["team_id"], "updated")
    assert writes.decode_audit_value(entry.before_value) == {"team_alias": "Solo", "members_with_roles": []}
    assert writes.decode_audit_value(entry.updated_values) == {"team_alias": "Solo", "members_with_roles": roster}


def test_member_add_by_new_email_creates_the_user_as_litellm_does():
    team = factories.make_team(alias="New")
    added = services.team_member_add(
        actor=ACTOR, team_id=team["team_id"], email="fresh@example.com", max_budget_in_team=10.0
    )
    assert added.created_user
    user = UserTable.objects.get(user_id=added.user_id)
    assert is_uuid4(user.user_id) and user.user_role == "internal_user" and user.teams == [team["team_id"]]
    assert user.password is None and user.models == []
    membership = TeamMembership.objects.get(user_id=user.user_id, team_id=team["team_id"])
    budget = BudgetTable.objects.get(budget_id=membership.budget_id)
    assert is_uuid4(budget.budget_id) and budget.max_budget == 10.0
    assert budget.created_by == budget.updated_by == factories.ADMIN_ID  # ops caller: the proxy admin id
    assert audits(user.user_id, "created")


def test_member_add_refuses_someone_already_on_the_roster(cast):
    with pytest.raises(ChangeRefused):
        services.team_member_add(actor=ACTOR, team_id=cast.team["team_id"], email="MEMBER@example.com".lower())
    assert len(TeamTable.objects.get(team_id=cast.team["team_id"]).members_with_roles) == 3


def test_member_add_links_the_team_default_member_budget(cast):
    default = factories.make_budget(max_budget=7.0)
    team = factories.make_team(alias="Budgeted", metadata={"team_member_budget_id": default["budget_id"]})
    services.team_member_add(actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"])
    assert (
        TeamMembership.objects.get(user_id=cast.member["user_id"], team_id=team["team_id"]).budget_id
        == default["budget_id"]
    )


def test_member_remove_deletes_their_team_keys_and_membership_keeping_the_budget(cast):
    budget = factories.make_budget(max_budget=3.0)
    team = factories.make_team(alias="R", members=[(cast.member, "user"), (cast.team_admin, "admin")])
    from django.db import connections

    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{TeamMembership._meta.db_table}" SET budget_id=%s WHERE user_id=%s AND team_id=%s',
            [budget["budget_id"], cast.member["user_id"], team["team_id"]],
        )
    team_key = factories.make_key(user_id=cast.member["user_id"], team_id=team["team_id"])
    personal = factories.make_key(user_id=cast.member["user_id"])
    services.team_member_remove(actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"])
    roster = TeamTable.objects.get(team_id=team["team_id"]).members_with_roles
    assert [m["user_id"] for m in roster] == [cast.team_admin["user_id"]]
    assert team["team_id"] not in UserTable.objects.get(user_id=cast.member["user_id"]).teams
    assert not TeamMembership.objects.filter(user_id=cast.member["user_id"], team_id=team["team_id"]).exists()
    assert not VerificationToken.objects.filter(token=team_key["token"]).exists()
    assert VerificationToken.objects.filter(token=personal["token"]).exists()
    assert BudgetTable.objects.filter(budget_id=budget["budget_id"]).exists()  # orphaned, as LiteLLM leaves it
    if DeletedVerificationToken.table_exists():
        assert DeletedVerificationToken.objects.filter(token=team_key["token"]).exists()
    assert audits(team_key["token"], "deleted")


def test_member_role_change_rewrites_only_that_entry(cast):
    services.team_member_set_role(
        actor=ACTOR, team_id=cast.team["team_id"], user_id=cast.member["user_id"], role="admin"
    )
    roster = {m["user_id"]: m["role"] for m in TeamTable.objects.get(team_id=cast.team["team_id"]).members_with_roles}
    assert roster[cast.member["user_id"]] == "admin" and roster[cast.team_admin["user_id"]] == "admin"
    assert roster[cast.internal_viewer["user_id"]] == "user"
    assert audits(cast.team["team_id"], "updated")


def test_member_budget_clones_the_shared_default_on_write(cast):
    default = factories.make_budget(max_budget=7.0, tpm_limit=50)
    team = factories.make_team(alias="Shared", metadata={"team_member_budget_id": default["budget_id"]})
    services.team_member_add(actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"])
    services.team_member_add(actor=ACTOR, team_id=team["team_id"], user_id=cast.team_admin["user_id"])
    new_id = budget_services.team_member_set_budget(
        actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"], patch={"max_budget": 20.0}
    )
    assert new_id != default["budget_id"]
    clone = BudgetTable.objects.get(budget_id=new_id)
    assert clone.max_budget == 20.0 and clone.tpm_limit == 50
    assert BudgetTable.objects.get(budget_id=default["budget_id"]).max_budget == 7.0  # shared row untouched
    assert (
        TeamMembership.objects.get(user_id=cast.team_admin["user_id"], team_id=team["team_id"]).budget_id
        == default["budget_id"]
    )
    # a second edit patches the member's own row in place
    assert (
        budget_services.team_member_set_budget(
            actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"], patch={"budget_duration": "1d"}
        )
        == new_id
    )
    assert BudgetTable.objects.get(budget_id=new_id).budget_reset_at is not None
    assert audits(new_id, "created") and audits(new_id, "updated")


def test_member_budget_clone_is_the_row_upsert_budget_and_membership_creates(cast):
    """common_utils.py::upsert_budget_and_membership: the clone copies the shared default's set
    limits but not its model_max_budget (written {}), keeps its reset time when the duration is
    not touched, and is stamped created_by/updated_by = the caller."""
    reset_at = writes.now_utc().replace(microsecond=0) + timedelta(days=3)
    default = factories.make_budget(
        max_budget=7.0,
        rpm_limit=9,
        budget_duration="1mo",
        budget_reset_at=reset_at,
        model_max_budget={"gpt-4o": {"max_budget": 1.0}},
    )
    team = factories.make_team(alias="Clone", metadata={"team_member_budget_id": default["budget_id"]})
    services.team_member_add(actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"])
    new_id = budget_services.team_member_set_budget(
        actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"], patch={"tpm_limit": 100}
    )
    clone = BudgetTable.objects.get(budget_id=new_id)
    assert uuid.UUID(new_id).version == 4
    assert clone.max_budget == 7.0 and clone.rpm_limit == 9 and clone.tpm_limit == 100
    assert clone.budget_duration == "1mo" and clone.budget_reset_at == reset_at
    assert clone.model_max_budget == {}
    assert clone.soft_budget is None and clone.max_parallel_requests is None
    assert clone.created_by == clone.updated_by == writes.writer_id(ACTOR)  # the caller (or the admin id)
    assert clone.created_at == clone.updated_at
    assert TeamMembership.objects.get(user_id=cast.member["user_id"], team_id=team["team_id"]).budget_id == new_id


def test_bulk_member_budget_edit_clones_a_row_other_memberships_share(cast):
    """bulk_team_member_budgets.py: a budget row several memberships point at is cloned for the
    edited member (copying its model_max_budget and reset time); the others keep the row unchanged."""
    reset_at = writes.now_utc().replace(microsecond=0) + timedelta(hours=5)
    pooled = factories.make_budget(
        max_budget=8.0, budget_duration="1d", budget_reset_at=reset_at, model_max_budget={"gpt-4o": {"max_budget": 2.0}}
    )
    team = factories.make_team(alias="Pool", members=[(cast.member, "user"), (cast.team_admin, "user")])
    for user in (cast.member, cast.team_admin):
        writes.update_row(
            TeamMembership, {"user_id": user["user_id"], "team_id": team["team_id"]}, {"budget_id": pooled["budget_id"]}
        )
    budget_services.team_member_budgets_update(
        actor=ACTOR, team_id=team["team_id"], patches={cast.member["user_id"]: {"max_budget": 30.0}}
    )
    pooled_row = BudgetTable.objects.get(budget_id=pooled["budget_id"])
    assert pooled_row.max_budget == 8.0 and pooled_row.updated_at == pooled["updated_at"]
    other = TeamMembership.objects.get(user_id=cast.team_admin["user_id"], team_id=team["team_id"])
    assert other.budget_id == pooled["budget_id"]
    mine = TeamMembership.objects.get(user_id=cast.member["user_id"], team_id=team["team_id"])
    assert mine.budget_id != pooled["budget_id"]
    clone = BudgetTable.objects.get(budget_id=mine.budget_id)
    assert clone.max_budget == 30.0 and clone.budget_duration == "1d" and clone.budget_reset_at == reset_at
    assert clone.model_max_budget == {"gpt-4o": {"max_budget": 2.0}}
    assert clone.created_by == clone.updated_by == writes.writer_id(ACTOR)


def test_member_add_with_a_duration_clones_the_default_with_its_model_budgets(cast):
    """_clone_team_default_budget_for_member copies model_max_budget (even {}) and starts a new
    reset window for the member's own duration."""
    default = factories.make_budget(max_budget=4.0, budget_duration="1mo", model_max_budget={})
    team = factories.make_team(alias="Window", metadata={"team_member_budget_id": default["budget_id"]})
    services.team_member_add(actor=ACTOR, team_id=team["team_id"], user_id=cast.member["user_id"], budget_duration="1d")
    budget_id = TeamMembership.objects.get(user_id=cast.member["user_id"], team_id=team["team_id"]).budget_id
    assert budget_id != default["budget_id"]
    clone = BudgetTable.objects.get(budget_id=budget_id)
    assert clone.max_budget == 4.0 and clone.budget_duration == "1d"
    assert clone.model_max_budget == {}
    assert clone.budget_reset_at is not None and clone.budget_reset_at.hour == 0
    assert clone.created_by == clone.updated_by == writes.writer_id(ACTOR)  # the caller (or the admin id)


def test_team_update_writes_changed_settings_and_reset_time(cast):
    services.team_update(
        actor=ACTOR,
        team_id=cast.team["team_id"],
        changes={"max_budget": 50.0, "budget_duration": "1mo", "team_alias": "Research"},
    )
    row = TeamTable.objects.get(team_id=cast.team["team_id"])
    assert row.max_budget == 50.0 and row.budget_reset_at.day == 1
    [entry] = audits(cast.team["team_id"], "updated")
    assert set(writes.decode_audit_value(entry.updated_values)) == {"max_budget", "budget_duration", "budget_reset_at"}
    services.team_update(actor=ACTOR, team_id=cast.team["team_id"], changes={"budget_duration": None})
    row = TeamTable.objects.get(team_id=cast.team["team_id"])
    assert row.budget_duration is None and row.budget_reset_at is None
    services.team_update(actor=ACTOR, team_id=cast.team["team_id"], changes={"blocked": True})
    assert audits(cast.team["team_id"], "blocked")


def test_team_delete_archives_and_sweeps(cast):
    key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    team_id = cast.team["team_id"]
    member_updated_at = UserTable.objects.get(user_id=cast.member["user_id"]).updated_at
    services.team_delete(actor=ACTOR, team_id=team_id)
    # _STRIP_DELETED_TEAMS_FROM_USERS_SQL is raw SQL: teams shrinks, updated_at is not stamped
    member = UserTable.objects.get(user_id=cast.member["user_id"])
    assert team_id not in member.teams and member.updated_at == member_updated_at
    assert not TeamTable.objects.filter(team_id=team_id).exists()
    assert not TeamMembership.objects.filter(team_id=team_id).exists()
    assert not UserTable.objects.filter(teams__contains=[team_id]).exists()
    assert not VerificationToken.objects.filter(token=key["token"]).exists()
    if DeletedTeamTable.table_exists():
        archived = DeletedTeamTable.objects.get(team_id=team_id)
        assert archived.team_alias == "Research" and len(archived.members_with_roles) == 3
        # _transform_teams_to_deleted_records: a new uuid id, deleted_at/by, the caller's key hash, no header
        assert is_uuid4(archived.id) and archived.id != team_id
        assert archived.deleted_at is not None and archived.deleted_at.tzinfo is None
        assert archived.deleted_by == writes.writer_id(ACTOR)
        assert archived.deleted_by_api_key is None and archived.litellm_changed_by is None
        assert archived.organization_id == cast.team["organization_id"]
    assert audits(team_id, "deleted") and audits(key["token"], "deleted")


def test_team_delete_removes_its_byok_models_only(cast):
    """delete_team_models: rows named model_name_<team_id>_* whose model_info.team_id is the team."""
    from config.models import ProxyModelTable

    team_id = cast.other_team["team_id"]
    model = factories.make_proxy_model
    model("m-team", f"model_name_{team_id}_gpt", {"team_id": team_id, "team_public_model_name": "gpt"})
    model("m-team-str", f"model_name_{team_id}_str", json.dumps({"team_id": team_id}))  # a JSON string value
    model("m-other-info", f"model_name_{team_id}_x", {"team_id": "someone-else"})
    model("m-public", "gpt-4o", {"team_id": team_id})
    services.team_delete(actor=ACTOR, team_id=team_id)
    assert sorted(ProxyModelTable.objects.values_list("model_id", flat=True)) == ["m-other-info", "m-public"]


def test_team_delete_takes_the_team_out_of_every_access_group(cast):
    """delete_team -> sync_team_access_group_membership: no team row reconciles to no groups."""
    from django.db import connections

    from config import litellm

    team_id = cast.other_team["team_id"]
    has_groups = litellm.catalog().has_column("AccessGroupTable", "assigned_team_ids")
    table = f'"{litellm.table_name("AccessGroupTable")}"'
    if has_groups:
        with connections["litellm"].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (access_group_id, access_group_name, assigned_team_ids, updated_at) "
                "VALUES ('ag-1', 'one', %s, %s)",
                [[team_id, "another-team"], writes.now_utc()],
            )
    services.team_delete(actor=ACTOR, team_id=team_id)
    assert not TeamTable.objects.filter(team_id=team_id).exists()
    if has_groups:
        with connections["litellm"].cursor() as cursor:
            cursor.execute(f"SELECT assigned_team_ids FROM {table} WHERE access_group_id = 'ag-1'")
            assert cursor.fetchone()[0] == ["another-team"]


# --- organizations -----------------------------------------------------------------------------


def test_org_create_makes_its_budget_row(cast):
    org = services.org_create(
        actor=writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"]),
        alias="Initech",
        max_budget=500.0,
        budget_duration="1mo",
    )
    row = OrganizationTable.objects.get(organization_id=org["organization_id"])
    assert is_uuid4(row.organization_id) and row.organization_alias == "Initech"
    assert row.created_by == row.updated_by == cast.proxy_admin["user_id"]
    assert row.metadata == {} and row.models == [] and row.spend == 0.0
    budget = BudgetTable.objects.get(budget_id=row.budget_id)
    assert budget.max_budget == 500.0 and budget.budget_duration == "1mo" and budget.budget_reset_at is None
    assert budget.created_by == cast.proxy_admin["user_id"]
    assert audits(row.organization_id, "created") and audits(row.budget_id, "created")


def test_org_update_writes_the_budget_row_and_the_org(cast):
    services.org_update(
        actor=ACTOR,
        organization_id=cast.org["organization_id"],
        changes={"organization_alias": "Acme Inc"},
        budget_changes={"max_budget": 2000.0, "budget_duration": "30d"},
    )
    org = OrganizationTable.objects.get(organization_id=cast.org["organization_id"])
    budget = BudgetTable.objects.get(budget_id=org.budget_id)
    assert org.organization_alias == "Acme Inc" and budget.max_budget == 2000.0 and budget.budget_reset_at.day == 1
    assert org.updated_by == factories.ADMIN_ID


def test_org_membership_add_change_remove(cast):
    org_id = cast.other_org["organization_id"]
    services.org_member_add(
        actor=ACTOR, organization_id=org_id, user_id=cast.member["user_id"], role="internal_user_viewer"
    )
    m = OrganizationMembership.objects.get(organization_id=org_id, user_id=cast.member["user_id"])
    assert m.user_role == "internal_user_viewer" and m.spend == 0.0 and m.created_at is not None
    services.org_member_set_role(actor=ACTOR, organization_id=org_id, user_id=cast.member["user_id"], role="org_admin")
    assert (
        OrganizationMembership.objects.get(organization_id=org_id, user_id=cast.member["user_id"]).user_role
        == "org_admin"
    )
    services.org_member_remove(actor=ACTOR, organization_id=org_id, user_id=cast.member["user_id"])
    assert not OrganizationMembership.objects.filter(organization_id=org_id, user_id=cast.member["user_id"]).exists()
    assert len(audits(org_id, "updated")) == 3


def test_org_member_add_by_new_email_creates_an_internal_user(cast):
    user_id = services.org_member_add(
        actor=ACTOR, organization_id=cast.org["organization_id"], email="neworg@example.com", role="internal_user"
    )
    user = UserTable.objects.get(user_id=user_id)
    assert user.user_role == "internal_user" and user.user_email == "neworg@example.com" and user.teams == []


# --- end users -------------------------------------------------------------------------------


def test_end_user_block_and_edit():
    eu = factories.make_end_user(alias="acme-app")
    budget = factories.make_budget(max_budget=1.0)
    services.end_user_update(actor=ACTOR, end_user_id=eu["user_id"], changes={"blocked": True})
    assert audits(eu["user_id"], "blocked")
    services.end_user_update(
        actor=ACTOR,
        end_user_id=eu["user_id"],
        changes={
            "alias": "acme",
            "allowed_model_region": "eu",
            "budget_id": budget["budget_id"],
            "default_model": "gpt-4o",
        },
    )
    from accounts.models import EndUserTable

    row = EndUserTable.objects.get(user_id=eu["user_id"])
    assert (row.blocked, row.alias, row.allowed_model_region, row.budget_id, row.default_model, row.spend) == (
        True,
        "acme",
        "eu",
        budget["budget_id"],
        "gpt-4o",
        0.0,
    )
    assert audits(eu["user_id"], "updated")


# --- invitations and passwords ----------------------------------------------------------------


def test_invitation_row_is_what_invitation_new_writes(cast):
    inv = services.invitation_create(
        actor=ACTOR, user_id=cast.member["user_id"], inviter_id=cast.proxy_admin["user_id"]
    )
    assert is_uuid4(inv.id) and inv.user_id == cast.member["user_id"]
    assert inv.is_accepted is False and inv.accepted_at is None
    assert inv.created_at == inv.updated_at
    assert inv.expires_at - inv.created_at == timedelta(days=7)
    assert inv.created_by == inv.updated_by == cast.proxy_admin["user_id"]
    assert audits(inv.id, "created")


def test_ops_invites_as_the_proxy_admin_created_if_missing():
    admin_id = services.ensure_proxy_admin_user(actor=ACTOR)
    row = UserTable.objects.get(user_id=admin_id)
    assert admin_id == "default_user_id" and row.user_role == "proxy_admin"
    result = services.invite_person(actor=ACTOR, inviter_id=admin_id, email="ops-invitee@example.com")
    assert result.invitation.created_by == "default_user_id"


def test_invite_person_is_safe_to_repeat(cast):
    first = services.invite_person(
        actor=ACTOR,
        inviter_id=cast.proxy_admin["user_id"],
        email="alice@example.com",
        team_id=cast.team["team_id"],
        organization_id=cast.org["organization_id"],
        max_budget=25.0,
    )
    again = services.invite_person(
        actor=ACTOR, inviter_id=cast.proxy_admin["user_id"], email="Alice@example.com", team_id=cast.team["team_id"]
    )
    assert first.status == "invited" and again.status == "already pending"
    assert again.invitation.id == first.invitation.id
    assert InvitationLink.objects.filter(user_id=first.user_id).count() == 1
    user = UserTable.objects.get(user_id=first.user_id)
    assert user.max_budget == 25.0 and user.teams == [cast.team["team_id"]]
    assert OrganizationMembership.objects.get(user_id=user.user_id).organization_id == cast.org["organization_id"]
    assert any(
        m["user_id"] == user.user_id for m in TeamTable.objects.get(team_id=cast.team["team_id"]).members_with_roles
    )


def test_accepting_an_invitation_is_what_claim_token_writes(cast):
    session = factories.make_key(user_id=cast.member["user_id"], team_id="litellm-dashboard")
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    services.invitation_accept(invitation_id=inv["id"], password="Correct-Horse-9")
    row = InvitationLink.objects.get(id=inv["id"])
    assert row.is_accepted is True and row.accepted_at is not None
    assert row.updated_by == cast.member["user_id"] and row.updated_at >= row.created_at
    user = UserTable.objects.get(user_id=cast.member["user_id"])
    assert user.password.startswith("scrypt:") and len(base64.b64decode(user.password[7:])) == 48
    assert passwords.verify_password("Correct-Horse-9", user.password)
    assert litellm_verify("Correct-Horse-9", user.password)
    if UserTable.has_column("password_reset_required"):
        assert user.password_reset_required is False and user.last_breach_check_at is None
    assert not VerificationToken.objects.filter(token=session["token"]).exists()  # old UI sessions revoked
    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept(invitation_id=inv["id"], password="Correct-Horse-9")


@pytest.mark.parametrize(
    "password", ["Short-1a", "alllowercase-123", "ALLUPPERCASE-123", "NoDigits-here!", "NoSpecial12345a"]
)
def test_accept_refuses_passwords_outside_litellms_policy(cast, password):
    inv = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    with pytest.raises(ChangeRefused):
        services.invitation_accept(invitation_id=inv["id"], password=password)
    assert InvitationLink.objects.get(id=inv["id"]).is_accepted is False
    assert UserTable.objects.get(user_id=cast.member["user_id"]).password is None


def test_expiry_is_judged_by_date(cast):
    inv = factories.make_invitation(
        user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"], expires_in_days=0
    )
    row = InvitationLink.objects.get(id=inv["id"])
    assert services.invitation_status(row) == "pending"  # valid through the whole expiry day
    services.invitation_check(inv["id"])
    old = factories.make_invitation(
        user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"], expires_in_days=-1
    )
    assert services.invitation_status(InvitationLink.objects.get(id=old["id"])) == "expired"
    with pytest.raises(services.InvitationUnusable):
        services.invitation_check(old["id"])


def test_reissue_replaces_an_expired_invitation(cast):
    old = factories.make_invitation(
        user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"], expires_in_days=-3
    )
    new = services.invitation_reissue(actor=ACTOR, invitation_id=old["id"], inviter_id=cast.proxy_admin["user_id"])
    assert services.invitation_status(new) == "pending"
    assert not InvitationLink.objects.filter(id=old["id"]).exists()
    assert audits(old["id"], "deleted") and audits(new.id, "created")


def test_legacy_sha256_password_is_accepted_and_upgraded():
    from accounts.auth import LiteLLMUserBackend

    user = factories.make_user(email="legacy@example.com", password=hashlib.sha256(b"Old-Password-1").hexdigest())
    assert LiteLLMUserBackend().authenticate(None, username="LEGACY@example.com", password="Old-Password-1")
    row = UserTable.objects.get(user_id=user["user_id"])
    assert row.password.startswith("scrypt:") and litellm_verify("Old-Password-1", row.password)
    # _rehash_password_if_needed: only the password, plus Prisma's @updatedAt stamp
    assert row.updated_at > user["updated_at"]
    assert (row.user_role, row.teams, row.max_budget) == (user["user_role"], user["teams"], user.get("max_budget"))
    assert LiteLLMUserBackend().authenticate(None, username="legacy@example.com", password="wrong") is None
