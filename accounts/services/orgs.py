"""Organizations and their members (/organization/new, update, member_add/update/delete)."""

from __future__ import annotations

from typing import Any

from budgets.models import BudgetTable
from config import policy, writes
from config.errors import ChangeRefused

from ..models import (
    OrganizationMembership,
    OrganizationTable,
    UserTable,
)
from .base import (
    ORG_ROLES,
    _budget_reset_at,
    _check_limits,
    _clean_email,
    _insert_user,
    _lock_email,
    _new_budget,
    _refuse_duplicate_alias,
    _refuse_unknown,
    _users_with_email,
    new_user_row,
)

ORG_BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


def org_create(*, actor: writes.Actor, alias: str, models: list[str] | None = None, **budget: Any) -> dict:
    """/organization/new: a BudgetTable row from the budget fields (every org has one; no
    budget_reset_at, as LiteLLM leaves it for the reset job), then the org row."""
    alias = (alias or "").strip()
    if not alias:
        raise ChangeRefused("Give the organization a name.", "organization_alias")
    _refuse_unknown(budget, ORG_BUDGET_FIELDS, "budget")
    _check_limits(budget, create=True)
    with writes.atomic():
        _refuse_duplicate_alias(OrganizationTable, "organization_alias", alias, noun="An organization")
        by = writes.writer_id(actor)
        budget_id = _new_budget(actor, {**budget, "budget_reset_at": None})
        now = writes.now_utc()
        row = {
            "organization_id": writes.new_id(),
            "organization_alias": alias,
            "budget_id": budget_id,
            "metadata": {},
            "models": list(models or []),
            "spend": 0.0,
            "model_spend": {},
            "created_at": now,
            "created_by": by,
            "updated_at": now,
            "updated_by": by,
        }
        writes.insert_row(OrganizationTable, row)
        writes.audit(actor, writes.CREATED, "OrganizationTable", row["organization_id"], None, row)
    return row


def org_update(
    *,
    actor: writes.Actor,
    organization_id: str,
    changes: dict,
    budget_changes: dict,
    expected: dict | None = None,
) -> None:
    """/organization/update: alias and models on the org row; budget fields on its budget row
    (budget_reset_at follows a sent duration, organization_endpoints.py::build_budget_write_data).
    `expected` (field -> value the form showed, org and budget fields alike) refuses with
    EditConflict a field someone else changed meanwhile."""
    unknown = (set(changes) - {"organization_alias", "models"}) | (set(budget_changes) - set(ORG_BUDGET_FIELDS))
    if unknown:
        raise TypeError(f"unknown organization fields {sorted(unknown)}")
    if "organization_alias" in changes and not (changes["organization_alias"] or "").strip():
        raise ChangeRefused("Give the organization a name.", "organization_alias")
    _check_limits(budget_changes, create=False)
    with writes.atomic():
        org = OrganizationTable.objects.select_for_update().filter(organization_id=organization_id).first()
        if org is None:
            raise ChangeRefused("This organization no longer exists.")
        by = writes.writer_id(actor)
        now = writes.now_utc()
        budget = next(iter(writes.lock_rows(BudgetTable, budget_id=org.budget_id)), None) if org.budget_id else None
        current = {k: getattr(org, k) for k in changes} | {k: getattr(budget, k, None) for k in budget_changes}
        writes.refuse_conflicts(current, {**changes, **budget_changes}, expected)
        changed = {k: v for k, v in changes.items() if getattr(org, k) != v}
        if "organization_alias" in changed:
            _refuse_duplicate_alias(
                OrganizationTable,
                "organization_alias",
                changed["organization_alias"],
                noun="An organization",
                except_pk=organization_id,
            )
        budget_changed = {k: v for k, v in budget_changes.items() if budget is None or getattr(budget, k) != v}
        if budget_changed and budget is not None:
            if "budget_duration" in budget_changed:
                budget_changed["budget_reset_at"] = _budget_reset_at(budget_changed["budget_duration"])
            before = writes.snapshot(budget)
            writes.update_row(BudgetTable, budget.budget_id, {**budget_changed, "updated_at": now, "updated_by": by})
            writes.audit(actor, writes.UPDATED, "BudgetTable", budget.budget_id, before, budget_changed)
        if changed:
            before = writes.snapshot(org)
            writes.update_row(OrganizationTable, organization_id, {**changed, "updated_at": now, "updated_by": by})
            writes.audit(actor, writes.UPDATED, "OrganizationTable", organization_id, before, changed)


def _org_members(organization_id: str) -> list[dict]:
    return [
        {"user_id": u, "user_role": r}
        for u, r in OrganizationMembership.objects.filter(organization_id=organization_id)
        .order_by("user_id")
        .values_list("user_id", "user_role")
    ]


def _audit_org_members(actor, organization_id: str, before: list[dict]) -> None:
    alias = (
        OrganizationTable.objects.filter(organization_id=organization_id)
        .values_list("organization_alias", flat=True)
        .first()
    )
    writes.audit(
        actor,
        writes.UPDATED,
        "OrganizationTable",
        organization_id,
        {"organization_alias": alias, "members": before},
        {"organization_alias": alias, "members": _org_members(organization_id)},
    )


def org_member_add(
    *, actor: writes.Actor, organization_id: str, user_id: str | None = None, email: str | None = None, role: str
) -> str:
    """/organization/member_add: by user id or email; an unknown email creates the user as
    get_new_internal_user_defaults does (role internal_user). Returns the user id."""
    if role not in ORG_ROLES:
        raise ChangeRefused("Choose an organization role.", "role")
    email = _clean_email(email)
    if not user_id and not email:
        raise ChangeRefused("Choose a user or enter an email address.", "user")
    with writes.atomic():
        if not OrganizationTable.objects.filter(organization_id=organization_id).exists():
            raise ChangeRefused("This organization no longer exists.")
        if user_id:
            if not UserTable.objects.filter(user_id=user_id).exists():
                raise ChangeRefused("No user has this id.", "user")
        else:
            _lock_email(email)
            matches = _users_with_email(email)
            if len(matches) > 1:
                raise ChangeRefused("Several users share this email; choose the user by id instead.", "email")
            if matches:
                user_id = matches[0].user_id
            else:
                user_id = _insert_user(
                    actor, new_user_row(user_id=writes.new_id(), email=email, role=policy.INTERNAL_USER)
                )["user_id"]
        if OrganizationMembership.objects.filter(organization_id=organization_id, user_id=user_id).exists():
            raise ChangeRefused("This person is already a member of the organization.", "user")
        before = _org_members(organization_id)
        now = writes.now_utc()
        writes.insert_row(
            OrganizationMembership,
            {
                "user_id": user_id,
                "organization_id": organization_id,
                "user_role": role,
                "spend": 0.0,
                "created_at": now,
                "updated_at": now,
            },
        )
        _audit_org_members(actor, organization_id, before)
    return user_id


def org_member_set_role(
    *, actor: writes.Actor, organization_id: str, user_id: str, role: str, expected: dict | None = None
) -> None:
    """/organization/member_update role change. `expected` ({"role": the role the page
    showed}) refuses with EditConflict a role someone else changed meanwhile."""
    if role not in ORG_ROLES:
        raise ChangeRefused("Choose an organization role.", "role")
    with writes.atomic():
        key = {"organization_id": organization_id, "user_id": user_id}
        membership = OrganizationMembership.objects.select_for_update().filter(**key).first()
        if membership is None:
            raise ChangeRefused("This person is not a member of the organization.")
        writes.refuse_conflicts({"role": membership.user_role}, {"role": role}, expected)
        if membership.user_role == role:
            return
        before = _org_members(organization_id)
        writes.update_row(OrganizationMembership, key, {"user_role": role, "updated_at": writes.now_utc()})
        _audit_org_members(actor, organization_id, before)


def org_member_remove(*, actor: writes.Actor, organization_id: str, user_id: str) -> None:
    with writes.atomic():
        key = {"organization_id": organization_id, "user_id": user_id}
        if not OrganizationMembership.objects.filter(**key).exists():
            raise ChangeRefused("This person is not a member of the organization.")
        before = _org_members(organization_id)
        writes.delete_rows(OrganizationMembership, **key)
        _audit_org_members(actor, organization_id, before)
