"""Connections, long-running transactions and locks on LiteLLM's tables (pg_stat_activity,
pg_locks). A transaction left open blocks the proxy's spend writes and vacuum. Query text is
never shown (it may hold literal values): only its first word and the tables it locks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connections

from config.routers import LITELLM_ALIAS

LONG_TRANSACTION = timedelta(minutes=1)


@dataclass
class Session:
    pid: int
    user: str
    application: str
    state: str
    xact_age: timedelta | None
    command: str
    waiting_for: list[int] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)  # "LiteLLM_SpendLogs RowExclusiveLock"
    waiting_locks: list[str] = field(default_factory=list)


def connection_counts() -> list[tuple[str, int]]:
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC"
        )
        return cursor.fetchall()


def sessions() -> tuple[list[Session], list[Session]]:
    """(long-running transactions, sessions holding or waiting for locks on LiteLLM tables),
    the console's own connection left out."""
    like = settings.LITELLM_TABLE_PREFIX.replace("_", r"\_") + "%"
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            """
            SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), coalesce(a.state, ''),
                   now() - a.xact_start, upper(split_part(ltrim(a.query), ' ', 1)), pg_blocking_pids(a.pid),
                   coalesce(array_agg(c.relname || ' ' || l.mode) FILTER (WHERE l.granted AND c.relname LIKE %s), '{}'),
                   coalesce(array_agg(c.relname || ' ' || l.mode) FILTER (WHERE NOT l.granted AND c.relname LIKE %s),
                            '{}')
            FROM pg_stat_activity a
            LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation'
            LEFT JOIN pg_class c ON c.oid = l.relation
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
            GROUP BY a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query
            ORDER BY a.xact_start NULLS LAST
            """,
            [like, like],
        )
        rows = [Session(*r[:6], list(r[6] or []), sorted(set(r[7])), sorted(set(r[8]))) for r in cursor.fetchall()]
    long = [s for s in rows if s.xact_age is not None and s.xact_age >= LONG_TRANSACTION]
    locking = [s for s in rows if s.locks or s.waiting_locks or s.waiting_for]
    return long, locking
