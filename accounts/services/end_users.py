"""End users (LiteLLM_EndUserTable): edit and block (/end_user/update, /end_user/block)."""

from __future__ import annotations

from datetime import timedelta

from budgets import durations
from budgets import services as budget_services
from budgets.models import BudgetTable
from budgets.services import validated_duration
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


END_USER_BUDGET_FIELDS = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")
END_USER_CREATE_FIELDS = ("alias", "allowed_model_region", "default_model", "budget_id", "blocked", "models")


def end_user_create(*, actor: writes.Actor, user_id: str, **fields) -> dict:
    """/customer/new (litellm/proxy/management_endpoints/customer_endpoints.py::new_end_user):

    - ``budget_id`` or budget fields, not both (NewCustomerRequest.check_user_info refuses
      max_budget with budget_id); budget fields make a LiteLLM_BudgetTable row
      (``new_budget_request``: the non-null BudgetNewRequest fields; ``budget_reset_at`` =
      utcnow + duration_in_seconds(budget_duration), NOT aligned as other budgets are;
      ``created_by``/``updated_by`` the caller) whose id the end user gets;
    - the row: ``user_id``, ``blocked`` (default false), and the other fields only when given
      (``data.dict(exclude_none=True)``); ``spend`` is the column default 0; ``models`` only where
      the column exists (newer schemas);
    - an existing user_id is refused ("Customer already exists").
    LiteLLM writes no audit row for end users; the console records the creation (and the budget
    row) in its own trail."""
    budget = {k: fields.pop(k) for k in END_USER_BUDGET_FIELDS if k in fields}
    _refuse_unknown(fields, END_USER_CREATE_FIELDS, "end-user")
    user_id = (user_id or "").strip()
    if not user_id:
        raise ChangeRefused("Give the end user's id (the `user` your apps send).", "user_id")
    budget = {k: v for k, v in budget.items() if v is not None}
    if budget.get("max_budget") is not None and fields.get("budget_id"):
        raise ChangeRefused("Set either a max budget or an existing budget, not both.", "budget_id")
    if budget and fields.get("budget_id"):
        raise ChangeRefused("Set either new budget limits or an existing budget, not both.", "budget_id")
    if fields.get("budget_id") and not BudgetTable.objects.filter(budget_id=fields["budget_id"]).exists():
        raise ChangeRefused("No such budget.", "budget_id")
    if fields.get("models") is not None and not EndUserTable.has_column("models"):
        raise TypeError("this database has no EndUserTable.models column")
    if budget.get("budget_duration"):
        budget["budget_duration"] = validated_duration(budget["budget_duration"])
        budget["budget_reset_at"] = writes.now_utc() + timedelta(
            seconds=durations.duration_in_seconds(budget["budget_duration"])
        )
    with writes.atomic():
        writes.lock_rows(EndUserTable, user_id=user_id)
        if EndUserTable.objects.filter(user_id=user_id).exists():
            raise ChangeRefused(f"An end user {user_id} already exists; pick another id.", "user_id")
        row = {"user_id": user_id, "blocked": bool(fields.pop("blocked", False)), "spend": 0.0}
        if budget:
            row["budget_id"] = budget_services.budget_row_create(actor=actor, values=budget)
        row |= {k: v for k, v in fields.items() if v not in (None, "")}
        writes.insert_row(EndUserTable, row)
        writes.audit(actor, writes.CREATED, "EndUserTable", user_id, None, row)
    return row
