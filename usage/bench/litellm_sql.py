"""The SQL LiteLLM 1.108.11's own endpoints send for the pages the bench times, run with psycopg
against the same database: the "LiteLLM SQL ms" column of BENCHMARKS.md.

Each statement is the Prisma call of the cited function translated to the SQL Prisma's query
engine sends for it (one SELECT per find_many / count / include relation, LIMIT/OFFSET for
take/skip). The figure is a lower bound for LiteLLM: no Prisma engine round trips, no FastAPI,
no JSON serialization, no rendering in its browser UI. Source: `pip download --no-deps
litellm==1.108.11`, files under litellm/proxy/management_endpoints/. Parameters are the
bench's own entities (usage/bench/pages.py), so LiteLLM reads what the console page shows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from .pages import BENCH_TEAM, label_matches

UI_SESSION_TOKEN_TEAM_ID = "litellm-dashboard"  # litellm/constants.py
# _get_condition_to_filter_out_ui_session_tokens() (key_management_endpoints.py)
NOT_UI_TOKEN = "(team_id IS NULL OR team_id <> %(ui)s)"
KEY_PAGE_SIZE = 10  # list_keys: size=Query(10)
USER_PAGE_SIZE = 25  # get_users: page_size=Query(default=25)


def _keys_page(where: str) -> list[tuple[str, dict]]:
    # key_management_endpoints.py, list_key_helper(): find_many(where, skip, take=size,
    # order=[created_at desc, token desc], include={object_permission, litellm_budget_table}),
    # then count(where=where). Prisma loads each include with its own SELECT ... WHERE id IN (...).
    return [
        (
            f'SELECT * FROM "LiteLLM_VerificationToken" WHERE {where}'
            " ORDER BY created_at DESC, token DESC LIMIT %(size)s OFFSET 0",
            {"size": KEY_PAGE_SIZE},
        ),
        (
            'SELECT * FROM "LiteLLM_ObjectPermissionTable" WHERE object_permission_id IN'
            f' (SELECT object_permission_id FROM "LiteLLM_VerificationToken" WHERE {where}'
            " ORDER BY created_at DESC, token DESC LIMIT %(size)s)",
            {"size": KEY_PAGE_SIZE},
        ),
        (
            'SELECT * FROM "LiteLLM_BudgetTable" WHERE budget_id IN'
            f' (SELECT budget_id FROM "LiteLLM_VerificationToken" WHERE {where}'
            " ORDER BY created_at DESC, token DESC LIMIT %(size)s)",
            {"size": KEY_PAGE_SIZE},
        ),
        (f'SELECT count(*) FROM "LiteLLM_VerificationToken" WHERE {where}', {}),
    ]


def _users_page() -> list[tuple[str, dict]]:
    # internal_user_endpoints.py, get_users(): find_many(order={created_at: desc}, skip, take=25),
    # count(), then get_user_key_counts(): one count(where={user_id, OR ui-token filter}) per user.
    page = 'SELECT * FROM "LiteLLM_UserTable" ORDER BY created_at DESC LIMIT %(size)s OFFSET 0'
    return [(page, {"size": USER_PAGE_SIZE}), ('SELECT count(*) FROM "LiteLLM_UserTable"', {})]


def _users_key_counts(conn) -> list[tuple[str, dict]]:
    ids = [
        r[0]
        for r in conn.execute(
            'SELECT user_id FROM "LiteLLM_UserTable" ORDER BY created_at DESC LIMIT %s', (USER_PAGE_SIZE,)
        ).fetchall()
    ]
    return [
        (f'SELECT count(*) FROM "LiteLLM_VerificationToken" WHERE user_id = %(user)s AND {NOT_UI_TOKEN}', {"user": u})
        for u in ids
    ]


def _teams_per_team(conn) -> list[tuple[str, dict]]:
    # team_endpoints.py, list_team(): _authorize_and_filter_teams() -> find_many() of every team
    # (admin), get_all_team_memberships(team_ids) (find_many where team_id IN ..., include
    # litellm_budget_table), then for each team find_many(where={team_id}) of its keys.
    ids = [r[0] for r in conn.execute('SELECT team_id FROM "LiteLLM_TeamTable"').fetchall()]
    return [('SELECT * FROM "LiteLLM_VerificationToken" WHERE team_id = %(team)s', {"team": t}) for t in ids]


@dataclass(frozen=True)
class Figure:
    label: str  # the bench page (usage/bench/pages.py) this stands beside
    endpoint: str
    fixed: Callable[[], list[tuple[str, dict]]]
    per_row: Callable[[object], list[tuple[str, dict]]] | None = None  # statements that depend on data


def figures() -> list[Figure]:
    return [
        Figure("keys list", "/key/list", lambda: _keys_page(NOT_UI_TOKEN)),
        Figure(
            "keys list, filtered by team",
            "/key/list?team_id=",
            lambda: [(s, {**p, "team": BENCH_TEAM}) for s, p in _keys_page(f"{NOT_UI_TOKEN} AND team_id = %(team)s")],
        ),
        Figure(
            # list_key_helper() with admin_team_ids=[team]: OR of the caller's own keys and the team's
            "keys list, team admin",
            "/key/list (team admin)",
            lambda: [
                (s, {**p, "team": BENCH_TEAM, "user": "user-7"})
                for s, p in _keys_page(f"{NOT_UI_TOKEN} AND (user_id = %(user)s OR team_id = %(team)s)")
            ],
        ),
        Figure(
            # info_key_fn(): find_unique(where={token}, include={litellm_budget_table})
            "key detail",
            "/key/info",
            lambda: [
                (
                    'SELECT * FROM "LiteLLM_VerificationToken" WHERE token = %(token)s',
                    {"token": _bench_key()},
                ),
                (
                    'SELECT * FROM "LiteLLM_BudgetTable" WHERE budget_id IN'
                    ' (SELECT budget_id FROM "LiteLLM_VerificationToken" WHERE token = %(token)s)',
                    {"token": _bench_key()},
                ),
            ],
        ),
        Figure("users list", "/user/list", _users_page, _users_key_counts),
        Figure(
            "teams list",
            "/team/list",
            lambda: [
                ('SELECT * FROM "LiteLLM_TeamTable"', {}),
                (
                    'SELECT m.*, b.* FROM "LiteLLM_TeamMembership" m LEFT JOIN "LiteLLM_BudgetTable" b'
                    ' ON b.budget_id = m.budget_id WHERE m.team_id IN (SELECT team_id FROM "LiteLLM_TeamTable")',
                    {},
                ),
            ],
            _teams_per_team,
        ),
    ]


def _bench_key() -> str:
    # usage/benchdata.py: key i hashes as md5('key-'||i)||md5('key2-'||i); key 7 is team-7's
    import hashlib

    return hashlib.md5(b"key-7").hexdigest() + hashlib.md5(b"key2-7").hexdigest()


def _tables_exist(conn, sql: str) -> bool:
    import re

    return all(
        conn.execute("SELECT to_regclass(%s)", [f'"{name}"']).fetchone()[0] is not None
        for name in re.findall(r'FROM "([^"]+)"', sql)
    )


def measure(conninfo: str, *, runs: int, only: str = "", log=print) -> dict[str, dict]:
    """{page label: {"ms": median of `runs`, "statements": n, "endpoint": ...}} for the selected pages."""
    import psycopg

    results = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for fig in figures():
            if not label_matches(fig.label, only):
                continue
            statements = [
                (sql, params)
                for sql, params in fig.fixed() + (fig.per_row(conn) if fig.per_row else [])
                if _tables_exist(conn, sql)  # the seed schema predates some (LiteLLM_ObjectPermissionTable)
            ]
            times, rows = [], 0
            for n in range(runs + 1):  # the first is the warm-up
                started = time.perf_counter()
                rows = 0
                for sql, params in statements:
                    rows += len(conn.execute(sql, {"ui": UI_SESSION_TOKEN_TEAM_ID, **params}).fetchall())
                if n:
                    times.append((time.perf_counter() - started) * 1000)
            results[fig.label] = {
                "ms": statistics.median(times),
                "statements": len(statements),
                "rows": rows,
                "endpoint": fig.endpoint,
            }
            log(f"  LiteLLM {fig.endpoint}: {results[fig.label]['ms']:.1f} ms, {len(statements)} statements")
    return results
