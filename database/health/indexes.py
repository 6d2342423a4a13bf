"""Indexes: the console's wanted list (`manage.py indexes`, usage/management/commands/indexes.py)
present or missing, and unused or duplicate indexes on LiteLLM's tables with their sizes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from config import litellm
from config.routers import LITELLM_ALIAS
from usage.management.commands.indexes import status_rows


@dataclass
class IndexRow:
    table: str
    name: str
    columns: str
    size: int
    scans: int
    unique: bool
    duplicate_of: str = ""


def wanted():
    litellm.reset_catalog()
    return status_rows()


def index_rows() -> list[IndexRow]:
    like = settings.LITELLM_TABLE_PREFIX.replace("_", r"\_") + "%"
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            """
            SELECT s.relname, s.indexrelname, pg_get_indexdef(s.indexrelid), pg_relation_size(s.indexrelid),
                   s.idx_scan, i.indisunique OR i.indisprimary,
                   i.indkey::text || ' ' || coalesce(pg_get_expr(i.indexprs, i.indrelid), '') || ' '
                     || coalesce(pg_get_expr(i.indpred, i.indrelid), '') || ' ' || i.indclass::text
            FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
            WHERE s.schemaname = current_schema() AND s.relname LIKE %s
            ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname
            """,
            [like],
        )
        rows = cursor.fetchall()
    seen: dict[tuple[str, str], str] = {}
    out = []
    for table, name, definition, size, scans, unique, shape in rows:
        columns = definition.split(" USING ", 1)[-1]
        row = IndexRow(table, name, columns, size, scans or 0, unique)
        key = (table, shape)
        if key in seen:
            row.duplicate_of = seen[key]
        else:
            seen[key] = name
        out.append(row)
    return out


def unused(rows: list[IndexRow]) -> list[IndexRow]:
    """Never scanned since the statistics were reset, and not enforcing uniqueness."""
    return [r for r in rows if r.scans == 0 and not r.unique]


def duplicates(rows: list[IndexRow]) -> list[IndexRow]:
    return [r for r in rows if r.duplicate_of]
