"""Helpers every account service shares: the refusal type, locks, user-row builders, durations."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import connections

from budgets.services import _reset_at as _budget_reset_at  # noqa: F401 (the account services' names)
from budgets.services import check_non_negative as _check_non_negative  # noqa: F401
from budgets.services import new_budget as _new_budget  # noqa: F401
from budgets.services import validated_duration as _validate_duration  # noqa: F401
from config import policy, writes
from config.errors import ChangeRefused
from config.routers import LITELLM_ALIAS
from keys.services import keys_delete

from ..models import (
    UserTable,
)

INVITATION_LIFETIME = timedelta(days=7)  # user_invitation.py::create_invitation_for_user


TEAM_ROLES = ("admin", "user")


ORG_ROLES = (policy.ORG_ADMIN, policy.INTERNAL_USER, policy.INTERNAL_USER_VIEWER)


ADMIN_ROLES = (policy.PROXY_ADMIN, policy.PROXY_ADMIN_VIEWER)


def _cursor():
    return connections[LITELLM_ALIAS].cursor()


def _qn(model) -> str:
    return connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)


def _json(value):
    """jsonb read through a raw cursor arrives as text with Django's psycopg setup."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def user_snapshot(user: UserTable) -> dict:
    """A user row for the audit log, without the password hash (never copied anywhere)."""
    data = writes.snapshot(user)
    data.pop("password", None)
    return data


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    return email or None


def _lock_email(email: str) -> None:
    """Serialize our own creates of one email (user create, member add, invite), so two
    people adding the same address at once make one user, not two."""
    writes.advisory_xact_lock("console:user_email:" + email.strip().lower())


def _users_with_email(email: str) -> list[UserTable]:
    return list(UserTable.objects.filter(user_email__iexact=email.strip()).order_by("user_id")[:2])


def _lock_users(user_ids) -> None:
    """The proxy's USER_ROWS_LOCK_SQL: FOR UPDATE in `user_id COLLATE "C"` order (no deadlocks)."""
    ids = sorted(set(i for i in user_ids if i))
    if not ids:
        return
    with _cursor() as cursor:
        cursor.execute(
            f'SELECT user_id FROM {_qn(UserTable)} WHERE user_id = ANY(%s) ORDER BY user_id COLLATE "C" FOR UPDATE',
            [ids],
        )


def delete_keys(*, actor: writes.Actor, tokens: list[str], archive: bool = True) -> None:
    """Delete and audit keys as /key/delete does (archived where LiteLLM_DeletedVerificationToken
    exists, unless `archive` is False as /user/delete does): the keys app's one implementation,
    joined to our transaction."""
    keys_delete(actor=actor, tokens=list(tokens), archive=archive)


def new_user_row(
    *,
    user_id: str,
    email: str | None,
    role: str,
    teams: list[str] | None = None,
    **fields: Any,
) -> dict:
    """A user row as /user/new (generate_key_helper_fn, request_type="user") writes it."""
    now = writes.now_utc()
    row = {
        "user_id": user_id,
        "user_email": email,
        "user_role": role,
        "teams": list(teams or []),
        "models": list(fields.pop("models", None) or []),
        "metadata": {},
        "spend": 0.0,
        "model_spend": {},
        "model_max_budget": {},
        "allowed_cache_controls": [],
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    if row.get("budget_duration"):
        row["budget_reset_at"] = _budget_reset_at(row["budget_duration"])
    return {k: v for k, v in row.items() if v is not None}


def _insert_user(actor: writes.Actor, row: dict) -> dict:
    writes.insert_row(UserTable, row)
    writes.audit(actor, writes.CREATED, "UserTable", row["user_id"], None, row)
    return row


def _locked_changes(model, pk: str, changes: dict, expected: dict | None, *, gone: str):
    """Inside the write's transaction: lock the row (SELECT ... FOR UPDATE), refuse with
    EditConflict a field someone changed since the form showed `expected`, and return
    (row, the changes that differ from it). ChangeRefused(gone) when the row is gone."""
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise ChangeRefused(gone)
    writes.refuse_conflicts(row, changes, expected)
    return row, {k: v for k, v in changes.items() if getattr(row, k) != v}


def _audit_edit(actor: writes.Actor, logical_table: str, pk: str, before: dict, changed: dict) -> None:
    """An edit's audit row as LiteLLM writes it: `blocked` alone is a block/unblock
    (updated_values {}), anything else an update carrying the changed fields."""
    if set(changed) == {"blocked"}:
        action = writes.BLOCKED if changed["blocked"] else writes.UNBLOCKED
        writes.audit(actor, action, logical_table, pk, before, {})
    else:
        writes.audit(actor, writes.UPDATED, logical_table, pk, before, changed)


def _refuse_unknown(values: dict, allowed, what: str) -> None:
    """A caller's mistake, not a person's: a field the service does not write."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {what} fields {sorted(unknown)}")


def _check_limits(values: dict, *, create: bool) -> None:
    """The limit rules users, teams and organizations share: no negative budget or rate limit,
    a budget_duration LiteLLM's reset job accepts (normalised in place). On a create an absent
    duration becomes None; an edit leaves it absent."""
    _check_non_negative(values, "max_budget", "tpm_limit", "rpm_limit", "max_parallel_requests")
    if create or "budget_duration" in values:
        values["budget_duration"] = _validate_duration(values.get("budget_duration"))


USER_LIMIT_FIELDS = (
    "max_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


def _org_role(user_role: str) -> str:
    return user_role if user_role in ORG_ROLES else policy.INTERNAL_USER


def _refuse_duplicate_alias(model, field: str, alias: str, *, noun: str, except_pk: str | None = None) -> None:
    """No second team/organization of the same name, compared trimmed and case-insensitively.
    A console rule, stricter than the proxy, which accepts duplicate team and organization
    aliases (no check in /team/new, /team/update, /organization/new or /update, nor a unique
    index: /work/notes/litellm-exact.md §9); rows it made that way are left alone. Call inside
    the write's transaction: the advisory lock makes two creates of one name run one by one."""
    from django.db.models.functions import Lower, Trim

    alias = (alias or "").strip()
    writes.advisory_xact_lock(f"console:{field}:{alias.lower()}")
    qs = model.objects.annotate(_alias=Lower(Trim(field))).filter(_alias=alias.lower())
    if except_pk is not None:
        qs = qs.exclude(pk=except_pk)
    existing = qs.values_list(field, flat=True).first()
    if existing is not None:
        raise ChangeRefused(f"{noun} named {existing.strip()!r} already exists. Pick another name.", field)
