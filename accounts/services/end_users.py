"""End users (LiteLLM_EndUserTable): edit and block (/end_user/update, /end_user/block)."""

from __future__ import annotations

from budgets.models import BudgetTable
from config import writes

from ..models import (
    EndUserTable,
)
from .base import ChangeRefused

END_USER_FIELDS = ("alias", "allowed_model_region", "default_model", "budget_id", "blocked")


def end_user_update(*, actor: writes.Actor, end_user_id: str, changes: dict, expected: dict | None = None) -> dict:
    """/end_user/update: only `changes`; `expected` (field -> value the form showed) refuses
    with EditConflict a field someone else changed meanwhile."""
    unknown = set(changes) - set(END_USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown end-user fields {sorted(unknown)}")
    if changes.get("budget_id") and not BudgetTable.objects.filter(budget_id=changes["budget_id"]).exists():
        raise ChangeRefused("No such budget.", "budget_id")
    with writes.atomic():
        row = EndUserTable.objects.select_for_update().filter(user_id=end_user_id).first()
        if row is None:
            raise ChangeRefused("This end user no longer exists.")
        writes.refuse_conflicts(row, changes, expected)
        changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
        if not changed:
            return {}
        before = writes.snapshot(row)
        writes.update_row(EndUserTable, end_user_id, changed)
        if set(changed) == {"blocked"}:
            writes.audit(
                actor,
                writes.BLOCKED if changed["blocked"] else writes.UNBLOCKED,
                "EndUserTable",
                end_user_id,
                before,
                {},
            )
        else:
            writes.audit(actor, writes.UPDATED, "EndUserTable", end_user_id, before, changed)
    return changed
