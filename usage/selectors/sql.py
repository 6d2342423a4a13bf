"""The database reads every figure set goes through, and the SQL for "none"."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction

from config.routers import read_alias


def _none(col: str) -> str:
    """NULL and '' are the same "none"."""
    return f"COALESCE(NULLIF({col}, ''), '')"


def _fetch(sql: str, params) -> list[tuple]:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def aggregation_session():
    """A short read transaction with room to aggregate in memory.

    Top-key and top-user breakdowns group 100,000 keys; with PostgreSQL's default 4 MB
    work_mem those hash tables spill to disk and take twice as long. SET LOCAL ends with the
    transaction, so the proxy's own sessions are untouched."""
    with transaction.atomic(using=read_alias()):
        with connections[read_alias()].cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield
