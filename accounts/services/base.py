"""Helpers every account service shares: the refusal type, locks, user-row builders, durations."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connections

from budgets.models import BudgetTable
from config import policy, writes
from config.errors import ChangeRefused
from config.routers import LITELLM_ALIAS

from ..models import (
    UserTable,
)

INVITATION_LIFETIME = timedelta(days=7)  # user_invitation.py::create_invitation_for_user


TEAM_ROLES = ("admin", "user")


ORG_ROLES = (policy.ORG_ADMIN, policy.INTERNAL_USER, policy.INTERNAL_USER_VIEWER)


ADMIN_ROLES = (policy.PROXY_ADMIN, policy.PROXY_ADMIN_VIEWER)


ServiceError = ChangeRefused  # the accounts services' name for it


def _cursor():
    return connections[LITELLM_ALIAS].cursor()


def _qn(model) -> str:
    return connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)


def _json(value):
    """jsonb read through a raw cursor arrives as text with Django's psycopg setup."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def writer_id(actor: writes.Actor) -> str:
    """What LiteLLM puts in created_by/updated_by: the caller's user_id, or for a caller
    without one (ops staff, like a master-key call) the proxy admin id."""
    if actor.changed_by and UserTable.objects.filter(user_id=actor.changed_by).exists():
        return actor.changed_by
    return settings.LITELLM_PROXY_ADMIN_ID


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


def _budget_reset_at(duration: str | None):
    if not duration:
        return None
    from budgets.durations import budget_reset_at

    return budget_reset_at(duration)


def _validate_duration(duration: str | None, field: str = "budget_duration") -> str | None:
    """None clears (LiteLLM clears only on null); '' and ' 1d' are refused as LiteLLM's
    validate_budget_duration answers 400 to them (litellm-compat.md §2 duration grammar)."""
    if duration is None:
        return None
    from django.core.exceptions import ValidationError

    from budgets.durations import validate_budget_duration

    try:
        return validate_budget_duration(duration)
    except ValidationError as e:
        raise ServiceError(" ".join(e.messages), field) from None


def _check_non_negative(values: dict, *names: str) -> None:
    for name in names:
        value = values.get(name)
        if value is not None and value < 0:
            raise ServiceError("Must be zero or more.", name)


def delete_keys(*, actor: writes.Actor, tokens: list[str], archive: bool = True) -> None:
    """Archive (where LiteLLM_DeletedVerificationToken exists), delete and audit keys, as
    /key/delete does: the keys app's one implementation, joined to our transaction."""
    from keys.services import keys_delete

    keys_delete(actor=actor, tokens=list(tokens), archive=archive)


def _new_user_row(
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


def _new_budget(actor, values: dict, keep_empty: tuple[str, ...] = ()) -> str:
    """A budget row of the given non-empty values (`keep_empty` names columns written even
    when empty, as a LiteLLM call site that sends them explicitly)."""
    now = writes.now_utc()
    by = writer_id(actor)
    budget_id = writes.new_id()
    row = {
        "budget_id": budget_id,
        "created_at": now,
        "updated_at": now,
        "created_by": by,
        "updated_by": by,
        **{k: v for k, v in values.items() if v not in (None, [], {}) or k in keep_empty},
    }
    if row.get("budget_duration") and "budget_reset_at" not in values:
        row["budget_reset_at"] = _budget_reset_at(row["budget_duration"])
    writes.insert_row(BudgetTable, row)
    writes.audit(actor, writes.CREATED, "BudgetTable", budget_id, None, row)
    return budget_id


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
        raise ServiceError(f"{noun} named {existing.strip()!r} already exists. Pick another name.", field)
