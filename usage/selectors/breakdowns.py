"""Breakdown tables: the top teams, users, keys, models, providers and tags of a scope."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from django.core.cache import cache

from config.litellm import table_name
from config.writes import now_utc

from . import rollup
from .cache import _cache_get, _cache_key, _caching, _day_after, _segments, closed_days_ttl
from .overview import BreakdownRow, overview
from .periods import Period
from .ranking import NONE_LABEL, RANK_DIGITS, TIE_MARGIN, TOP_N, labels, rank_of
from .scopes import Scope, scope_filter
from .sql import _fetch, _none

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

    @classmethod
    def of(cls, ranked: list[tuple], keep: int, total: float | None, known: dict | None = None) -> TopGroups:
        """From the biggest keep + 1 groups, ranked: the first `keep`, and the next one's spend."""
        if len(ranked) <= keep:
            return cls(ranked, True, 0.0, total, known or {})
        return cls(ranked[:keep], False, ranked[keep][1], total, known or {})


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


def _grouped_by_day(scope: Scope, name: str, start: str, stop: str) -> list[tuple]:
    """(date, group, spend, tokens, requests) for start <= date < stop: the breakdown's groups
    of each day (what usage/rollup.py keeps of closed days)."""
    table, _column, key = _group_key(name, scope)
    where, params = scope_filter(scope, table)
    sql = f"""
        SELECT date, {key}, SUM(spend), SUM(prompt_tokens) + SUM(completion_tokens), SUM(api_requests)
        FROM "{table_name(table)}"
        WHERE date >= %s AND date < %s AND {where}
        GROUP BY 1, 2
    """
    return [(day, k, *_figures_of(v)) for day, k, *v in _fetch(sql, [start, stop, *params])]


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
    return TopGroups.of(rows, keep, total)


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
    ranked = sorted(((k, *_figures_of(v)) for k, *v, part in fetched if part == 0), key=rank_of)
    known = {k: float(v[0] or 0) for k, *v, part in fetched if part == 1}
    total = next((float(v[0] or 0) for _k, *v, part in fetched if part == 2), 0.0) if with_total else None
    if spend_only and ranked:
        figures = _groups_by_id(scope, name, start, stop, [k for k, *_ in ranked[:keep]])
        ranked = [(k, spend, *figures[k][1:]) if k in figures else (k, spend, 0, 0) for k, spend, *_ in ranked]
    return TopGroups.of(ranked, keep, total, known)


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
    if closed is None or not (_caching(scope) or rollup.covers(scope, *closed, name)):
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
    caching = _caching(scope)  # off: the rollups alone serve the closed days
    cached = _cache_get(key) if caching else None
    open_rows, open_total = [], 0.0
    closed_by_id = _groups_by_id
    if cached is None:
        stored_at = now_utc()
        if rollup.covers(scope, *closed, name):  # the console's rollups of closed days
            # every open-day group (the merge below keeps those that can reach the top), whose
            # closed-day spend the rollups' statement returns with the top (as `also` does)
            if opened:
                open_rows, open_total = _open_groups(scope, name, *opened, top=None, limit=limit)
            also = [k for k, *_ in open_rows] if opened else None
            top = rollup.top_groups(scope, name, *closed, keep=keep, with_total=with_total, also=also)
            closed_by_id = rollup.groups_by_id
        else:
            top = _closed_top_groups(scope, name, *closed, keep=keep, with_total=with_total, also=opened)
            if opened:  # only the open-day groups that can reach the top (see _open_groups)
                open_rows, open_total = _open_groups(scope, name, *opened, top=top, limit=limit)
        # keep the closed-day spend of those among them outside the list; `known` came with
        # every group active on the open days, so one missing from it had no closed-day rows
        top_ids = {k for k, *_ in top.rows}
        top.known = {k: top.known.get(k, 0.0) for k, *_ in open_rows if k not in top_ids}
        if caching:
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
    looked_up = closed_by_id(scope, name, *closed, unknown) if unknown else {}
    if looked_up:  # groups new on the open days since the entry was made: looked up once
        known.update({k: v[0] for k, v in looked_up.items()})
        left = closed_days_ttl() - (now_utc() - stored_at).total_seconds()
        if caching and left > 1:
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
            before.update(closed_by_id(scope, name, *closed, missing))
        for k in shown_newcomers:
            _s0, t0, r0 = before.get(k, (0.0, 0, 0))
            _s, t, r = newcomers[k]
            merged[k] = [merged[k][0], t0 + t, r0 + r]
    total = None if top.total is None else top.total + open_total
    return {k: merged[k] for k, _ in ranked}, total
