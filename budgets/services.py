"""Writes to LiteLLM_BudgetTable rows, team members' budgets and the member budget matrix.

Budget rows have no DB-side id default (Prisma's @default(uuid()) runs in the client), and
created_by/updated_by are NOT NULL: we supply all of them as LiteLLM does. Spend lives on the
rows that point at a budget (memberships, keys, orgs, end users), never here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import TeamMembership, TeamTable
from config import writes
from config.errors import ChangeRefused, EditConflict

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


NON_NEGATIVE = ("max_budget", "soft_budget", "tpm_limit", "rpm_limit", "max_parallel_requests", "tpd_limit")


def check_limits(values: dict[str, Any]) -> None:
    """The limits every console form enforces, for callers without one (the ops admin):
    budgets and rate limits zero or more, a budget_duration LiteLLM's reset job accepts."""
    for name in NON_NEGATIVE:
        value = values.get(name)
        if value is not None and value < 0:
            raise ChangeRefused("Must be zero or more.", name)
    if values.get("budget_duration") is not None:  # '' is refused, as LiteLLM answers 400 to it
        try:
            durations.validate_budget_duration(values["budget_duration"])
        except ValidationError as e:
            raise ChangeRefused(" ".join(e.messages), "budget_duration") from None


# --- Shared rules (the account services use them too) ------------------------------------------


def check_non_negative(values: dict, *names: str) -> None:
    for name in names:
        value = values.get(name)
        if value is not None and value < 0:
            raise ChangeRefused("Must be zero or more.", name)


def validated_duration(duration: str | None, field: str = "budget_duration") -> str | None:
    """A budget_duration LiteLLM's reset job accepts, normalized. None clears (LiteLLM clears
    only on null); '' and ' 1d' are refused, as validate_budget_duration answers 400 to them."""
    if duration is None:
        return None
    try:
        return durations.validate_budget_duration(duration)
    except ValidationError as e:
        raise ChangeRefused(" ".join(e.messages), field) from None


def _reset_at(duration: str | None):
    """budget_reset_at for a (new) budget_duration: LiteLLM's aligned reset time, None when cleared."""
    return durations.budget_reset_at(duration) if duration else None


def new_budget(actor: writes.Actor, values: dict, keep_empty: tuple[str, ...] = ()) -> str:
    """A budget row of the given non-empty values, audited (`keep_empty` names columns written
    even when empty, as a LiteLLM call site that sends them explicitly)."""
    budget_id = writes.new_id()
    row = {
        "budget_id": budget_id,
        **writes.stamps(actor, created=True),
        **{k: v for k, v in values.items() if v not in (None, [], {}) or k in keep_empty},
    }
    if row.get("budget_duration") and "budget_reset_at" not in values:
        row["budget_reset_at"] = _reset_at(row["budget_duration"])
    writes.insert_row(BudgetTable, row)
    writes.audit(actor, writes.CREATED, LOGICAL_TABLE, budget_id, None, row)
    return budget_id


# --- Team members' budgets (TeamMembership.budget_id) and the team's default ------------------


def team_default_budget_id(team: TeamTable) -> str | None:
    value = (team.metadata or {}).get("team_member_budget_id") if isinstance(team.metadata, dict) else None
    return value if isinstance(value, str) else None


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
    row = {"budget_id": budget_id, **values, **writes.stamps(actor, created=True)}
    with writes.atomic():
        writes.insert_row(BudgetTable, row)
        if audit_it:
            writes.audit(actor, writes.CREATED, LOGICAL_TABLE, budget_id, None, row)
    return budget_id


def budget_row_update(
    *,
    actor: writes.Actor,
    budget_id: str,
    changes: dict[str, Any],
    audit_it: bool = True,
    expected: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """UPDATE only `changes` (from budgets.forms.budget_changes) on one budget row, stamping
    updated_at/updated_by. `expected` (field -> value the form showed) refuses with
    EditConflict a field someone else changed meanwhile. Returns what was written."""
    _check_columns(changes)
    check_limits(changes)
    if not changes:
        return {}
    changes = dict(changes)
    with writes.atomic():
        rows = writes.lock_rows(BudgetTable, budget_id=budget_id)
        if not rows:
            raise ChangeRefused("That budget no longer exists.")
        writes.refuse_conflicts(rows[0], changes, expected)
        if expected is not None:
            changes = writes.drop_unchanged(rows[0], changes)  # both set the same value: no write
            if not changes:
                return {}
        if "budget_duration" in changes and "budget_reset_at" not in changes:
            duration = changes["budget_duration"]  # the service's rule, for every caller
            changes["budget_reset_at"] = durations.budget_reset_at(duration) if duration else None
        before = writes.snapshot(rows[0])
        written = {**changes, **writes.stamps(actor)}
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


def team_member_budgets_update(
    *,
    actor: writes.Actor,
    team_id: str,
    patches: dict[str, dict[str, Any]],
    expected: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Bulk edit of a team's member budgets in ONE transaction: each member's patch goes
    through /team/member_update's rule (team_member_set_budget: merge into
    the member's own budget row; a member still on the team's shared default budget row, or on
    a row other memberships share, gets a private clone, the shared row is never changed).
    `expected` ({user_id: {field: value the matrix showed}}) refuses the whole edit with
    EditConflict where someone else changed a member's field meanwhile.
    Returns members changed."""
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        # bulk_update_team_member_budgets: rows shared by several memberships, counted once
        # before any write, are cloned rather than changed under the other members.
        shared = shared_member_budget_ids(team_id, patches)
        for user_id, patch in patches.items():
            try:
                team_member_set_budget(
                    actor=actor,
                    team_id=team_id,
                    user_id=user_id,
                    patch=dict(patch),
                    shared_budget_ids=shared,
                    expected=None if expected is None else expected.get(user_id, {}),
                )
            except EditConflict as error:
                # Named as the matrix names its fields (max_budget__<user_id>), so each
                # message lands on the member's row.
                raise EditConflict([(f"{name}__{user_id}", *rest) for name, *rest in error.conflicts]) from None
    return len(patches)


def resolve_member_budget(actor, team: TeamTable, max_budget_in_team, budget_duration) -> str | None:
    """management_helpers/utils.py::resolve_member_budget_id."""
    default_id = team_default_budget_id(team)
    allowed_models = list(team.default_team_member_models or []) or None
    explicit = max_budget_in_team is not None or allowed_models is not None
    if not explicit and default_id and budget_duration is None:
        return default_id if BudgetTable.objects.filter(budget_id=default_id).exists() else None
    if not explicit and default_id:
        return _clone_budget(actor, default_id, {"budget_duration": budget_duration})
    if not explicit and budget_duration is None:
        return None
    return new_budget(
        actor,
        {"max_budget": max_budget_in_team, "allowed_models": allowed_models, "budget_duration": budget_duration},
    )


CLONABLE_BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "max_parallel_requests",
    "tpm_limit",
    "rpm_limit",
    "model_max_budget",
    "budget_duration",
    "allowed_models",
)


def _clone_budget(actor, source_id: str, patch: dict) -> str | None:
    """A private copy of the team's shared default member budget (never mutate the shared row)."""
    source = BudgetTable.objects.filter(budget_id=source_id).first()
    if source is None:
        return None
    # _clone_team_default_budget_for_member skips None and empty lists only ({} is copied).
    values = {f: getattr(source, f) for f in CLONABLE_BUDGET_FIELDS if getattr(source, f) not in (None, [])}
    values.update(patch)
    return new_budget(actor, values, keep_empty=("model_max_budget",))


MEMBER_BUDGET_FIELDS = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")


def team_member_set_budget(
    *,
    actor: writes.Actor,
    team_id: str,
    user_id: str,
    patch: dict,
    shared_budget_ids: frozenset[str] = frozenset(),
    expected: dict | None = None,
) -> str | None:
    """/team/member_update budget fields (common_utils.py::upsert_budget_and_membership):
    merge-patch the member's own budget row; a membership still on the team's shared default
    budget (or on a row in `shared_budget_ids`, which the bulk edit passes) gets a private
    clone first; with no limit left the budget is disconnected. `expected` (field -> the
    value the form showed for this member) refuses with EditConflict a field someone else
    changed meanwhile, compared with the budget row the membership points at now.
    Returns the member's budget id afterwards."""
    unknown = set(patch) - set(MEMBER_BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown member budget fields {sorted(unknown)}")
    check_non_negative(patch, "max_budget", "tpm_limit", "rpm_limit")
    if "budget_duration" in patch:
        patch["budget_duration"] = validated_duration(patch["budget_duration"])
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        team = TeamTable.objects.filter(team_id=team_id).first()
        membership = TeamMembership.objects.filter(team_id=team_id, user_id=user_id).first()
        if team is None or membership is None:
            raise ChangeRefused("This person is not a member of the team.")
        locked = writes.lock_rows(BudgetTable, budget_id=membership.budget_id) if membership.budget_id else []
        now_values = {f: getattr(locked[0], f, None) if locked else None for f in patch}
        writes.refuse_conflicts(now_values, patch, expected)
        write = dict(patch)
        if "budget_duration" in write:
            write["budget_reset_at"] = _reset_at(write["budget_duration"])
        current_id = membership.budget_id
        team_default_id = team_default_budget_id(team)
        shared = current_id is not None and (current_id == team_default_id or current_id in shared_budget_ids)
        own_budget = BudgetTable.objects.filter(budget_id=current_id).first() if current_id and not shared else None
        if own_budget is not None:
            budget = own_budget
            merged = {f: getattr(budget, f) for f in _member_limit_fields()} | write
            if not _has_limit(merged):
                return _unlink_member_budget(actor, team_id, user_id, current_id)
            changed = {k: v for k, v in write.items() if getattr(budget, k) != v}
            if changed:
                before = writes.snapshot(budget)
                writes.update_row(BudgetTable, current_id, {**changed, **writes.stamps(actor)})
                writes.audit(actor, writes.UPDATED, "BudgetTable", current_id, before, changed)
            return current_id
        # upsert_budget_and_membership's create: model_max_budget {} unless sent, the shared
        # row's set limits copied (temporary increase included; the team default's
        # model_max_budget not), its reset time carried unless the duration changes.
        source: dict[str, Any] = {"model_max_budget": {}}
        if shared:
            budget = BudgetTable.objects.filter(budget_id=current_id).first()
            if budget is not None:
                source |= {
                    f: getattr(budget, f)
                    for f in _member_limit_fields()
                    if (f != "model_max_budget" or current_id != team_default_id)
                    and getattr(budget, f) not in (None, [], {})
                }
                if "budget_duration" not in write and budget.budget_reset_at is not None:
                    source["budget_reset_at"] = budget.budget_reset_at
        values = source | write
        if not _has_limit(values):
            return _unlink_member_budget(actor, team_id, user_id, current_id) if current_id else None
        new_id = new_budget(actor, values, keep_empty=("model_max_budget",))
        _point_member_budget(actor, team_id, user_id, current_id, new_id)
        return new_id


def _member_limit_fields() -> tuple[str, ...]:
    """common_utils.py::_TEAM_MEMBER_BUDGET_LIMIT_FIELDS (the temporary-increase pair only
    where this database has it)."""
    temp = tuple(f for f in ("temp_budget_increase", "temp_budget_expiry") if BudgetTable.has_column(f))
    return CLONABLE_BUDGET_FIELDS + temp


def shared_member_budget_ids(team_id: str, user_ids) -> frozenset[str]:
    """bulk_team_member_budgets.py::_shared_budget_ids: of these members' budget rows, those
    more than one membership points at (counted across every team)."""
    budget_ids = set(
        TeamMembership.objects.filter(team_id=team_id, user_id__in=list(user_ids), budget_id__isnull=False).values_list(
            "budget_id", flat=True
        )
    )
    if not budget_ids:
        return frozenset()
    counts: dict[str, int] = {}
    for budget_id in TeamMembership.objects.filter(budget_id__in=budget_ids).values_list("budget_id", flat=True):
        counts[budget_id] = counts.get(budget_id, 0) + 1
    return frozenset(b for b, n in counts.items() if n > 1)


def _point_member_budget(actor, team_id: str, user_id: str, old_id: str | None, new_id: str | None) -> None:
    """Point the membership at another budget row (or none), audited on the team as
    upsert_budget_and_membership's membership change: {user_id, budget_id} before and after."""
    writes.update_row(TeamMembership, {"user_id": user_id, "team_id": team_id}, {"budget_id": new_id})
    writes.audit(
        actor,
        writes.UPDATED,
        "TeamTable",
        team_id,
        {"user_id": user_id, "budget_id": old_id},
        {"user_id": user_id, "budget_id": new_id},
    )


def _unlink_member_budget(actor, team_id: str, user_id: str, budget_id: str) -> None:
    """No meaningful limit left: disconnect the member's budget row (upsert_budget_and_membership)."""
    _point_member_budget(actor, team_id, user_id, budget_id, None)


def _has_limit(values: dict) -> bool:
    """common_utils.py::_has_meaningful_budget_limit: some limit set (None, [] and {} are unset)."""
    return any(values.get(f) not in (None, [], {}) for f in _member_limit_fields())
