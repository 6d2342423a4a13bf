"""LiteLLM rows as the proxy holds them: real JSON arrays, naive UTC, hashed keys.

Each factory inserts one row (standing in for the proxy) and returns the values it wrote.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from datetime import timedelta

from accounts.models import (
    EndUserTable,
    InvitationLink,
    OrganizationMembership,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)
from accounts.services.base import new_user_row
from budgets.models import BudgetTable
from config.models import ProxyModelTable
from config.writes import insert_as_proxy, new_id, now_utc
from keys.models import VerificationToken
from usage.models import DailyTagSpend, DailyTeamSpend, DailyUserSpend, SpendLogs, zero_counters

_seq = itertools.count(1)
ADMIN_ID = "default_user_id"


def make_budget(**values) -> dict:
    now = now_utc()
    row = {
        "budget_id": new_id(),
        "created_at": now,
        "updated_at": now,
        "created_by": ADMIN_ID,
        "updated_by": ADMIN_ID,
        **values,
    }
    insert_as_proxy(BudgetTable, row)
    return row


def make_org(*, alias: str | None = None, max_budget: float | None = None, **values) -> dict:
    budget = make_budget(max_budget=max_budget)
    now = now_utc()
    row = {
        "organization_id": new_id(),
        "organization_alias": alias or f"org-{next(_seq)}",
        "budget_id": budget["budget_id"],
        "metadata": {},
        "models": [],
        "spend": 0.0,
        "model_spend": {},
        "created_at": now,
        "updated_at": now,
        "created_by": ADMIN_ID,
        "updated_by": ADMIN_ID,
        **values,
    }
    insert_as_proxy(OrganizationTable, row)
    return row


def make_user(*, email: str | None = None, role: str = "internal_user", **values) -> dict:
    """A user row as /user/new writes it (the service's own row builder), then `values` as given."""
    n = next(_seq)
    user_id = values.pop("user_id", None) or new_id()
    row = {**new_user_row(user_id=user_id, email=email or f"user{n}@example.com", role=role), **values}
    insert_as_proxy(UserTable, row)
    return row


def make_team(*, alias: str | None = None, members: list[tuple[dict, str]] = (), **values) -> dict:
    """A team with its roster in all three places the proxy keeps it."""
    now = now_utc()
    team_id = values.pop("team_id", None) or new_id()
    roster = [{"user_id": u["user_id"], "user_email": u.get("user_email"), "role": r} for u, r in members]
    row = {
        "team_id": team_id,
        "team_alias": alias or f"team-{next(_seq)}",
        "admins": [],
        "members": [],
        "members_with_roles": roster,
        "metadata": {},
        "spend": 0.0,
        "models": [],
        "blocked": False,
        "model_spend": {},
        "model_max_budget": {},
        "created_at": now,
        "updated_at": now,
        **values,
    }
    insert_as_proxy(TeamTable, row)
    for user, _role in members:
        add_membership(team_id, user["user_id"])
    return row


def add_membership(team_id: str, user_id: str, *, spend: float = 0.0, budget_id: str | None = None) -> None:
    from django.db import connections

    insert_as_proxy(TeamMembership, {"user_id": user_id, "team_id": team_id, "spend": spend, "budget_id": budget_id})
    table = UserTable._meta.db_table
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET teams = array_append(teams, %s) WHERE user_id = %s AND NOT (%s = ANY(teams))',
            [team_id, user_id, team_id],
        )


def make_org_membership(org_id: str, user_id: str, role: str = "internal_user", **values) -> dict:
    now = now_utc()
    row = {
        "user_id": user_id,
        "organization_id": org_id,
        "user_role": role,
        "spend": 0.0,
        "created_at": now,
        "updated_at": now,
        **values,
    }
    insert_as_proxy(OrganizationMembership, row)
    return row


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def make_key(*, user_id: str | None = None, team_id: str | None = None, alias: str | None = None, **values) -> dict:
    """A virtual key as /key/generate stores it; the raw key is returned under `raw`."""
    raw = values.pop("raw", None) or "sk-" + secrets.token_urlsafe(16)
    now = now_utc()
    row = {
        "token": hash_key(raw),
        "key_name": f"sk-...{raw[-4:]}",
        "key_alias": alias,
        "soft_budget_cooldown": False,
        "spend": 0.0,
        "models": [],
        "aliases": {},
        "config": {},
        "permissions": {},
        "metadata": {},
        "user_id": user_id,
        "team_id": team_id,
        "allowed_cache_controls": [],
        "allowed_routes": [],
        "model_spend": {},
        "model_max_budget": {},
        "budget_fallbacks": {},
        "created_at": now,
        "updated_at": now,
        "created_by": ADMIN_ID,
        "updated_by": ADMIN_ID,
        **values,
    }
    insert_as_proxy(VerificationToken, row)
    return {**row, "raw": raw}


def make_invitation(
    *, user_id: str, created_by: str, accepted: bool = False, expires_in_days: int = 7, **values
) -> dict:
    now = now_utc()
    row = {
        "id": new_id(),
        "user_id": user_id,
        "is_accepted": accepted,
        "accepted_at": now if accepted else None,
        "expires_at": now + timedelta(days=expires_in_days),
        "created_at": now,
        "created_by": created_by,
        "updated_at": now,
        "updated_by": created_by,
        **values,
    }
    insert_as_proxy(InvitationLink, row)
    return row


def make_end_user(**values) -> dict:
    row = {"user_id": f"customer-{next(_seq)}", "spend": 0.0, "blocked": False, **values}
    insert_as_proxy(EndUserTable, row)
    return row


def make_proxy_model(model_id: str, name: str, info=None) -> dict:
    """A deployment row as /model/new stores it (`info` may be a dict or a JSON string)."""
    now = now_utc()
    row = {
        "model_id": model_id,
        "model_name": name,
        "litellm_params": {"model": "openai/gpt-4o"},
        "model_info": info,
        "created_at": now,
        "created_by": "admin",
        "updated_at": now,
        "updated_by": "admin",
    }
    insert_as_proxy(ProxyModelTable, row)
    return row


def make_model_request(user_id: str, models: list[str], status: str = "pending", **values) -> dict:
    """A model access request (LiteLLM_UserNotifications) as the console writes it."""
    from config.models import UserNotifications

    row = {"request_id": new_id(), "user_id": user_id, "models": models, "justification": "for tests", "status": status}
    row |= values
    insert_as_proxy(UserNotifications, row)
    return row


def _daily(model_cls, entity_field: str, entity: str | None, day: str, **values) -> dict:
    now = now_utc()
    row = {
        "id": new_id(),
        entity_field: entity,
        "date": day,
        "api_key": values.pop("api_key", "hash-" + str(next(_seq))),
        "model": values.pop("model", "gpt-4o"),
        "model_group": values.pop("model_group", None),
        "custom_llm_provider": values.pop("custom_llm_provider", "openai"),
        **zero_counters(),
        "created_at": now,
        "updated_at": now,
        **values,
    }
    insert_as_proxy(model_cls, row)
    return row


def make_daily_user_spend(user_id: str | None, day: str, **values) -> dict:
    return _daily(DailyUserSpend, "user_id", user_id, day, **values)


def make_daily_team_spend(team_id: str | None, day: str, **values) -> dict:
    return _daily(DailyTeamSpend, "team_id", team_id, day, **values)


def make_daily_spend(user_id: str | None, team_id: str | None, day: str, **values) -> dict:
    """One request's share as the proxy books it: a row in the user table and one in the team
    table, same key and counters ('' for a missing user or team, as 1.108.11 writes)."""
    values.setdefault("api_key", "hash-" + str(next(_seq)))
    row = make_daily_user_spend(user_id or "", day, **values)
    make_daily_team_spend(team_id or "", day, **values)
    return row


def make_daily_tag_spend(tag: str | None, day: str, **values) -> dict:
    return _daily(DailyTagSpend, "tag", tag, day, **values)


def make_spend_log(**values) -> dict:
    start = values.pop("start_time", None) or now_utc()
    row = {
        "request_id": new_id(),
        "call_type": "acompletion",
        "api_key": values.pop("api_key", "hash"),
        "spend": 0.001,
        "total_tokens": 30,
        "prompt_tokens": 20,
        "completion_tokens": 10,
        "start_time": start,
        "end_time": start + timedelta(milliseconds=850),
        "model": "gpt-4o",
        "metadata": {},
        "request_tags": [],
        **values,
    }
    insert_as_proxy(SpendLogs, row)
    return row


# --- Rows shaped as the proxy (or LiteLLM's UI) may write them ----------------------------------

LEGACY_MODEL_BUDGET = {"gpt-4o": {"budget_limit": 5.0, "time_period": "1d"}}
MIXED_MODEL_BUDGET = {
    "gpt-4o": {"budget_limit": 5.0, "time_period": "1d"},  # BudgetConfig's legacy spelling
    "claude-3": {"max_budget": 2.5},  # no duration at all
    "azure/gpt-4o-mini": {"max_budget": None, "budget_duration": None},
}
NESTED_METADATA = {
    "tags": ["prod", {"nested": [1, 2, {"deep": None}]}],
    "owner": {"team": {"name": "ml", "ids": [1, 2.5, True, None]}},
    "empty": {},
    "null": None,
    "unicode": "Zürich ☃ 東京",
}
LONG_ALIAS = "long-alias-" + "x" * 244  # 255 characters


def make_proxy_shaped_rows(*, prefix: str = "odd", ids: dict | None = None) -> dict:
    """One row of each kind with what the proxy may store: legacy per-model budgets, nested
    metadata, NULL where the schema allows it, 255-character aliases. `ids` may choose the
    ids (e.g. ones with '/' or unicode, which LiteLLM lets API callers pick)."""
    ids = ids or {}
    org = make_org(
        organization_id=ids.get("org") or new_id(),
        alias=LONG_ALIAS,
        metadata=NESTED_METADATA,
        model_spend={"gpt-4o": 1.25, "weird/model": 0.5},
    )
    user = make_user(
        user_id=ids.get("user") or new_id(),
        email=None if ids.get("user") else f"{prefix}-{next(_seq)}@example.com",
        user_alias=LONG_ALIAS,
        metadata=NESTED_METADATA,
        model_max_budget=MIXED_MODEL_BUDGET,
        model_spend={"gpt-4o": 1.25},
        max_budget=None,
        budget_duration="1d",
        organization_id=org["organization_id"],
    )
    team = make_team(
        team_id=ids.get("team") or new_id(),
        alias=LONG_ALIAS,
        organization_id=org["organization_id"],
        members=[(user, "admin")],
        metadata=NESTED_METADATA,
        model_max_budget=MIXED_MODEL_BUDGET,
        model_spend={"gpt-4o": 1.25},
        models=["gpt-4o", "all-proxy-models"],
    )
    budget = make_budget(budget_id=ids.get("budget") or new_id(), max_budget=None, model_max_budget=LEGACY_MODEL_BUDGET)
    key = make_key(
        user_id=user["user_id"],
        team_id=team["team_id"],
        alias=LONG_ALIAS[: -len(prefix)] + prefix,
        metadata=NESTED_METADATA,
        model_max_budget=MIXED_MODEL_BUDGET,
        model_spend={"gpt-4o": 1.25},
        models=["gpt-4o", "weird/model"],
        budget_id=budget["budget_id"],
        key_name=None,
        expires=None,
    )
    end_user = make_end_user(user_id=ids.get("end_user") or f"{prefix}-customer-{next(_seq)}", alias=LONG_ALIAS)
    day = now_utc().date().isoformat()
    model = ids.get("model") or "weird/model"
    make_daily_user_spend(user["user_id"], day, api_key=key["token"], model=model, spend=0.5)
    make_daily_team_spend(team["team_id"], day, api_key=key["token"], model_group=None, spend=0.25)
    make_daily_tag_spend(ids.get("tag") or "odd/tag", day, api_key=key["token"], spend=0.25)
    log = make_spend_log(
        request_id=ids.get("request") or new_id(),
        api_key=key["token"],
        user=user["user_id"],
        team_id=team["team_id"],
        end_user=end_user["user_id"],
        model=ids.get("model") or "weird/model",
        metadata=None,
        request_tags=None,
        messages=None,
        response=None,
        proxy_server_request=None,
        status=None,
        total_tokens=0,
    )
    log2 = make_spend_log(
        api_key=key["token"],
        metadata=NESTED_METADATA,
        request_tags=["odd/tag", {"not": "a string"}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        response={"choices": [{"message": {"content": None}}]},
        proxy_server_request={"body": {"nested": NESTED_METADATA}},
        status="failure",
    )
    from usage.models import ErrorLogs

    error = {
        "request_id": ids.get("request") or new_id(),
        "start_time": now_utc(),
        "end_time": now_utc(),
        "api_base": "",
        "model_group": ids.get("model") or "weird/model",
        "litellm_model_name": "",
        "model_id": "",
        "request_kwargs": {"metadata": NESTED_METADATA, "messages": None},
        "exception_type": "",
        "exception_string": "x" * 5000,
        "status_code": "",
    }
    insert_as_proxy(ErrorLogs, error)
    return {
        "org": org,
        "user": user,
        "team": team,
        "budget": budget,
        "key": key,
        "end_user": end_user,
        "logs": [log, log2],
        "error": error,
    }


def audit_rows(ops_username: str | None = None, **filters) -> list:
    """Audit rows of both trails (LiteLLM_AuditLog and the console's own), oldest first;
    `ops_username` keeps the rows an ops login made (its AuditAttribution)."""
    from config.models import AuditAttribution, AuditLog, ConsoleAuditLog

    if ops_username is not None:
        filters["id__in"] = list(
            AuditAttribution.objects.filter(ops_username=ops_username).values_list("audit_id", flat=True)
        )
    rows = [*AuditLog.objects.filter(**filters), *ConsoleAuditLog.objects.filter(**filters)]
    return sorted(rows, key=lambda r: (r.updated_at, r.id))
