"""Per-member budgets inside a team (TeamMembership.budget_id) and the team's default."""

from __future__ import annotations

from typing import Any

from budgets.models import BudgetTable
from config import writes

from ..models import (
    TeamMembership,
    TeamTable,
)
from .base import ServiceError, _budget_reset_at, _check_non_negative, _new_budget, _validate_duration, writer_id
from .roster_base import _team_default_budget_id


def _resolve_member_budget(actor, team: TeamTable, max_budget_in_team, budget_duration) -> str | None:
    """management_helpers/utils.py::_resolve_member_budget_id."""
    default_id = _team_default_budget_id(team)
    allowed_models = list(team.default_team_member_models or []) or None
    explicit = max_budget_in_team is not None or allowed_models is not None
    if not explicit and default_id and budget_duration is None:
        return default_id if BudgetTable.objects.filter(budget_id=default_id).exists() else None
    if not explicit and default_id:
        return _clone_budget(actor, default_id, {"budget_duration": budget_duration})
    if not explicit and budget_duration is None:
        return None
    return _new_budget(
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
    return _new_budget(actor, values, keep_empty=("model_max_budget",))


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
    _check_non_negative(patch, "max_budget", "tpm_limit", "rpm_limit")
    if "budget_duration" in patch:
        patch["budget_duration"] = _validate_duration(patch["budget_duration"])
    with writes.atomic():
        writes.advisory_xact_lock(team_id)
        team = TeamTable.objects.filter(team_id=team_id).first()
        membership = TeamMembership.objects.filter(team_id=team_id, user_id=user_id).first()
        if team is None or membership is None:
            raise ServiceError("This person is not a member of the team.")
        locked = writes.lock_rows(BudgetTable, budget_id=membership.budget_id) if membership.budget_id else []
        now_values = {f: getattr(locked[0], f, None) if locked else None for f in patch}
        writes.refuse_conflicts(now_values, patch, expected)
        write = dict(patch)
        if "budget_duration" in write:
            write["budget_reset_at"] = _budget_reset_at(write["budget_duration"])
        current_id = membership.budget_id
        team_default_id = _team_default_budget_id(team)
        shared = current_id is not None and (current_id == team_default_id or current_id in shared_budget_ids)
        key = {"user_id": user_id, "team_id": team_id}
        own_budget = BudgetTable.objects.filter(budget_id=current_id).first() if current_id and not shared else None
        if own_budget is not None:
            budget = own_budget
            merged = {f: getattr(budget, f) for f in _member_limit_fields()} | write
            if not _has_limit(merged):
                return _unlink_member_budget(actor, team_id, user_id, current_id)
            changed = {k: v for k, v in write.items() if getattr(budget, k) != v}
            if changed:
                before = writes.snapshot(budget)
                writes.update_row(
                    BudgetTable, current_id, {**changed, "updated_at": writes.now_utc(), "updated_by": writer_id(actor)}
                )
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
        new_id = _new_budget(actor, values, keep_empty=("model_max_budget",))
        writes.update_row(TeamMembership, key, {"budget_id": new_id})
        writes.audit(
            actor,
            writes.UPDATED,
            "TeamTable",
            team_id,
            {"user_id": user_id, "budget_id": current_id},
            {"user_id": user_id, "budget_id": new_id},
        )
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


def _unlink_member_budget(actor, team_id: str, user_id: str, budget_id: str) -> None:
    """No meaningful limit left: disconnect the member's budget row (upsert_budget_and_membership)."""
    writes.update_row(TeamMembership, {"user_id": user_id, "team_id": team_id}, {"budget_id": None})
    writes.audit(
        actor,
        writes.UPDATED,
        "TeamTable",
        team_id,
        {"user_id": user_id, "budget_id": budget_id},
        {"user_id": user_id, "budget_id": None},
    )
    return None


def _has_limit(values: dict) -> bool:
    """common_utils.py::_has_meaningful_budget_limit: some limit set (None, [] and {} are unset)."""
    return any(values.get(f) not in (None, [], {}) for f in _member_limit_fields())
