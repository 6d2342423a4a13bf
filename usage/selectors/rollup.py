"""Closed days read from the console's rollups (usage/rollup.py builds and checks them).

A closed segment [start, stop) of the whole proxy or an organization is read here when the
scope's rollups cover it (every day before RollupScope.before_day is rolled up), and from
LiteLLM's daily tables otherwise. The functions return what their live counterparts return
(overview._overview_rows, _team_day_rows, daily._spend_rows, breakdowns' top groups and
groups by id), so everything downstream (the cache, the merge with the open days) is the same.
The check is one primary-key read, made only when a closed segment is computed (not on a view
the closed-days cache serves).
"""

from __future__ import annotations

from django.db import connections

from usage.models import RollupRow, RollupScope

from .ranking import RANK_DIGITS
from .scopes import Scope

ROLLED_SCOPES = ("proxy", "org")
TABLE = RollupRow._meta.db_table


def scope_key(scope: Scope) -> str:
    """How RollupRow and RollupScope name a scope."""
    return "proxy" if scope.kind == "proxy" else f"org:{scope.value}"


def rolled_breakdowns(scope: Scope) -> list[str]:
    """The top-N tables rolled up for a scope (models and providers come from the overview
    rows). Not the whole proxy's keys and users: one row per key (user) and active day is as
    many rows as the daily table has, so grouped from the rollup they cost what the daily
    table's statement costs (measured: BENCHMARKS.md notes); an organization's are a tenth
    of them, and its daily-table statements match them through thousands of keys."""
    skip = {"models", "providers", *(("keys", "users") if scope.kind == "proxy" else ())}
    return [name for name in scope.breakdowns() if name not in skip]


def covers(scope: Scope, start: str, stop: str, part: str | None = None) -> bool:
    """Whether the rollups hold every day of start <= date < stop for `scope` (and `part`, a
    breakdown's name, is rolled up for it)."""
    if scope.kind not in ROLLED_SCOPES or (part is not None and part not in rolled_breakdowns(scope)):
        return False
    before = RollupScope.objects.filter(scope=scope_key(scope)).values_list("before_day", flat=True).first()
    return before is not None and stop <= before


def _rows(scope: Scope, part: str, start: str, stop: str, columns: str, tail: str = "") -> list[tuple]:
    sql = f"SELECT {columns} FROM {TABLE} WHERE scope = %s AND part = %s AND day >= %s AND day < %s {tail}"
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [scope_key(scope), part, start, stop])
        return cursor.fetchall()


def overview_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    columns = "day, k1, k2, spend, prompt, completion, cache_read, cache_creation, requests, successful, failed"
    return [
        (d, m, p, float(s), *(int(v) for v in rest))
        for d, m, p, s, *rest in _rows(scope, "overview", start, stop, columns)
    ]


def team_day_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    return [(d, t, float(s)) for d, t, s in _rows(scope, "team_days", start, stop, "day, k1, spend")]


def spend_rows(scope: Scope, start: str, stop: str) -> list[tuple]:
    return [(d, float(s or 0)) for d, s in _rows(scope, "overview", start, stop, "day, SUM(spend)", "GROUP BY 1")]


# the closed-segment readers of usage/selectors/cache.py, by the part name they cache under
ROWS = {"overview": overview_rows, "team_days": team_day_rows, "spend_by_day": spend_rows}


def top_groups(scope: Scope, name: str, start: str, stop: str, *, keep: int, with_total: bool):
    """breakdowns.TopGroups of the closed days from the rollups: the `keep` biggest groups, the
    spend of the biggest left out, and the total when asked (`known` is left for the caller)."""
    from .breakdowns import TopGroups

    total_sql = "UNION ALL SELECT NULL, SUM(spend), NULL, NULL, 1 FROM g" if with_total else ""
    sql = f"""
        WITH g AS MATERIALIZED (
            SELECT k1 AS k, SUM(spend) AS spend, SUM(tokens) AS tokens, SUM(requests) AS requests
            FROM {TABLE} WHERE scope = %s AND part = %s AND day >= %s AND day < %s GROUP BY 1
        )
        (SELECT k, spend, tokens, requests, 0 FROM g
         ORDER BY round(spend::numeric, {RANK_DIGITS}) DESC, k COLLATE "C" LIMIT %s)
        {total_sql}
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [scope_key(scope), name, start, stop, keep + 1])
        fetched = cursor.fetchall()
    ranked = sorted(
        ((k, float(s or 0), int(t or 0), int(r or 0)) for k, s, t, r, part in fetched if part == 0),
        key=lambda row: (-round(row[1], RANK_DIGITS), row[0]),
    )
    total = next((float(s or 0) for _k, s, _t, _r, part in fetched if part == 1), 0.0) if with_total else None
    if len(ranked) <= keep:
        return TopGroups(ranked, True, 0.0, total)
    return TopGroups(ranked[:keep], False, ranked[keep][1], total)


def groups_by_id(scope: Scope, name: str, start: str, stop: str, ids) -> dict[str, tuple]:
    """{id: (spend, tokens, requests)} of a few groups over the closed days (0 when none)."""
    ids = list(ids)
    sql = f"""
        SELECT k1, SUM(spend), SUM(tokens), SUM(requests) FROM {TABLE}
        WHERE scope = %s AND part = %s AND k1 = ANY(%s) AND day >= %s AND day < %s GROUP BY 1
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [scope_key(scope), name, ids, start, stop])
        found = {k: (float(s or 0), int(t or 0), int(r or 0)) for k, s, t, r in cursor.fetchall()}
    return {i: found.get(i, (0.0, 0, 0)) for i in ids}
