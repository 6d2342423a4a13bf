"""Budget reads: every budgeted entity in one UNION ALL, a team's member budgets, and the
burn-down forecast from the daily spend tables.

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
from datetime import date, datetime, timedelta

from django.db import connections

from accounts.models import (
    EndUserTable,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)
from config import dates, writes
from config.routers import LITELLM_ALIAS
from keys.models import VerificationToken
from keys.services import UI_SESSION_TEAM_ID
from usage import daily

from .member_cap import active_temp_increase, member_cap, team_default_budget_id  # noqa: F401
from .models import BudgetTable
from .thresholds import budget_state, near_percent

KINDS = [
    ("key", "Key"),
    ("user", "User"),
    ("team", "Team"),
    ("org", "Organization"),
    ("member", "Team member"),
    ("end_user", "End user"),
]
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
FORECAST_DAYS = 7


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


def budget_overview(
    principal, *, kind: str | None = None, view: str | None = None, sort: str = "-pct", page: int = 1
) -> BudgetPage:
    """One page of every budgeted entity the principal may see, plus counts per kind."""
    branches, params = _branches(principal)
    union = " UNION ALL ".join(f"({b})" for b in branches)
    base = (
        "SELECT *, CASE WHEN max_budget > 0 THEN spend * 100.0 / max_budget "
        "WHEN max_budget = 0 THEN 100.0 END AS pct FROM (" + union + ") AS budgets"
    )
    where, where_params = _where(kind, view)
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), "pct")
    order = f"{column} {'DESC' if descending else 'ASC'} NULLS LAST, kind, object_id"
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    now = writes.now_utc()
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({base}) AS b{where} ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, *where_params, PAGE_SIZE + 1, offset],
        )
        fetched = [BudgetRow(*row, now=now) for row in cursor.fetchall()]
        cursor.execute(
            f"""SELECT kind, count(*), count(*) FILTER (WHERE pct >= 100),
                       count(*) FILTER (WHERE pct >= %s AND pct < 100),
                       count(*) FILTER (WHERE soft_budget IS NOT NULL AND spend >= soft_budget)
                  FROM ({base}) AS b GROUP BY kind""",
            [near_percent(), *params],
        )
        counts: dict[str, dict[str, int]] = {}
        for k, total, over, near, soft in cursor.fetchall():
            counts[k] = {"all": total, "over": over, "near": near, "soft": soft}
    counts["total"] = {v: sum(c[v] for c in counts.values()) for v in ("all", "over", "near", "soft")}
    return BudgetPage(rows=fetched[:PAGE_SIZE], page=page, has_next=len(fetched) > PAGE_SIZE, counts=counts)


# --- Team member budgets ------------------------------------------------------------------------


@dataclass
class MemberBudget:
    user_id: str
    email: str | None
    role: str
    spend: float
    budget_id: str | None
    max_budget: float | None
    budget_duration: str | None
    reset_at: datetime | None
    tpm_limit: int | None
    rpm_limit: int | None
    shared: bool  # still on the team's default member budget row
    temp_increase: float = 0.0  # an unexpired temporary increase (counts towards the cap)
    temp_expiry: datetime | None = None
    cap: float | None = None  # budgets.member_cap.member_cap: what the proxy enforces

    @property
    def effective_max(self) -> float | None:
        return self.cap

    @property
    def pct(self) -> float | None:
        cap = self.effective_max
        if cap is None:
            return None
        return 100.0 if cap == 0 else 100.0 * (self.spend or 0) / cap

    @property
    def state(self) -> str:
        return budget_state(self.pct)

    @property
    def meter_width(self) -> float:
        return min(100.0, self.pct or 0.0)


def team_member_budgets(team) -> list[MemberBudget]:
    """Each member of the roster with their membership spend and budget row (three queries)."""
    roster = team.members_with_roles if isinstance(team.members_with_roles, list) else []
    memberships = {
        m["user_id"]: m
        for m in TeamMembership.objects.filter(team_id=team.team_id).values("user_id", "spend", "budget_id")
    }
    user_ids = [m.get("user_id") for m in roster if m.get("user_id")] + list(memberships)
    emails = dict(UserTable.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "user_email"))
    default_id = team_default_budget_id(team)
    budget_ids = {m["budget_id"] for m in memberships.values() if m["budget_id"]} | ({default_id} - {None})
    budgets = {b.budget_id: b for b in BudgetTable.objects.filter(budget_id__in=budget_ids)}
    now = writes.now_utc()
    rows, seen = [], set()
    for member in roster:
        user_id = member.get("user_id")
        if not user_id or user_id in seen:
            continue
        seen.add(user_id)
        membership = memberships.get(user_id, {})
        budget = budgets.get(membership.get("budget_id"))
        rows.append(
            MemberBudget(
                user_id=user_id,
                email=emails.get(user_id) or member.get("user_email"),
                role=member.get("role") or "user",
                spend=membership.get("spend") or 0.0,
                budget_id=membership.get("budget_id"),
                max_budget=getattr(budget, "max_budget", None),
                budget_duration=getattr(budget, "budget_duration", None),
                reset_at=getattr(budget, "budget_reset_at", None),
                tpm_limit=getattr(budget, "tpm_limit", None),
                rpm_limit=getattr(budget, "rpm_limit", None),
                shared=bool(default_id) and membership.get("budget_id") == default_id,
                **_temp_increase(budget),
                cap=member_cap(budget, budgets.get(default_id), now),
            )
        )
    return rows


def _temp_increase(budget) -> dict:
    increase = active_temp_increase(budget)
    return {"temp_increase": increase, "temp_expiry": budget.temp_budget_expiry} if increase else {}


# --- Burn-down forecast --------------------------------------------------------------------------


@dataclass
class Forecast:
    daily_pace: float
    runs_out_on: date | None  # None: never at this pace, or no budget
    already_over: bool
    before_reset: bool | None  # None when there is no reset
    reset_at: datetime | None

    @property
    def sentence(self) -> str:
        if self.already_over:
            return "The budget is already used up."
        if self.daily_pace <= 0:
            return "No spend in the last 7 days: at this pace the budget never runs out."
        if self.runs_out_on is None:
            return "At this pace the budget does not run out."
        when = dates.day(self.runs_out_on)
        if self.before_reset is None:
            return f"At the last 7 days' pace (${self.daily_pace:,.2f}/day) the budget runs out on {when}."
        if self.before_reset:
            return (
                f"At the last 7 days' pace (${self.daily_pace:,.2f}/day) the budget runs out on {when}, "
                "before it resets."
            )
        return (
            f"At the last 7 days' pace (${self.daily_pace:,.2f}/day) the budget would run out on {when}, "
            "after it resets: it should last."
        )


def daily_pace(kind: str, object_id: str, *, parent_id: str | None = None, today: date | None = None) -> float | None:
    """Average spend per day over the last 7 days (today included): usage/daily.py, the
    dashboard's scope for the key, user, team or org; a member's keys in the team."""
    if kind == "member":
        if not parent_id:
            return None
        return daily.pace(daily.scope("user", object_id), FORECAST_DAYS, today=today, team_of_member=parent_id)
    if kind not in ("key", "user", "team", "org"):
        return None
    return daily.pace(daily.scope(kind, object_id), FORECAST_DAYS, today=today)


def forecast(
    *,
    spend: float | None,
    max_budget: float | None,
    reset_at: datetime | None,
    pace: float | None,
    now: datetime | None = None,
) -> Forecast | None:
    """When the budget runs out at `pace` dollars a day, and whether that is before the reset."""
    if max_budget is None or pace is None:
        return None
    now = now or writes.now_utc()
    spend = spend or 0.0
    if spend >= max_budget:
        return Forecast(pace, now.date(), True, None if reset_at is None else True, reset_at)
    if pace <= 0:
        return Forecast(pace, None, False, None if reset_at is None else False, reset_at)
    days = (max_budget - spend) / pace
    if days > 3650:
        return Forecast(pace, None, False, None if reset_at is None else False, reset_at)
    runs_out = now + timedelta(days=days)
    return Forecast(pace, runs_out.date(), False, None if reset_at is None else runs_out < reset_at, reset_at)


def forecast_for(
    kind: str, object_id: str, *, spend, max_budget, reset_at, duration=None, reset_kind="", parent_id=None
) -> Forecast | None:
    """The forecast against the reset the proxy will make: with `duration`, an empty or past
    reset time means the next reset run (budgets/resets.py), not "never resets"."""
    if max_budget is None:
        return None
    if duration is not None:
        from .resets import reset_of

        reset_at = reset_of(duration, reset_at, kind=reset_kind).expected_at
    pace = daily_pace(kind, object_id, parent_id=parent_id)
    return forecast(spend=spend, max_budget=max_budget, reset_at=reset_at, pace=pace)


@dataclass
class BudgetRowUse:
    """What points at one LiteLLM_BudgetTable row (so an edit's reach is visible)."""

    orgs: list[str]
    default_of_teams: list[str]
    members: int
    keys: int
    end_users: int

    @property
    def unused(self) -> bool:
        return not (self.orgs or self.default_of_teams or self.members or self.keys or self.end_users)


def budget_row_use(budget_id: str) -> BudgetRowUse:
    return BudgetRowUse(
        orgs=list(
            OrganizationTable.objects.filter(budget_id=budget_id).values_list("organization_alias", flat=True)[:20]
        ),
        default_of_teams=[
            alias or team_id
            for team_id, alias in TeamTable.objects.filter(metadata__team_member_budget_id=budget_id).values_list(
                "team_id", "team_alias"
            )[:20]
        ],
        members=TeamMembership.objects.filter(budget_id=budget_id).count(),
        keys=VerificationToken.objects.filter(budget_id=budget_id).count(),
        end_users=EndUserTable.objects.filter(budget_id=budget_id).count(),
    )
