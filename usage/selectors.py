"""Usage figures, charts and breakdowns from LiteLLM's daily spend tables, and the request
and error log explorers.

Every figure set is one SQL statement grouped in the database. The same functions feed the
pages and their CSV exports, so an export holds exactly what the page shows.

Facts this module relies on (shared/litellm-compat.md §7):
- `date` is a 'YYYY-MM-DD' UTC string; ranges compare as strings;
- the newest schema can hold several rows per entity/date/key/model (endpoint and MCP tool
  columns joined the unique key), and older proxies left NULL where newer ones write '':
  always SUM ... GROUP BY, and treat NULL and '' as the same "none";
- DailyTeamSpend and DailyUserSpend each get one row share of every request; DailyTagSpend
  one per tag (a request with two tags counts twice there).
"""

from __future__ import annotations

import base64
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connections, transaction
from django.db.models import Q

from config.litellm import catalog, table_name
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

NONE_LABEL = "(none)"
OTHER_LABEL = "Other"
MAX_SERIES = 8
TOP_N = 10

# ---------------------------------------------------------------------------------------------
# Periods


RANGE_CHOICES = [
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("custom", "Custom"),
]
MAX_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.strftime("%d %b %Y")
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


def period_for(range_key: str, *, today: date | None = None, start: date | None = None, end: date | None = None):
    today = today or now_utc().date()
    if range_key in ("7d", "30d", "90d"):
        days = int(range_key[:-1])
        return Period(today - timedelta(days=days - 1), today)
    if range_key == "this_month":
        return Period(today.replace(day=1), today)
    if range_key == "last_month":
        last_end = today.replace(day=1) - timedelta(days=1)
        return Period(last_end.replace(day=1), last_end)
    if range_key == "custom" and start and end:
        return Period(start, end)
    raise ValueError(f"unknown range {range_key!r}")


# ---------------------------------------------------------------------------------------------
# Scopes: what the figures are about, and which rows of each daily table belong to it


SCOPE_KINDS = [
    ("proxy", "Whole proxy"),
    ("org", "Organization"),
    ("team", "Team"),
    ("user", "User"),
    ("key", "Key"),
    ("tag", "Tag"),
    ("model", "Model"),
]
SCOPE_LABELS = dict(SCOPE_KINDS)

ENTITY_COLUMN = {"DailyUserSpend": "user_id", "DailyTeamSpend": "team_id", "DailyTagSpend": "tag"}


@dataclass(frozen=True)
class Scope:
    kind: str
    value: str | None = None
    label: str = "Whole proxy"
    budget: float | None = None  # max_budget of the team/user/key/org, when it has one

    @property
    def base_table(self) -> str:
        """The daily table the headline figures come from."""
        if self.kind == "user":
            return "DailyUserSpend"
        if self.kind == "tag":
            return "DailyTagSpend"
        return "DailyTeamSpend"

    def breakdowns(self) -> list[str]:
        """Breakdown tables that make sense for this scope."""
        if self.kind == "tag":
            return ["keys", "models", "providers"]
        kinds = ["teams", "users", "keys", "models", "providers", "tags"]
        drop = {"team": {"teams"}, "user": {"users"}, "key": {"keys", "teams", "users"}, "model": {"models"}}
        return [k for k in kinds if k not in drop.get(self.kind, set())]

    def stack_choices(self) -> list[str]:
        return ["model"] if self.kind in ("tag", "team", "key", "user") else ["model", "team"]


def _none(col: str) -> str:
    """NULL and '' are the same "none"."""
    return f"COALESCE(NULLIF({col}, ''), '')"


def _keys_sql(where: str, column: str = "token") -> str:
    return f'SELECT {column} FROM "{table_name("VerificationToken")}" WHERE {where}'


def scope_filter(scope: Scope, table: str) -> tuple[str, list]:
    """(SQL condition, params) selecting `table`'s rows that belong to `scope`.

    Where a table has no column for the scope, rows are matched through the scope's keys. Where
    the table has no api_key index (the seed schema), the entity column is narrowed too (the
    owners of those keys), so the (entity, date) index does the work instead of a scan of the
    whole date range."""
    teams_of_org = f'SELECT team_id FROM "{table_name("TeamTable")}" WHERE organization_id = %s'
    if scope.kind == "proxy":
        return "TRUE", []
    if scope.kind == "key":
        return "api_key = %s", [scope.value]
    if scope.kind == "model":
        return f"{_none('model')} = %s", [scope.value]
    if scope.kind == "tag" and table == "DailyTagSpend":
        return "tag = %s", [scope.value]
    if scope.kind == "team":
        if table == "DailyTeamSpend":
            return "team_id = %s", [scope.value]
        keys_where, params = "team_id = %s", [scope.value]
    elif scope.kind == "org":
        if table == "DailyTeamSpend":
            return f"team_id IN ({teams_of_org})", [scope.value]
        keys_where, params = f"team_id IN ({teams_of_org})", [scope.value]
    elif scope.kind == "user":
        if table == "DailyUserSpend":
            return "user_id = %s", [scope.value]
        keys_where, params = "user_id = %s", [scope.value]
    else:
        raise ValueError(f"scope {scope.kind} has no rows in {table}")
    condition = f"api_key IN ({_keys_sql(keys_where)})"
    if catalog().has_index(table, ("api_key",)):
        # Newer schemas index api_key on the daily tables: the key list alone is the fast
        # path (adding the owners below would make the planner try every key x owner pair).
        return condition, params
    if table == "DailyUserSpend":
        # (COALESCE: the keys without an owner charge the '' row)
        owners = _keys_sql(keys_where, "COALESCE(user_id, '')")
        condition += f" AND user_id IN ({owners})"
        params = params * 2
    elif table == "DailyTeamSpend":
        teams = _keys_sql(keys_where, "COALESCE(team_id, '')")
        condition += f" AND team_id IN ({teams})"
        params = params * 2
    return condition, params


def _fetch(sql: str, params) -> list[tuple]:
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def aggregation_session():
    """A short read transaction with room to aggregate in memory.

    Top-key and top-user breakdowns group 100,000 keys; with PostgreSQL's default 4 MB
    work_mem those hash tables spill to disk and take twice as long. SET LOCAL ends with the
    transaction, so the proxy's own sessions are untouched."""
    with transaction.atomic(using=LITELLM_ALIAS):
        with connections[LITELLM_ALIAS].cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


# ---------------------------------------------------------------------------------------------
# Overview: headline figures, daily series, models and providers in one statement


@dataclass
class Figure:
    key: str
    label: str
    value: float
    previous: float
    kind: str = "int"  # int, money, percent

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (None when it had nothing)."""
        if not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous)


@dataclass
class DailySeries:
    """Per-day figures for a period; `spend_by` is {series label: [spend per day]}."""

    dates: list[date]
    stack: str
    spend_by: dict[str, list[float]] = field(default_factory=dict)
    prompt_tokens: list[int] = field(default_factory=list)
    completion_tokens: list[int] = field(default_factory=list)
    cache_tokens: list[int] = field(default_factory=list)
    successful: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def spend(self) -> list[float]:
        if not self.spend_by:
            return [0.0] * len(self.dates)
        return [sum(values) for values in zip(*self.spend_by.values(), strict=True)]

    def cumulative_spend(self) -> list[float]:
        total, out = 0.0, []
        for value in self.spend:
            total += value
            out.append(total)
        return out


@dataclass
class BreakdownRow:
    id: str
    label: str
    spend: float
    tokens: int
    requests: int
    share: float  # of the scope's spend in this table, 0..1


@dataclass
class Overview:
    figures: list[Figure]
    series: DailySeries
    models: list[BreakdownRow]
    providers: list[BreakdownRow]


COUNTERS = ["spend", "prompt", "completion", "cache_read", "cache_creation", "requests", "successful", "failed"]


def overview(scope: Scope, period: Period, *, stack: str = "model") -> Overview:
    """Figures for the period and the previous one of equal length, spend/tokens/outcomes per
    day, and the model and provider breakdowns: one statement grouped by (date, model,
    provider) over both periods, which the database reduces to a few hundred rows."""
    prev = period.previous()
    table = scope.base_table
    where, params = scope_filter(scope, table)
    sql = f"""
        SELECT date, {_none("model")}, {_none("custom_llm_provider")}, SUM(spend), SUM(prompt_tokens),
               SUM(completion_tokens), SUM(cache_read_input_tokens), SUM(cache_creation_input_tokens),
               SUM(api_requests), SUM(successful_requests), SUM(failed_requests)
        FROM "{table_name(table)}"
        WHERE date >= %s AND date <= %s AND {where}
        GROUP BY 1, 2, 3
    """
    rows = _fetch(sql, [prev.start.isoformat(), period.end.isoformat(), *params])
    dates = period.dates()
    index = {d.isoformat(): i for i, d in enumerate(dates)}
    n = len(dates)
    cur_total = dict.fromkeys(COUNTERS, 0)
    old_total = dict.fromkeys(COUNTERS, 0)
    series = DailySeries(dates=dates, stack=stack)
    series.prompt_tokens, series.completion_tokens, series.cache_tokens = [0] * n, [0] * n, [0] * n
    series.successful, series.failed = [0] * n, [0] * n
    per_model: dict[str, list[float]] = {}
    groups: dict[str, dict[str, list]] = {"models": {}, "providers": {}}
    for day, model, provider, *values in rows:
        values = [float(values[0] or 0), *(int(v or 0) for v in values[1:])]
        counters = dict(zip(COUNTERS, values, strict=True))
        i = index.get(day)
        if i is None:  # the previous period (or a malformed date string, which is skipped)
            if prev.start.isoformat() <= day < period.start.isoformat():
                for k, v in counters.items():
                    old_total[k] += v
            continue
        for k, v in counters.items():
            cur_total[k] += v
        per_model.setdefault(model, [0.0] * n)[i] += counters["spend"]
        series.prompt_tokens[i] += counters["prompt"]
        series.completion_tokens[i] += counters["completion"]
        series.cache_tokens[i] += counters["cache_read"] + counters["cache_creation"]
        series.successful[i] += counters["successful"]
        series.failed[i] += counters["failed"]
        for name, key in (("models", model), ("providers", provider)):
            acc = groups[name].setdefault(key, [0.0, 0, 0])
            acc[0] += counters["spend"]
            acc[1] += counters["prompt"] + counters["completion"]
            acc[2] += counters["requests"]
    if stack == "team":
        per_model = _spend_per_day_by_team(scope, period, index)
    series.spend_by = _top_series(per_model, n, "teams" if stack == "team" else "models")
    total = cur_total["spend"]
    return Overview(
        figures=_figures(cur_total, old_total),
        series=series,
        models=_ranked("models", groups["models"], total),
        providers=_ranked("providers", groups["providers"], total),
    )


def _spend_per_day_by_team(scope: Scope, period: Period, index: dict[str, int]) -> dict[str, list[float]]:
    """Spend per day and team (stacking by team): DailyTeamSpend grouped by (date, team)."""
    where, params = scope_filter(scope, "DailyTeamSpend")
    sql = f"""
        SELECT date, {_none("team_id")}, SUM(spend) FROM "{table_name("DailyTeamSpend")}"
        WHERE date >= %s AND date <= %s AND {where} GROUP BY 1, 2
    """
    out: dict[str, list[float]] = {}
    for day, team, spend in _fetch(sql, [period.start.isoformat(), period.end.isoformat(), *params]):
        if day in index:
            out.setdefault(team, [0.0] * len(index))[index[day]] += float(spend or 0)
    return out


def _top_series(per_series: dict[str, list[float]], n: int, kind: str) -> dict[str, list[float]]:
    """The MAX_SERIES - 1 biggest series by name, the rest lumped together as Other."""
    ranked = sorted(per_series.items(), key=lambda item: (-sum(item[1]), item[0]))
    keep = ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
    names = labels(kind, [s for s, _ in keep])
    result = {names.get(s, s) or NONE_LABEL: values for s, values in keep}
    if len(ranked) > len(keep):
        other = [0.0] * n
        for _, values in ranked[len(keep) :]:
            other = [a + b for a, b in zip(other, values, strict=True)]
        result[OTHER_LABEL] = other
    return result


def _ranked(name: str, groups: dict[str, list], total: float, limit: int = TOP_N) -> list[BreakdownRow]:
    ranked = sorted(groups.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    return [
        BreakdownRow(
            id=k,
            label=k or ("unknown" if name == "providers" else NONE_LABEL),
            spend=spend,
            tokens=tokens,
            requests=requests,
            share=(spend / total) if total else 0.0,
        )
        for k, (spend, tokens, requests) in ranked
    ]


def _figures(cur: dict, old: dict) -> list[Figure]:
    def rate(d):
        done = d["successful"] + d["failed"]
        return (d["successful"] / done) if done else 0.0

    def avg_cost(d):
        return (d["spend"] / d["requests"]) if d["requests"] else 0.0

    def cache(d):
        return d["cache_read"] + d["cache_creation"]

    return [
        Figure("spend", "Spend", cur["spend"], old["spend"], "money"),
        Figure("requests", "Requests", cur["requests"], old["requests"]),
        Figure("successful", "Successful", cur["successful"], old["successful"]),
        Figure("failed", "Failed", cur["failed"], old["failed"]),
        Figure("success_rate", "Success rate", rate(cur), rate(old), "percent"),
        Figure("prompt_tokens", "Prompt tokens", cur["prompt"], old["prompt"]),
        Figure("completion_tokens", "Completion tokens", cur["completion"], old["completion"]),
        Figure("cache_tokens", "Cache tokens (read + write)", cache(cur), cache(old)),
        Figure("avg_cost", "Average cost per request", avg_cost(cur), avg_cost(old), "money"),
    ]


def figures(scope: Scope, period: Period) -> list[Figure]:
    return overview(scope, period).figures


def daily_series(scope: Scope, period: Period, *, stack: str = "model") -> DailySeries:
    return overview(scope, period, stack=stack).series


# ---------------------------------------------------------------------------------------------
# Breakdown tables


BREAKDOWNS = {
    # name: (title, daily table (None: the scope's own), grouping column)
    "teams": ("Top teams", "DailyTeamSpend", "team_id"),
    "users": ("Top users", "DailyUserSpend", "user_id"),
    "keys": ("Top keys", None, "api_key"),
    "models": ("Top models", None, "model"),
    "providers": ("Providers", None, "custom_llm_provider"),
    "tags": ("Top tags", "DailyTagSpend", "tag"),
}


def breakdown(scope: Scope, period: Period, name: str, *, limit: int = TOP_N, overview_=None) -> list[BreakdownRow]:
    """The top `limit` entries by spend with their share of the total. Models and providers
    come from the overview statement; the others are one grouped statement each (the share's
    total from a window over the same groups), plus one lookup for readable names."""
    if name in ("models", "providers"):
        return getattr(overview_ or overview(scope, period), name)
    _title, table, column = BREAKDOWNS[name]
    table = table or scope.base_table
    where, params = scope_filter(scope, table)
    key = _none(column) if column != "api_key" else column
    # On the scope's own table the share's total is the overview's spend: no window needed
    # (a window over 100,000 key groups costs a good part of the statement).
    known_total = overview_.figures[0].value if overview_ is not None and table == scope.base_table else None
    total_sql = "SUM(SUM(spend)) OVER ()" if known_total is None else "NULL"
    sql = f"""
        SELECT {key} AS k, SUM(spend) AS spend, SUM(prompt_tokens) + SUM(completion_tokens) AS tokens,
               SUM(api_requests) AS requests, {total_sql} AS total
        FROM "{table_name(table)}"
        WHERE date >= %s AND date <= %s AND {where}
        GROUP BY 1
        ORDER BY 2 DESC, 1
        LIMIT %s
    """
    rows = _fetch(sql, [period.start.isoformat(), period.end.isoformat(), *params, limit])
    names = labels(name, [r[0] for r in rows if r[0]])
    out = []
    for k, spend, tokens, requests, total in rows:
        total = known_total if known_total is not None else total
        spend = float(spend or 0)
        out.append(
            BreakdownRow(
                id=k,
                label=names.get(k) or (k or NONE_LABEL),
                spend=spend,
                tokens=int(tokens or 0),
                requests=int(requests or 0),
                share=(spend / float(total)) if total else 0.0,
            )
        )
    return out


def labels(kind: str, ids) -> dict[str, str]:
    """Readable names for ids (team alias, user email, key alias): one query per kind."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    if kind == "teams":
        from accounts.models import TeamTable

        rows = TeamTable.objects.filter(team_id__in=ids).values_list("team_id", "team_alias")
        return {i: alias or i for i, alias in rows}
    if kind == "users":
        from accounts.models import UserTable

        rows = UserTable.objects.filter(user_id__in=ids).values_list("user_id", "user_email", "user_alias")
        return {i: email or alias or i for i, email, alias in rows}
    if kind == "keys":
        from keys.models import VerificationToken

        rows = VerificationToken.objects.filter(token__in=ids).values_list("token", "key_alias", "key_name")
        found = {token: alias or name or token[:12] for token, alias, name in rows}
        return {i: found.get(i, f"deleted key {i[:8]}…") for i in ids}
    return {}


# ---------------------------------------------------------------------------------------------
# Scope resolution and role rules


def scope_kinds_for(principal) -> list[str]:
    """Scope kinds a person may pick: admins all; org admins their orgs and below; team
    admins their teams, themselves and keys; everyone else themselves and their keys."""
    if principal.sees_everything:
        return [k for k, _ in SCOPE_KINDS]
    kinds = []
    if principal.org_admin_of:
        kinds.append("org")
    if principal.org_admin_of or principal.team_admin_of:
        kinds.append("team")
    if principal.user_id:
        kinds.append("user")
    if principal.user_id or principal.org_admin_of or principal.team_admin_of:
        kinds.append("key")
    return kinds


def default_scope_value(principal) -> tuple[str, str | None]:
    if principal.sees_everything:
        return "proxy", None
    if principal.org_admin_of:
        return "org", sorted(principal.org_admin_of)[0]
    if principal.team_admin_of:
        return "team", sorted(principal.team_admin_of)[0]
    return "user", principal.user_id


def visible_teams(principal):
    """Teams a person may pick as a scope (id, label), ordered by name."""
    from accounts.models import TeamTable

    qs = TeamTable.objects.all()
    if not principal.sees_everything:
        qs = qs.filter(Q(team_id__in=principal.team_admin_of) | Q(organization_id__in=principal.org_admin_of))
    return [(t, a or t) for t, a in qs.order_by("team_alias", "team_id").values_list("team_id", "team_alias")]


def visible_orgs(principal):
    from accounts.models import OrganizationTable

    qs = OrganizationTable.objects.all()
    if not principal.sees_everything:
        qs = qs.filter(organization_id__in=principal.org_admin_of)
    return list(qs.order_by("organization_alias").values_list("organization_id", "organization_alias"))


class ScopeRefused(Exception):
    """The person may not look at this kind of scope at all (403)."""


class ScopeNotFound(Exception):
    """No such team/user/key/org among those the person may see (404)."""


def pick_scope(principal, kind: str | None, value: str | None) -> Scope:
    """The scope a dashboard request asks for: the role's default when it names none; the first
    team or organization one may see when a tab is picked without one; and, for kinds whose
    value is typed (user, key, tag, model), a Scope with value None until one is given.
    Raises ScopeRefused (403) or ScopeNotFound (404)."""
    default_kind, default_value = default_scope_value(principal)
    kind = kind or default_kind
    value = (value or "").strip() or (default_value if kind == default_kind else None)
    if kind not in scope_kinds_for(principal):
        raise ScopeRefused(kind)
    if value is None and kind in ("team", "org"):
        choices = visible_teams(principal) if kind == "team" else visible_orgs(principal)
        value = choices[0][0] if choices else None
    if value is None and kind in ("user", "key", "tag", "model") and not (kind == "user" and principal.user_id):
        return Scope(kind, None, f"pick a {SCOPE_LABELS[kind].lower()}")
    return resolve_scope(principal, kind, value)


def resolve_scope(principal, kind: str, value: str | None) -> Scope:
    """Check the person may see `kind`/`value`, and load its label and budget."""
    from accounts.models import OrganizationTable, TeamTable, UserTable
    from budgets.models import BudgetTable
    from keys.models import VerificationToken

    if kind not in scope_kinds_for(principal):
        raise ScopeRefused(kind)
    value = (value or "").strip() or None
    if kind == "proxy":
        return Scope("proxy")
    if kind == "user" and value is None and principal.user_id:
        value = principal.user_id
    if value is None:
        raise ScopeNotFound(kind)
    if kind == "org":
        if not principal.sees_everything and value not in principal.org_admin_of:
            raise ScopeNotFound(kind)
        org = OrganizationTable.objects.filter(organization_id=value).values("organization_alias", "budget_id").first()
        if org is None:
            raise ScopeNotFound(kind)
        budget = BudgetTable.objects.filter(budget_id=org["budget_id"]).values_list("max_budget", flat=True).first()
        return Scope("org", value, org["organization_alias"] or value, budget)
    if kind == "team":
        team = TeamTable.objects.filter(team_id=value).values("team_alias", "organization_id", "max_budget").first()
        allowed = (
            principal.sees_everything
            or value in principal.team_admin_of
            or (team and team["organization_id"] in principal.org_admin_of)
        )
        if team is None or not allowed:
            raise ScopeNotFound(kind)
        return Scope("team", value, team["team_alias"] or value, team["max_budget"])
    if kind == "user":
        user = UserTable.objects.filter(Q(user_id=value) | Q(user_email__iexact=value)).filter(principal.users_q())
        row = user.values("user_id", "user_email", "max_budget").first()
        if row is None or (
            not principal.sees_everything and not principal.org_admin_of and row["user_id"] != principal.user_id
        ):
            raise ScopeNotFound(kind)
        return Scope("user", row["user_id"], row["user_email"] or row["user_id"], row["max_budget"])
    if kind == "key":
        keys = VerificationToken.objects.filter(principal.keys_q())
        row = (
            keys.filter(Q(token=value) | Q(key_alias=value))
            .values("token", "key_alias", "key_name", "max_budget")
            .first()
        )
        if row is None:
            raise ScopeNotFound(kind)
        return Scope("key", row["token"], row["key_alias"] or row["key_name"] or row["token"][:12], row["max_budget"])
    if kind == "tag":
        return Scope("tag", value, value)
    if kind == "model":
        return Scope("model", value, value)
    raise ScopeRefused(kind)


# ---------------------------------------------------------------------------------------------
# Request logs (SpendLogs) and error logs: time-bounded keyset pages


MAX_LOG_WINDOW = timedelta(days=31)
LOG_PAGE_SIZE = 50
LOG_LIST_FIELDS = [
    "request_id",
    "start_time",
    "end_time",
    "api_key",
    "user",
    "team_id",
    "model",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "call_type",
    "metadata",
]


def encode_cursor(start_time: datetime, request_id: str) -> str:
    raw = f"{start_time.isoformat()}|{request_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, request_id = raw.split("|", 1)
        return datetime.fromisoformat(stamp), request_id
    except (ValueError, UnicodeDecodeError):
        return None


def spend_logs_visible_q(principal) -> Q:
    """SpendLogs a person may see: admins all; org admins their orgs' teams' logs; team admins
    their teams' logs; everyone their own keys' logs."""
    from keys.models import VerificationToken

    if principal.sees_everything:
        return Q()
    q = Q(pk__in=[])
    if principal.user_id:
        q |= Q(api_key__in=VerificationToken.objects.filter(user_id=principal.user_id).values("token"))
    if principal.team_admin_of:
        q |= Q(team_id__in=list(principal.team_admin_of))
    if principal.org_admin_of:
        from accounts.models import TeamTable

        q |= Q(team_id__in=TeamTable.objects.filter(organization_id__in=list(principal.org_admin_of)).values("team_id"))
    return q


def key_hash_for(value: str) -> str:
    """What SpendLogs.api_key holds for a key typed into a filter: a raw `sk-...` key is hashed
    the way the proxy hashes it (sha256 hex); a key alias is looked up; a hash stays as it is."""
    import hashlib

    from keys.models import VerificationToken

    value = value.strip()
    if value.startswith("sk-"):
        return hashlib.sha256(value.encode()).hexdigest()
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    token = VerificationToken.objects.filter(key_alias=value).values_list("token", flat=True).first()
    return token or value


def spend_logs_queryset(principal, *, start: datetime, end: datetime, filters: dict):
    """Spend logs in [start, end), visible to `principal`, with the explorer's filters; newest
    first. Every query is bounded by the window, so it stays fast without an
    (api_key, "startTime") index: the "startTime" index narrows the scan first."""
    from usage.models import SpendLogs

    fields = [f for f in LOG_LIST_FIELDS]
    if SpendLogs.has_column("status"):
        fields.append("status")
    qs = SpendLogs.objects.only(*fields).filter(start_time__gte=start, start_time__lt=end)
    qs = qs.filter(spend_logs_visible_q(principal))
    if filters.get("key"):
        qs = qs.filter(api_key=key_hash_for(filters["key"]))
    if filters.get("user"):
        qs = qs.filter(user=filters["user"])
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    if filters.get("model"):
        qs = qs.filter(model=filters["model"])
    if filters.get("status") and SpendLogs.has_column("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("min_spend") is not None:
        qs = qs.filter(spend__gte=filters["min_spend"])
    return qs.order_by("-start_time", "-request_id")


def keyset_page(queryset, cursor: tuple[datetime, str] | None, *, size: int | None = None):
    """One page after `cursor` (a (startTime, request_id) pair) in newest-first order, with
    the cursor of the next page (None on the last). No OFFSET, no COUNT(*)."""
    size = size or LOG_PAGE_SIZE
    if cursor is not None:
        at, request_id = cursor
        queryset = queryset.filter(Q(start_time__lt=at) | Q(start_time=at, request_id__lt=request_id))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].start_time, rows[-1].request_id)
    return rows, next_cursor


def error_logs_queryset(*, start: datetime, end: datetime, filters: dict):
    from usage.models import ErrorLogs

    qs = ErrorLogs.objects.defer("request_kwargs").filter(start_time__gte=start, start_time__lt=end)
    if filters.get("model"):
        qs = qs.filter(model_group=filters["model"])
    if filters.get("exception_type"):
        qs = qs.filter(exception_type=filters["exception_type"])
    if filters.get("status_code"):
        qs = qs.filter(status_code=filters["status_code"])
    return qs.order_by("-start_time", "-request_id")
