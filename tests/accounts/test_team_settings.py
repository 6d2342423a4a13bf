"""A team's default member budget, metadata and member permissions, written as LiteLLM's
/team/new and /team/update write them (accounts/services/team_settings.py)."""

from __future__ import annotations

import re

import pytest

from accounts import services
from accounts.models import TeamMembership, TeamTable
from budgets.models import BudgetTable
from config import writes
from config.errors import ChangeRefused, EditConflict
from config.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

ACTOR = writes.Actor(changed_by="admin-user", writer_id="admin-user")


def team(team_id):
    return TeamTable.objects.get(team_id=team_id)


def test_create_with_a_default_member_budget_makes_litellms_budget_row():
    created = services.team_create(
        actor=ACTOR,
        team_alias="Data Science",
        budget_duration="7d",
        team_member_budget=25.0,
        team_member_tpm_limit=1000,
        metadata={"cost_center": "ds-1"},
    )
    row = team(created["team_id"])
    budget_id = row.metadata["team_member_budget_id"]
    assert re.fullmatch(r"team-Data-Science-budget-[0-9a-f]{32}", budget_id)
    assert row.metadata["cost_center"] == "ds-1"
    budget = BudgetTable.objects.get(budget_id=budget_id)
    # the member duration was not given: the team's own (create_team_member_budget_table)
    assert (budget.max_budget, budget.tpm_limit, budget.rpm_limit, budget.budget_duration) == (25.0, 1000, None, "7d")
    assert budget.budget_reset_at is not None and budget.budget_reset_at.weekday() == 0  # aligned: a Monday
    assert budget.created_by == budget.updated_by == "admin-user"
    audit = AuditLog.objects.get(object_id=row.team_id, action="created")
    assert audit.updated_values["metadata"]["team_member_budget_id"] == budget_id


def test_create_without_member_fields_makes_no_budget_row():
    before = BudgetTable.objects.count()
    created = services.team_create(actor=ACTOR, team_alias="plain")
    assert team(created["team_id"]).metadata == {}
    assert BudgetTable.objects.count() == before


def test_reserved_metadata_keys_are_refused_and_kept():
    with pytest.raises(ChangeRefused, match="team_member_budget_id"):
        services.team_create(actor=ACTOR, team_alias="sneaky", metadata={"team_member_budget_id": "free"})
    row = factories.make_team(metadata={"team_member_budget_id": "b-1", "logging": [{"callback_vars": {"k": "enc"}}]})
    services.team_update(actor=ACTOR, team_id=row["team_id"], changes={"metadata": {"owner": "ml"}})
    assert team(row["team_id"]).metadata == {
        "owner": "ml",
        "team_member_budget_id": "b-1",
        "logging": [{"callback_vars": {"k": "enc"}}],
    }
    with pytest.raises(ChangeRefused):
        services.team_update(actor=ACTOR, team_id=row["team_id"], changes={"metadata": {"logging": []}})


def test_update_sets_then_changes_the_default_and_backfills_members():
    alice, bob = factories.make_user(), factories.make_user()
    row = factories.make_team(alias="ops team", members=[(alice, "user"), (bob, "user")])
    own = factories.make_budget(max_budget=99.0)
    TeamMembership.objects.filter(team_id=row["team_id"], user_id=bob["user_id"]).update(budget_id=own["budget_id"])
    services.team_update(
        actor=ACTOR, team_id=row["team_id"], changes={"team_member_budget": 10.0, "team_member_budget_duration": "1mo"}
    )
    budget_id = team(row["team_id"]).metadata["team_member_budget_id"]
    assert budget_id.startswith("team-ops-team-budget-")
    budget = BudgetTable.objects.get(budget_id=budget_id)
    assert (budget.max_budget, budget.budget_duration, budget.budget_reset_at.day) == (10.0, "1mo", 1)
    # backfill: the member without a budget gets the default, the one with their own keeps it
    memberships = dict(TeamMembership.objects.filter(team_id=row["team_id"]).values_list("user_id", "budget_id"))
    assert memberships == {alice["user_id"]: budget_id, bob["user_id"]: own["budget_id"]}
    # a second edit changes the same row (no new one), only the field sent
    services.team_update(actor=ACTOR, team_id=row["team_id"], changes={"team_member_budget": 12.5})
    assert team(row["team_id"]).metadata["team_member_budget_id"] == budget_id
    budget = BudgetTable.objects.get(budget_id=budget_id)
    assert (budget.max_budget, budget.budget_duration) == (12.5, "1mo")
    # all sent fields cleared: nulled on the row (clear_team_member_budget_fields), row kept
    services.team_update(
        actor=ACTOR, team_id=row["team_id"], changes={"team_member_budget": None, "team_member_budget_duration": None}
    )
    budget = BudgetTable.objects.get(budget_id=budget_id)
    assert (budget.max_budget, budget.budget_duration, budget.budget_reset_at) == (None, None, None)


def test_member_default_edit_refuses_a_stale_form():
    row = factories.make_team()
    services.team_update(actor=ACTOR, team_id=row["team_id"], changes={"team_member_budget": 10.0})
    services.team_update(actor=ACTOR, team_id=row["team_id"], changes={"team_member_budget": 20.0})
    with pytest.raises(EditConflict):
        services.team_update(
            actor=ACTOR,
            team_id=row["team_id"],
            changes={"team_member_budget": 30.0},
            expected={"team_member_budget": 10.0},
        )


def test_member_permissions_written_in_litellms_order_and_unknown_refused():
    row = factories.make_team()
    services.team_update(
        actor=ACTOR, team_id=row["team_id"], changes={"team_member_permissions": ["/key/delete", "/key/generate"]}
    )
    assert team(row["team_id"]).team_member_permissions == ["/key/generate", "/key/delete"]
    audit = AuditLog.objects.filter(object_id=row["team_id"], action="updated").latest("updated_at")
    assert audit.updated_values == {"team_member_permissions": ["/key/generate", "/key/delete"]}
    with pytest.raises(ChangeRefused, match="/team/daily/activity/export"):
        services.team_update(
            actor=ACTOR, team_id=row["team_id"], changes={"team_member_permissions": ["/team/daily/activity/export"]}
        )
