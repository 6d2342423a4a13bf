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
import hashlib
import heapq
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Q

from config.litellm import catalog, table_name
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

NONE_LABEL = "(none)"
# Rankings compare spend rounded to 9 decimals, then the id: spend sums decimal costs, and
# float sums of equal costs added in another order differ in the last bit, which must not
# decide which of two equal groups is shown. Candidate floors leave TIE_MARGIN of room so no
# group that could tie is left out.
RANK_DIGITS = 9
TIE_MARGIN = 1e-6
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
        # the bare column, so the model index serves it (a model scope is never "none")
        return "model = %s", [scope.value]
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
# Closed days: cached in Django's cache for the whole proxy and organizations
#
# The proxy adds to a day's rows while the day lasts and flushes its last batches a little
# after midnight; days older than 2 days do not change (except for a very late flush from a
# proxy that was cut off, which shows once the cache entry expires). So a period is read in
# two segments: its closed days (older than 2 days), whose grouped results are kept in
# Django's cache for closed_days_ttl() seconds under a key naming the database, the scope,
# the figure set and the exact closed date range (so a new day makes new entries); and its
# open days (the day before yesterday, yesterday and today), always read live through the
# (date) index, a few thousand rows. Figures grouped by date add up segment by segment; the
# top-N tables merge as `breakdown` explains. Team, user, key, tag and model scopes are read
# live: their index makes them cheap already.

OPEN_DAYS = 3  # today, yesterday and the day before are read live, always
CACHED_SCOPES = ("proxy", "org")
CACHE_VERSION = "usage-closed-v4"


def closed_days_ttl() -> int:
    """Seconds a closed days' entry lives (settings.USAGE_CLOSED_DAYS_CACHE_SECONDS, default
    6 hours; 0 turns the cache off)."""
    from django.conf import settings

    return int(getattr(settings, "USAGE_CLOSED_DAYS_CACHE_SECONDS", 6 * 3600))


def _caching(scope: Scope) -> bool:
    return scope.kind in CACHED_SCOPES and closed_days_ttl() > 0


_refreshing = False


@contextmanager
def refreshing_closed_days(refresh: bool = True):
    """Recompute (and re-cache) closed days even where the cache holds them (usage_warm)."""
    global _refreshing
    before, _refreshing = _refreshing, refresh
    try:
        yield
    finally:
        _refreshing = before


def _cache_get(key: str):
    return None if _refreshing else cache.get(key)


def _day_after(d: date) -> str:
    return (d + timedelta(days=1)).isoformat()


def _segments(start: date, end: date, *, today: date | None = None) -> tuple[tuple | None, tuple | None]:
    """([start, stop) of the closed days, [start, stop) of the open days) of start..end as date
    strings; either is None when the range has no such days."""
    today = today or now_utc().date()
    first_open = today - timedelta(days=OPEN_DAYS - 1)
    closed = (start.isoformat(), min(_day_after(end), first_open.isoformat())) if start < first_open else None
    opened = (max(start, first_open).isoformat(), _day_after(end)) if end >= first_open else None
    return closed, opened


def _cache_key(scope: Scope, part: str, segment: tuple) -> str:
    """Names everything the cached rows depend on: which database (and table prefix), scope,
    figure set and exact closed date range."""
    from django.conf import settings

    db = settings.DATABASES[LITELLM_ALIAS]
    where = f"{db.get('HOST')}:{db.get('PORT')}:{db.get('NAME')}:{table_name('DailyTeamSpend')}"
    raw = f"{CACHE_VERSION}|{where}|{scope.kind}|{scope.value}|{part}|{segment[0]}|{segment[1]}"
    return "usage:" + hashlib.sha256(raw.encode()).hexdigest()


def _cached_segment(scope: Scope, part: str, segment: tuple, compute):
    """compute(scope, start, stop) for a closed segment, from the cache when it holds it."""
    if not _caching(scope):
        return compute(scope, *segment)
    key = _cache_key(scope, part, segment)
    found = _cache_get(key)
    if found is None:
        found = compute(scope, *segment)
        cache.set(key, found, closed_days_ttl())
    return found


def _segmented(scope: Scope, part: str, start: date, end: date, rows_for) -> list[tuple]:
    """Rows grouped by date (or anything that includes the date) for start..end: the closed
    days' rows (cached) followed by the open days' rows (live); no date is in both."""
    closed, opened = _segments(start, end)
    rows = list(_cached_segment(scope, part, closed, rows_for)) if closed else []
    if opened:
        rows += rows_for(scope, *opened)
    return rows


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
    provider) over both periods, which the database reduces to a few hundred rows. Closed days
    come from the cache where it holds them (see `_cached_segment`)."""
    prev = period.previous()
    rows = _segmented(scope, "overview", prev.start, period.end, _overview_rows)
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


def _overview_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    """(date, model, provider, 8 counters) for start <= date < stop on the scope's own table."""
    table = scope.base_table
    where, params = scope_filter(scope, table)
    sql = f"""
        SELECT date, {_none("model")}, {_none("custom_llm_provider")}, SUM(spend), SUM(prompt_tokens),
               SUM(completion_tokens), SUM(cache_read_input_tokens), SUM(cache_creation_input_tokens),
               SUM(api_requests), SUM(successful_requests), SUM(failed_requests)
        FROM "{table_name(table)}"
        WHERE date >= %s AND date < %s AND {where}
        GROUP BY 1, 2, 3
    """
    return [
        (day, model, provider, float(spend or 0), *(int(v or 0) for v in rest))
        for day, model, provider, spend, *rest in _fetch(sql, [start, stop, *params])
    ]


def _team_day_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    """(date, team, spend) for start <= date < stop: DailyTeamSpend grouped by (date, team)."""
    where, params = scope_filter(scope, "DailyTeamSpend")
    sql = f"""
        SELECT date, {_none("team_id")}, SUM(spend) FROM "{table_name("DailyTeamSpend")}"
        WHERE date >= %s AND date < %s AND {where} GROUP BY 1, 2
    """
    return [(d, t, float(s or 0)) for d, t, s in _fetch(sql, [start, stop, *params])]


def _spend_per_day_by_team(scope: Scope, period: Period, index: dict[str, int]) -> dict[str, list[float]]:
    """Spend per day and team (stacking by team)."""
    out: dict[str, list[float]] = {}
    for day, team, spend in _segmented(scope, "team_days", period.start, period.end, _team_day_rows):
        if day in index:
            out.setdefault(team, [0.0] * len(index))[index[day]] += spend
    return out


def _top_series(per_series: dict[str, list[float]], n: int, kind: str) -> dict[str, list[float]]:
    """The MAX_SERIES - 1 biggest series by name, the rest lumped together as Other."""
    ranked = sorted(per_series.items(), key=lambda item: (-round(sum(item[1]), RANK_DIGITS), item[0]))
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
    ranked = sorted(groups.items(), key=lambda item: (-round(item[1][0], RANK_DIGITS), item[0]))[:limit]
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


CACHED_TOP = 200  # closed-day groups kept per breakdown: well above TOP_N, so few groups from
# outside them can climb into the top on the open days


@dataclass
class TopGroups:
    """The biggest groups of one breakdown over some days, by spend (then id)."""

    rows: list[tuple]  # (id, spend, tokens, requests), biggest first
    complete: bool  # every group of those days is in rows
    rest_max: float  # the spend of the biggest group left out (0 when complete)
    total: float | None  # the spend of all groups (None when not asked for)
    known: dict = field(default_factory=dict)  # id -> spend of some more groups (open-day climbers)


def _group_key(name: str, scope: Scope) -> tuple[str, str, str]:
    """(daily table, grouping column, grouping expression) of a breakdown."""
    _title, table, column = BREAKDOWNS[name]
    table = table or scope.base_table
    return table, column, (_none(column) if column != "api_key" else column)


def _grouped_cte(scope: Scope, name: str) -> tuple[str, list]:
    table, _column, key = _group_key(name, scope)
    where, params = scope_filter(scope, table)
    sql = f"""
        SELECT {key} AS k, SUM(spend) AS spend, SUM(prompt_tokens) + SUM(completion_tokens) AS tokens,
               SUM(api_requests) AS requests
        FROM "{table_name(table)}"
        WHERE date >= %s AND date < %s AND {where}
        GROUP BY 1
    """
    return sql, params


def _figures_of(value) -> tuple:
    spend, tokens, requests = value
    return float(spend or 0), int(tokens or 0), int(requests or 0)


def _top_groups(scope: Scope, name: str, start: str, stop: str, *, keep: int, with_total: bool) -> TopGroups:
    """The `keep` biggest groups for start <= date < stop with their figures, and (when asked)
    the total of all groups (a window over the same groups: over 100,000 keys it costs)."""
    grouped, params = _grouped_cte(scope, name)
    total_sql = "SUM(spend) OVER ()" if with_total else "NULL"
    sql = f"""
        SELECT k, spend, tokens, requests, {total_sql} FROM ({grouped}) g
        ORDER BY round(spend::numeric, {RANK_DIGITS}) DESC, k COLLATE "C" LIMIT %s
    """
    fetched = _fetch(sql, [start, stop, *params, keep + 1])
    rows = [(k, *_figures_of(v)) for k, *v, _total in fetched]
    total = (float(fetched[0][4] or 0) if fetched else 0.0) if with_total else None
    if len(rows) <= keep:
        return TopGroups(rows, True, 0.0, total)
    return TopGroups(rows[:keep], False, rows[keep][1], total)


def _closed_top_groups(
    scope: Scope, name: str, start: str, stop: str, *, keep: int, with_total: bool, also: tuple | None
) -> TopGroups:
    """What the cache keeps of a breakdown's closed days: the `keep` biggest groups, the spend
    of every group that also has rows in the date range `also` (the open days: any of them may
    climb into the top later today), and the total when asked: one statement, its groups read
    up to three ways. For keys and users (up to 100,000 groups) it groups the spend alone (the
    costly hash carries one sum, not four) and a second statement adds tokens and requests for
    the kept groups only, through the grouping column's index; teams and tags are few, so
    their kept groups cover much of the table and one statement sums everything."""
    spend_only = name in SPEND_ONLY_FIRST
    table, _column, key = _group_key(name, scope)
    where, params = scope_filter(scope, table)
    also_sql = f"""
        UNION ALL
        (SELECT k, spend, NULL, NULL, 1 FROM g WHERE k IN (
            SELECT {key} FROM "{table_name(table)}" WHERE date >= %s AND date < %s AND {where}))
    """
    total_sql = "UNION ALL SELECT NULL, SUM(spend), NULL, NULL, 2 FROM g" if with_total else ""
    sums = (
        "NULL AS tokens, NULL AS requests"
        if spend_only
        else "SUM(prompt_tokens) + SUM(completion_tokens) AS tokens, SUM(api_requests) AS requests"
    )
    sql = f"""
        WITH g AS MATERIALIZED (
            SELECT {key} AS k, SUM(spend) AS spend, {sums} FROM "{table_name(table)}"
            WHERE date >= %s AND date < %s AND {where} GROUP BY 1
        )
        (SELECT k, spend, tokens, requests, 0 FROM g
         ORDER BY round(spend::numeric, {RANK_DIGITS}) DESC, k COLLATE "C" LIMIT %s)
        {also_sql if also else ""}
        {total_sql}
    """
    also_params = [*also, *params] if also else []
    fetched = _fetch(sql, [start, stop, *params, keep + 1, *also_params])
    ranked = sorted(
        ((k, *_figures_of(v)) for k, *v, part in fetched if part == 0),
        key=lambda row: (-round(row[1], RANK_DIGITS), row[0]),
    )
    known = {k: float(v[0] or 0) for k, *v, part in fetched if part == 1}
    total = next((float(v[0] or 0) for _k, *v, part in fetched if part == 2), 0.0) if with_total else None
    rows = ranked[:keep]
    if spend_only and rows:
        figures = _groups_by_id(scope, name, start, stop, [k for k, *_ in rows])
        rows = [(k, spend, figures[k][1], figures[k][2]) for k, spend, *_ in rows]
    if len(ranked) <= keep:
        return TopGroups(rows, True, 0.0, total, known)
    return TopGroups(rows, False, ranked[keep][1], total, known)


SPEND_ONLY_FIRST = ("keys", "users")  # breakdowns with many groups (see _closed_top_groups)


def _open_groups(scope: Scope, name: str, start: str, stop: str, *, top: TopGroups | None, limit: int):
    """The open days' groups that can end in the top `limit` once added to the closed days in
    `top` (all of them when `top` is None), and the open days' total spend.

    A cached group ends with C + O (closed + open spend), a group outside the list with at
    most rest_max + O. L, the limit-th biggest C + O among the cached groups, is a floor for
    the top: so only groups with (C, or rest_max when not cached) + O >= L can be in it.
    The database works L out, so only those few groups come back."""
    grouped, params = _grouped_cte(scope, name)
    if top is None:
        sql = f"""
            WITH g AS ({grouped})
            SELECT k, spend, tokens, requests FROM g
            UNION ALL
            SELECT NULL, SUM(spend), NULL, NULL FROM g
        """
        extra = []
    else:
        sql = f"""
            WITH g AS ({grouped}),
            c AS (SELECT * FROM unnest(%s::text[], %s::float8[]) AS c (k, spend)),
            floor AS (
                SELECT c.spend + COALESCE(g.spend, 0) AS final FROM c LEFT JOIN g ON g.k = c.k
                ORDER BY 1 DESC LIMIT 1 OFFSET %s
            )
            SELECT g.k, g.spend, g.tokens, g.requests FROM g LEFT JOIN c ON c.k = g.k
            WHERE COALESCE(c.spend, %s) + g.spend >= COALESCE((SELECT final FROM floor), 0) - %s
            UNION ALL
            SELECT NULL, SUM(spend), NULL, NULL FROM g
        """
        extra = [[k for k, *_ in top.rows], [s for _k, s, *_ in top.rows], limit - 1, top.rest_max, TIE_MARGIN]
    rows, total = [], 0.0
    for k, spend, tokens, requests in _fetch(sql, [start, stop, *params, *extra]):
        if k is None:
            total = float(spend or 0)
        else:
            rows.append((k, float(spend or 0), int(tokens or 0), int(requests or 0)))
    return rows, total


def _groups_by_id(scope: Scope, name: str, start: str, stop: str, ids) -> dict[str, tuple]:
    """Exact figures of a few groups for start <= date < stop, through the grouping column's
    index (the condition names the bare column: COALESCE around it would hide the index)."""
    table, column, key = _group_key(name, scope)
    where, params = scope_filter(scope, table)
    ids = list(ids)
    match = f"{column} = ANY(%s)"
    match_params = [ids]
    if column != "api_key" and "" in ids:
        match = f"({match} OR {column} IS NULL OR {column} = '')"
    sql = f"""
        SELECT {key}, SUM(spend), SUM(prompt_tokens) + SUM(completion_tokens), SUM(api_requests)
        FROM "{table_name(table)}"
        WHERE date >= %s AND date < %s AND {where} AND {match}
        GROUP BY 1
    """
    fetched = _fetch(sql, [start, stop, *params, *match_params])
    found = {k: _figures_of(v) for k, *v in fetched}
    return {i: found.get(i, (0.0, 0, 0)) for i in ids}


def breakdown(scope: Scope, period: Period, name: str, *, limit: int = TOP_N, overview_=None) -> list[BreakdownRow]:
    """The top `limit` entries by spend with their share of the total. Models and providers
    come from the overview statement; the others are one grouped statement each, plus one
    lookup for readable names.

    Where closed days are cached (whole proxy, organization), only the open days are grouped
    live; the closed days' CACHED_TOP biggest groups come from the cache. Merging is exact: a
    group outside the cached list spent at most `rest_max` on the closed days, so it can reach
    the top `limit` only if it spent at least (the limit-th cached spend - rest_max) on the
    open days; the closed-day figures of such groups are in the cache entry (the statement
    that fills it returns them for every group active on the open days), or are looked up by
    the grouping column's index and added to it. (Spend in the daily tables is never
    negative: the proxy only adds costs.)"""
    if name in ("models", "providers"):
        return getattr(overview_ or overview(scope, period), name)
    table = _group_key(name, scope)[0]
    # On the scope's own table the share's total is the overview's spend: no window needed
    # (a window over 100,000 key groups costs a good part of the statement).
    known_total = overview_.figures[0].value if overview_ is not None and table == scope.base_table else None
    with_total = known_total is None
    closed, opened = _segments(period.start, period.end)
    if closed is None or not _caching(scope):
        whole = (period.start.isoformat(), _day_after(period.end))
        top = _top_groups(scope, name, *whole, keep=limit, with_total=with_total)
        merged = {k: [s, t, r] for k, s, t, r in top.rows}
        total = top.total
    else:
        merged, total = _merged_groups(scope, name, closed, opened, limit=limit, with_total=with_total)
    total = known_total if known_total is not None else total
    ranked = heapq.nsmallest(limit, merged.items(), key=lambda item: (-round(item[1][0], RANK_DIGITS), item[0]))
    names = labels(name, [k for k, _ in ranked if k])
    return [
        BreakdownRow(
            id=k,
            label=names.get(k) or (k or NONE_LABEL),
            spend=spend,
            tokens=tokens,
            requests=requests,
            share=(spend / float(total)) if total else 0.0,
        )
        for k, (spend, tokens, requests) in ranked
    ]


def _merged_groups(scope: Scope, name: str, closed: tuple, opened, *, limit: int, with_total: bool):
    """({id: [spend, tokens, requests]} holding the true top `limit` over closed + open days,
    total spend or None): the closed days from the cache (see `breakdown`)."""
    keep = max(CACHED_TOP, limit)
    key = _cache_key(scope, f"top:{name}:{keep}:{with_total}", closed)
    cached = _cache_get(key)
    open_rows, open_total = [], 0.0
    if cached is None:
        top = _closed_top_groups(scope, name, *closed, keep=keep, with_total=with_total, also=opened)
        stored_at = now_utc()
        if opened:  # only the open-day groups that can reach the top (see _open_groups)
            open_rows, open_total = _open_groups(scope, name, *opened, top=top, limit=limit)
        # keep the closed-day spend of those among them outside the list; `known` came with
        # every group active on the open days, so one missing from it had no closed-day rows
        top_ids = {k for k, *_ in top.rows}
        top.known = {k: top.known.get(k, 0.0) for k, *_ in open_rows if k not in top_ids}
        cache.set(key, (stored_at, top), closed_days_ttl())
    else:
        stored_at, top = cached
        if opened:
            open_rows, open_total = _open_groups(scope, name, *opened, top=top, limit=limit)
    # (plain loops and dict lookups: on flat spend thousands of open-day groups come back)
    merged = {k: [s, t, r] for k, s, t, r in top.rows}
    newcomers = {}
    for k, s, t, r in open_rows:
        figures = merged.get(k)
        if figures is None:
            newcomers[k] = (s, t, r)
        else:
            figures[0] += s
            figures[1] += t
            figures[2] += r
    # only newcomers that may reach the limit-th merged spend matter (at most rest_max before)
    if len(merged) >= limit:
        floor = heapq.nlargest(limit, [v[0] for v in merged.values()])[-1] - top.rest_max
        newcomers = {k: v for k, v in newcomers.items() if v[0] >= floor - TIE_MARGIN}
    known = top.known
    unknown = [] if top.complete else [k for k in newcomers if k not in known]
    looked_up = _groups_by_id(scope, name, *closed, unknown) if unknown else {}
    if looked_up:  # groups new on the open days since the entry was made: looked up once
        known.update({k: v[0] for k, v in looked_up.items()})
        left = closed_days_ttl() - (now_utc() - stored_at).total_seconds()
        if left > 1:
            cache.set(key, (stored_at, top), int(left))
    for k, (s, _t, _r) in newcomers.items():
        merged[k] = [known.get(k, 0.0) + s, None, None]  # tokens and requests once it is shown
    # the limit-th biggest spend, then order the few at or above it
    if len(merged) > limit:
        least = heapq.nlargest(limit, [v[0] for v in merged.values()])[-1]
        candidates = [(k, v) for k, v in merged.items() if v[0] >= least - TIE_MARGIN]
    else:
        candidates = list(merged.items())
    ranked = sorted(candidates, key=lambda item: (-round(item[1][0], RANK_DIGITS), item[0]))[:limit]
    shown_newcomers = [k for k, v in ranked if v[1] is None]
    if shown_newcomers:
        before = {k: looked_up[k] for k in shown_newcomers if k in looked_up}
        # a complete list has every closed-day group: a newcomer had no closed-day rows
        missing = [] if top.complete else [k for k in shown_newcomers if k not in before]
        if missing:  # closed-day tokens and requests of the few shown (the cache keeps spend only)
            before.update(_groups_by_id(scope, name, *closed, missing))
        for k in shown_newcomers:
            _s0, t0, r0 = before.get(k, (0.0, 0, 0))
            _s, t, r = newcomers[k]
            merged[k] = [merged[k][0], t0 + t, r0 + r]
    total = None if top.total is None else top.total + open_total
    return {k: merged[k] for k, _ in ranked}, total


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
    """The (startTime, request_id) an encode_cursor() string holds; None for anything else
    (garbage, an aware time, a NUL or unpaired surrogate PostgreSQL would refuse)."""
    from config.validation import text_problem

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, request_id = raw.split("|", 1)
        at = datetime.fromisoformat(stamp)
    except (ValueError, UnicodeDecodeError):
        return None
    if at.tzinfo is not None or text_problem(request_id) or len(request_id) > 1000:
        return None
    return at, request_id


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
