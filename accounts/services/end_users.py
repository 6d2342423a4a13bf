"""End users (LiteLLM_EndUserTable): edit and block (/end_user/update, /end_user/block)."""

from __future__ import annotations

from budgets.models import BudgetTable
from config import writes

from ..models import (
    EndUserTable,
)
from .base import ChangeRefused, _audit_edit, _locked_changes, _refuse_unknown

END_USER_FIELDS = ("alias", "allowed_model_region", "default_model", "budget_id", "blocked")


def end_user_update(*, actor: writes.Actor, end_user_id: str, changes: dict, expected: dict | None = None) -> dict:
    """/end_user/update: only `changes`; `expected` (field -> value the form showed) refuses
    with EditConflict a field someone else changed meanwhile."""
    _refuse_unknown(changes, END_USER_FIELDS, "end-user")
    if changes.get("budget_id") and not BudgetTable.objects.filter(budget_id=changes["budget_id"]).exists():
        raise ChangeRefused("No such budget.", "budget_id")
    with writes.atomic():
        row, changed = _locked_changes(
            EndUserTable, end_user_id, changes, expected, gone="This end user no longer exists."
        )
        if not changed:
            return {}
        before = writes.snapshot(row)
        writes.update_row(EndUserTable, end_user_id, changed)
        _audit_edit(actor, "EndUserTable", end_user_id, before, changed)
    return changed
