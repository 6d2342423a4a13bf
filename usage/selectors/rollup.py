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

from django.db import connections, transaction

from usage.models import RollupGroupDay, RollupName, RollupRow, RollupScope

from .ranking import RANK_DIGITS, TIE_MARGIN, rank_of
from .scopes import Scope

ROLLED_SCOPES = ("proxy", "org")
TABLE = RollupRow._meta.db_table
# SUM of a bigint accumulates in numeric: over 100,000 groups that doubled the statement. As
# float8 the sums stay exact for integers below 2**53.
SUMS = "SUM(tokens::float8) AS tokens, SUM(requests::float8) AS requests"
GROUP_TABLE = RollupGroupDay._meta.db_table
NAME_TABLE = RollupName._meta.db_table


def scope_key(scope: Scope) -> str:
    """How RollupRow and RollupScope name a scope."""
    return "proxy" if scope.kind == "proxy" else f"org:{scope.value}"


def rolled_breakdowns(scope: Scope) -> list[str]:
    """The top-N tables rolled up for a scope (models and providers come from the overview rows)."""
    return [name for name in scope.breakdowns() if name not in ("models", "providers")]


# The top keys and users: one row per key (user) and active day, as many as the daily table
# has; kept in their own narrow table with the ids numbered (RollupGroupDay), which groups in
# about half the time of the 64-character hashes and takes half the room (BENCHMARKS.md notes).
WIDE_PARTS = {"keys": 1, "users": 2}
SCOPE_ID = f"(SELECT id FROM {RollupName._meta.db_table} WHERE value = %s)"


def is_wide(name: str) -> bool:
    return name in WIDE_PARTS


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


def top_groups(scope: Scope, name: str, start: str, stop: str, *, keep: int, with_total: bool, also=None):
    """breakdowns.TopGroups of the closed days from the rollups: the `keep` biggest groups, the
    spend of the biggest left out, the total when asked, and in `known` the closed-day spend of
    the groups in `also` (the ids active on the open days), as breakdowns._closed_top_groups
    returns them from the daily tables."""
    from .breakdowns import TopGroups

    # keys and users: numbered ids, spend alone (the hash aggregate of 100,000 groups carries one
    # sum, not three: 119 against 158 ms for 90 days); the candidates are cut by spend, then
    # named and ranked here, and the kept ones' tokens and requests read by primary key
    if is_wide(name):
        grouped = f"""
            SELECT gid, SUM(spend) AS spend, NULL::float8 AS tokens, NULL::float8 AS requests FROM {GROUP_TABLE}
            WHERE scope = {SCOPE_ID} AND part = %s AND day >= %s AND day < %s GROUP BY 1
        """
        params = [scope_key(scope), WIDE_PARTS[name], start, stop]
        top_sql = f"""
            SELECT n.value, g.spend, g.tokens, g.requests, 0 FROM g JOIN {NAME_TABLE} n ON n.id = g.gid
            WHERE g.spend >= COALESCE((SELECT spend FROM g ORDER BY spend DESC LIMIT 1 OFFSET %s), '-infinity') - %s
        """
        top_params = [keep, TIE_MARGIN]
        also_sql = f"SELECT n.value, g.spend, NULL, NULL, 2 FROM g JOIN {NAME_TABLE} n ON n.id = g.gid"
        also_sql += " WHERE n.value = ANY(%s)"
    else:
        grouped = f"""
            SELECT k1 AS k, SUM(spend) AS spend, {SUMS} FROM {TABLE}
            WHERE scope = %s AND part = %s AND day >= %s AND day < %s GROUP BY 1
        """
        params = [scope_key(scope), name, start, stop]
        top_sql = f"""
            SELECT k, spend, tokens, requests, 0 FROM g
            ORDER BY round(spend::numeric, {RANK_DIGITS}) DESC, k COLLATE "C" LIMIT %s
        """
        top_params = [keep + 1]
        also_sql = "SELECT k, spend, NULL, NULL, 2 FROM g WHERE k = ANY(%s)"
    sql = f"WITH g AS MATERIALIZED ({grouped}) ({top_sql})"
    if with_total:
        sql += " UNION ALL SELECT NULL, SUM(spend), NULL, NULL, 1 FROM g"
    if also is not None:
        sql += f" UNION ALL ({also_sql})"
        top_params.append(list(also))
    with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # as sql.aggregation_session, on this connection
        cursor.execute(sql, [*params, *top_params])
        fetched = cursor.fetchall()
    ranked = sorted(
        ((k, float(s or 0), int(t or 0), int(r or 0)) for k, s, t, r, part in fetched if part == 0), key=rank_of
    )[: keep + 1]
    total = next((float(s or 0) for _k, s, _t, _r, part in fetched if part == 1), 0.0) if with_total else None
    known = {k: float(s or 0) for k, s, _t, _r, part in fetched if part == 2}
    if is_wide(name) and ranked:
        figures = groups_by_id(scope, name, start, stop, [k for k, *_ in ranked[:keep]])
        ranked = [(k, s, *figures[k][1:]) if k in figures else (k, s, 0, 0) for k, s, *_ in ranked]
    return TopGroups.of(ranked, keep, total, known)


def groups_by_id(scope: Scope, name: str, start: str, stop: str, ids) -> dict[str, tuple]:
    """{id: (spend, tokens, requests)} of a few groups over the closed days (0 when none)."""
    ids = list(ids)
    if is_wide(name):
        sql = f"""
            SELECT n.value, SUM(d.spend), SUM(d.tokens), SUM(d.requests)
            FROM {NAME_TABLE} n JOIN {GROUP_TABLE} d ON d.gid = n.id AND d.scope = {SCOPE_ID} AND d.part = %s
            WHERE n.value = ANY(%s) AND d.day >= %s AND d.day < %s GROUP BY 1
        """
        params = [scope_key(scope), WIDE_PARTS[name], ids, start, stop]
    else:
        sql = f"""
            SELECT k1, SUM(spend), SUM(tokens), SUM(requests) FROM {TABLE}
            WHERE scope = %s AND part = %s AND k1 = ANY(%s) AND day >= %s AND day < %s GROUP BY 1
        """
        params = [scope_key(scope), name, ids, start, stop]
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        found = {k: (float(s or 0), int(t or 0), int(r or 0)) for k, s, t, r in cursor.fetchall()}
    return {i: found.get(i, (0.0, 0, 0)) for i in ids}
