"""The budget overview: every budgeted entity the principal may see, in one UNION ALL.

The overview is one SQL statement (plus one for its counts) however many keys there are:
each branch reads one table (joined to LiteLLM_BudgetTable where the limit lives there),
the outer query filters, sorts and takes one page. Which columns hold a budget follows the
proxy (litellm-compat.md §2): keys fall back to their linked budget row when their own column
is NULL; orgs, team members and end users keep their limits in a budget row; users and teams
in their own columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import connections

from accounts.models import EndUserTable, OrganizationTable, TeamMembership, TeamTable, UserTable
from config import writes
from config.routers import LITELLM_ALIAS
from keys.models import VerificationToken
from keys.services import UI_SESSION_TEAM_ID

from ..kinds import BUDGET_KINDS
from ..models import BudgetTable
from ..thresholds import budget_state, near_percent

KINDS = BUDGET_KINDS
KIND_LABELS = dict(KINDS)

# Sort keys offered on the overview -> SQL (NULLs last whichever way).
SORTS = {
    "pct": "pct",
    "spend": "spend",
    "max_budget": "max_budget",
    "reset_at": "reset_at",
    "name": "lower(name)",
    "kind": "kind",
    "soft_budget": "soft_budget",
}
PAGE_SIZE = 50


def _qn(model) -> str:
    return connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)


def _scope_sql(principal, model, q, field: str, column: str) -> tuple[str, list]:
    """`AND <column> IN (<field of the rows the principal may see>)`, compiled from the
    policy's Q, or nothing for people who see everything."""
    if principal.may_see_whole_proxy:
        return "", []
    query = model.objects.filter(q).values(field).query
    sql, params = query.get_compiler(using=LITELLM_ALIAS).as_sql()
    return f" AND {column} IN ({sql})", list(params)


def _branches(principal) -> tuple[list[str], list]:
    vt, bt, ut, tt, ot, tm, eu = (
        _qn(m)
        for m in (VerificationToken, BudgetTable, UserTable, TeamTable, OrganizationTable, TeamMembership, EndUserTable)
    )
    sql: list[str] = []
    params: list = []

    scope, p = _scope_sql(principal, VerificationToken, principal.keys_q(), "token", "k.token")
    sql.append(
        f"""SELECT 'key' AS kind, k.token AS object_id,
              COALESCE(k.key_alias, k.key_name, left(k.token, 12)) AS name, k.team_id AS parent_id,
              k.spend AS spend, COALESCE(k.max_budget, b.max_budget) AS max_budget, b.soft_budget AS soft_budget,
              CASE WHEN k.budget_duration IS NOT NULL THEN k.budget_reset_at ELSE b.budget_reset_at END AS reset_at,
              COALESCE(k.budget_duration, b.budget_duration) AS duration
         FROM {vt} k LEFT JOIN {bt} b ON b.budget_id = k.budget_id
        WHERE (k.team_id IS NULL OR k.team_id <> %s)
          AND (k.max_budget IS NOT NULL OR b.max_budget IS NOT NULL OR b.soft_budget IS NOT NULL){scope}"""
    )
    params += [UI_SESSION_TEAM_ID, *p]

    scope, p = _scope_sql(principal, UserTable, principal.users_q(), "user_id", "u.user_id")
    sql.append(
        f"""SELECT 'user', u.user_id, COALESCE(u.user_email, u.user_alias, u.user_id), NULL,
              u.spend, u.max_budget, NULL::double precision, u.budget_reset_at, u.budget_duration
         FROM {ut} u WHERE u.max_budget IS NOT NULL{scope}"""
    )
    params += p

    team_soft = "t.soft_budget" if TeamTable.has_column("soft_budget") else "NULL::double precision"
    soft_cond = " OR t.soft_budget IS NOT NULL" if TeamTable.has_column("soft_budget") else ""
    scope, p = _scope_sql(principal, TeamTable, principal.teams_q(), "team_id", "t.team_id")
    sql.append(
        f"""SELECT 'team', t.team_id, COALESCE(t.team_alias, t.team_id), t.organization_id,
              t.spend, t.max_budget, {team_soft}, t.budget_reset_at, t.budget_duration
         FROM {tt} t WHERE (t.max_budget IS NOT NULL{soft_cond}) AND t.team_id <> %s{scope}"""
    )
    params += [UI_SESSION_TEAM_ID, *p]

    scope, p = _scope_sql(principal, OrganizationTable, principal.orgs_q(), "organization_id", "o.organization_id")
    sql.append(
        f"""SELECT 'org', o.organization_id, o.organization_alias, NULL,
              o.spend, b.max_budget, b.soft_budget, b.budget_reset_at, b.budget_duration
         FROM {ot} o JOIN {bt} b ON b.budget_id = o.budget_id
        WHERE (b.max_budget IS NOT NULL OR b.soft_budget IS NOT NULL){scope}"""
    )
    params += p

    # A team member's cap includes an unexpired temporary increase: budgets/member_cap.py's rule
    # in SQL (temp_budget_expiry > now); those columns exist on newer schemas only.
    member_max = "b.max_budget"
    if BudgetTable.has_column("temp_budget_increase") and BudgetTable.has_column("temp_budget_expiry"):
        member_max = (
            "b.max_budget + CASE WHEN b.temp_budget_increase IS NOT NULL "
            "AND b.temp_budget_expiry > (now() AT TIME ZONE 'UTC') THEN b.temp_budget_increase ELSE 0 END"
        )
    scope, p = _scope_sql(principal, TeamTable, principal.teams_q(), "team_id", "m.team_id")
    sql.append(
        f"""SELECT 'member', m.user_id,
              COALESCE(u.user_email, m.user_id) || ' in ' || COALESCE(t.team_alias, m.team_id), m.team_id,
              m.spend, {member_max}, b.soft_budget, b.budget_reset_at, b.budget_duration
         FROM {tm} m JOIN {bt} b ON b.budget_id = m.budget_id
         LEFT JOIN {ut} u ON u.user_id = m.user_id LEFT JOIN {tt} t ON t.team_id = m.team_id
        WHERE b.max_budget IS NOT NULL{scope}"""
    )
    params += p

    if principal.can_open("end_users"):  # end users are not scoped to orgs or teams
        sql.append(
            f"""SELECT 'end_user', e.user_id, COALESCE(e.alias, e.user_id), NULL,
                  e.spend, b.max_budget, b.soft_budget, b.budget_reset_at, b.budget_duration
             FROM {eu} e JOIN {bt} b ON b.budget_id = e.budget_id
            WHERE b.max_budget IS NOT NULL OR b.soft_budget IS NOT NULL"""
        )
    return sql, params


@dataclass
class BudgetRow:
    kind: str
    object_id: str
    name: str
    parent_id: str | None
    spend: float
    max_budget: float | None
    soft_budget: float | None
    reset_at: datetime | None
    duration: str | None
    pct: float | None
    now: datetime | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state(self) -> str:
        if self.pct is None:
            return ""
        return budget_state(self.pct)

    @property
    def meter_width(self) -> float:
        return min(100.0, self.pct or 0.0)

    @property
    def over_soft(self) -> bool:
        return self.soft_budget is not None and (self.spend or 0) >= self.soft_budget

    @property
    def days_to_reset(self) -> int | None:
        """Whole days left (30 days 6 hours is 30, not 31); budgets/resets.py words it."""
        if self.reset_at is None:
            return None
        seconds = (self.reset_at - (self.now or writes.now_utc())).total_seconds()
        return max(0, math.floor(seconds / 86400))


@dataclass
class BudgetPage:
    rows: list[BudgetRow]
    page: int
    has_next: bool
    counts: dict[str, dict[str, int]]  # kind -> {"all", "over", "near"}, plus "total"


def _where(kind: str | None, view: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if kind:
        clauses.append("kind = %s")
        params.append(kind)
    if view == "over":
        clauses.append("pct >= 100")
    elif view == "near":
        clauses.append("pct >= %s AND pct < 100")  # near, not yet over (that is its own view)
        params.append(near_percent())
    elif view == "soft":
        clauses.append("soft_budget IS NOT NULL AND spend >= soft_budget")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def budget_union(principal) -> tuple[str, list]:
    """The UNION of every budget the principal may see, one row per budget with its `pct`
    (kind, object_id, name, parent_id, spend, max_budget, soft_budget, reset_at, duration, pct):
    the overview pages it; alerts/ evaluates it whole for a proxy-wide principal."""
    branches, params = _branches(principal)
    union = " UNION ALL ".join(f"({b})" for b in branches)
    base = (
        "SELECT *, CASE WHEN max_budget > 0 THEN spend * 100.0 / max_budget "
        "WHEN max_budget = 0 THEN 100.0 END AS pct FROM (" + union + ") AS budgets"
    )
    return base, params


def budget_overview(
    principal, *, kind: str | None = None, view: str | None = None, sort: str = "-pct", page: int = 1
) -> BudgetPage:
    """One page of every budgeted entity the principal may see, plus counts per kind."""
    base, params = budget_union(principal)
    where, where_params = _where(kind, view)
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), "pct")
    order = f"{column} {'DESC' if descending else 'ASC'} NULLS LAST, kind, object_id"
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    now = writes.now_utc()
    # one pass over the union: the page and the counts per kind from the same materialized rows
    # (two statements each scanned every budgeted key)
    sql = f"""
        WITH b AS MATERIALIZED ({base})
        (SELECT 0, b.*, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint
           FROM b{where} ORDER BY {order} LIMIT %s OFFSET %s)
        UNION ALL
        (SELECT 1, kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*),
                count(*) FILTER (WHERE pct >= 100), count(*) FILTER (WHERE pct >= %s AND pct < 100),
                count(*) FILTER (WHERE soft_budget IS NOT NULL AND spend >= soft_budget)
           FROM b GROUP BY kind)
    """
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(sql, [*params, *where_params, PAGE_SIZE + 1, offset, near_percent()])
        results = cursor.fetchall()
    fetched = [BudgetRow(*row[1:11], now=now) for row in results if row[0] == 0]
    counts: dict[str, dict[str, int]] = {}
    for _part, k, *_row, total, over, near, soft in (row for row in results if row[0] == 1):
        counts[k] = {"all": total, "over": over, "near": near, "soft": soft}
    counts["total"] = {v: sum(c[v] for c in counts.values()) for v in ("all", "over", "near", "soft")}
    return BudgetPage(rows=fetched[:PAGE_SIZE], page=page, has_next=len(fetched) > PAGE_SIZE, counts=counts)
