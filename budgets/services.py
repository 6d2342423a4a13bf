"""Writes to LiteLLM_BudgetTable rows and the team member budget matrix.

Budget rows have no DB-side id default (Prisma's @default(uuid()) runs in the client), and
created_by/updated_by are NOT NULL: we supply all of them as LiteLLM does. Spend lives on the
rows that point at a budget (memberships, keys, orgs, end users), never here.
"""

from __future__ import annotations

from typing import Any

from config import writes
from config.errors import ChangeRefused

from . import durations
from .models import BudgetTable

LOGICAL_TABLE = "BudgetTable"

# Columns of LiteLLM_BudgetTable a person may set.
BUDGET_ROW_COLUMNS = (
    "max_budget",
    "soft_budget",
    "max_parallel_requests",
    "tpm_limit",
    "rpm_limit",
    "model_max_budget",
    "budget_duration",
    "budget_reset_at",
    "allowed_models",
    "tpd_limit",
)


BudgetError = ChangeRefused  # the budgets services' name for it


def writer_id(actor: writes.Actor) -> str:
    """created_by/updated_by as LiteLLM writes them: the caller's user_id, or the proxy admin
    id for a caller without one (ops staff, like a master-key call)."""
    from accounts.services import writer_id as people_writer_id

    return people_writer_id(actor)


NON_NEGATIVE = ("max_budget", "soft_budget", "tpm_limit", "rpm_limit", "max_parallel_requests", "tpd_limit")


def check_limits(values: dict[str, Any]) -> None:
    """The limits every console form enforces, for callers without one (the ops admin):
    budgets and rate limits zero or more, a budget_duration LiteLLM's reset job accepts."""
    from django.core.exceptions import ValidationError

    for name in NON_NEGATIVE:
        value = values.get(name)
        if value is not None and value < 0:
            raise BudgetError("Must be zero or more.", name)
    if values.get("budget_duration") is not None:  # '' is refused, as LiteLLM answers 400 to it
        try:
            durations.validate_budget_duration(values["budget_duration"])
        except ValidationError as e:
            raise BudgetError(" ".join(e.messages), "budget_duration") from None


def _check_columns(values: dict[str, Any]) -> None:
    unknown = set(values) - set(BUDGET_ROW_COLUMNS)
    if unknown:
        raise ValueError(f"not budget columns: {sorted(unknown)}")


def budget_row_create(
    *, actor: writes.Actor, values: dict[str, Any], budget_id: str | None = None, audit_it: bool = True
) -> str:
    """Insert a budget row (as /budget/new, or the row /key/generate makes for a soft budget).
    budget_reset_at follows budget_duration unless given. Returns the new budget_id."""
    _check_columns(values)
    check_limits(values)
    values = dict(values)
    if values.get("budget_duration") and "budget_reset_at" not in values:
        values["budget_reset_at"] = durations.budget_reset_at(values["budget_duration"])
    budget_id = budget_id or writes.new_id()
    now = writes.now_utc()
    writer = writer_id(actor)
    row = {
        "budget_id": budget_id,
        **values,
        "created_at": now,
        "updated_at": now,
        "created_by": writer,
        "updated_by": writer,
    }
    with writes.atomic():
        writes.insert_row(BudgetTable, row)
        if audit_it:
            writes.audit(actor, writes.CREATED, LOGICAL_TABLE, budget_id, None, row)
    return budget_id


def budget_row_update(
    *, actor: writes.Actor, budget_id: str, changes: dict[str, Any], audit_it: bool = True
) -> dict[str, Any]:
    """UPDATE only `changes` (from budgets.forms.budget_changes) on one budget row, stamping
    updated_at/updated_by. Returns what was written."""
    _check_columns(changes)
    check_limits(changes)
    if not changes:
        return {}
    changes = dict(changes)
    if "budget_duration" in changes and "budget_reset_at" not in changes:
        duration = changes["budget_duration"]
        changes["budget_reset_at"] = durations.budget_reset_at(duration) if duration else None
    with writes.atomic():
        rows = writes.lock_rows(BudgetTable, budget_id=budget_id)
        if not rows:
            raise BudgetError("That budget no longer exists.")
        before = writes.snapshot(rows[0])
        written = {**changes, "updated_at": writes.now_utc(), "updated_by": writer_id(actor)}
        writes.update_row(BudgetTable, budget_id, written)
        if audit_it:
            writes.audit(actor, writes.UPDATED, LOGICAL_TABLE, budget_id, before, changes)
    return changes


def budget_row_clone(*, actor: writes.Actor, source_id: str, overrides: dict[str, Any]) -> str:
    """A new row with the source row's limits plus `overrides` (copy-on-write of a shared row,
    as upsert_budget_and_membership does for a team's default member budget)."""
    source = BudgetTable.objects.filter(budget_id=source_id).first()
    values: dict[str, Any] = {}
    if source is not None:
        for name in BUDGET_ROW_COLUMNS:
            if BudgetTable.has_column(BudgetTable._meta.get_field(name).column):
                values[name] = getattr(source, name)
    values.update(overrides)
    if "budget_duration" in overrides and "budget_reset_at" not in overrides:
        duration = overrides["budget_duration"]
        values["budget_reset_at"] = durations.budget_reset_at(duration) if duration else None
    values = {k: v for k, v in values.items() if v is not None or k in overrides}
    return budget_row_create(actor=actor, values=values, audit_it=False)


def team_member_budgets_update(*, actor: writes.Actor, team_id: str, patches: dict[str, dict[str, Any]]) -> int:
    """Bulk edit of a team's member budgets in ONE transaction: each member's patch goes
    through /team/member_update's rule (accounts.services.team_member_set_budget: merge into
    the member's own budget row; a member still on the team's shared default budget row, or on
    a row other memberships share, gets a private clone, the shared row is never changed).
    Returns members changed."""
    from accounts.services import shared_member_budget_ids, team_member_set_budget

    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        # bulk_update_team_member_budgets: rows shared by several memberships, counted once
        # before any write, are cloned rather than changed under the other members.
        shared = shared_member_budget_ids(team_id, patches)
        for user_id, patch in patches.items():
            team_member_set_budget(
                actor=actor, team_id=team_id, user_id=user_id, patch=dict(patch), shared_budget_ids=shared
            )
    return len(patches)
