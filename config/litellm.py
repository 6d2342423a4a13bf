"""What the live LiteLLM database holds: the one place that knows the table prefix and
reads the catalog (tables, columns, indexes) once per process.

Models, services, the schema check and the index advisor ask this module; nothing else
probes the schema or catches "column does not exist".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections

from .routers import LITELLM_ALIAS

# The team the proxy's UI-login session keys belong to (litellm/constants.py
# UI_SESSION_TOKEN_TEAM_ID). Every caller imports it from here.
UI_SESSION_TEAM_ID = "litellm-dashboard"


def table_name(logical: str) -> str:
    """`UserTable` -> `LiteLLM_UserTable` (or the configured prefix of a rebranded fork)."""
    return f"{settings.LITELLM_TABLE_PREFIX}{logical}"


def logical_name(table: str) -> str:
    prefix = settings.LITELLM_TABLE_PREFIX
    return table[len(prefix) :] if table.startswith(prefix) else table


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool


@dataclass
class Catalog:
    schema: str
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> type
    indexes: dict[str, list[Index]] = field(default_factory=dict)

    def has_table(self, logical: str) -> bool:
        return table_name(logical) in self.columns

    def has_column(self, logical: str, column: str) -> bool:
        return column in self.columns.get(table_name(logical), {})

    def has_index(self, logical: str, columns: tuple[str, ...]) -> bool:
        """True when an index leads with exactly these columns (in order)."""
        return any(ix.columns[: len(columns)] == columns for ix in self.indexes.get(table_name(logical), []))


_lock = threading.Lock()
_catalog: Catalog | None = None


def catalog() -> Catalog:
    """The live catalog, read on first use and kept for the life of the process."""
    global _catalog
    if _catalog is None:
        with _lock:
            if _catalog is None:
                _catalog = read_catalog()
    return _catalog


def reset_catalog() -> None:
    """Forget the cached catalog (tests that alter the schema; the index advisor)."""
    global _catalog
    _catalog = None


def read_catalog(using: str = LITELLM_ALIAS) -> Catalog:
    with connections[using].cursor() as cursor:
        return read_catalog_with(cursor)


def read_catalog_with(cursor) -> Catalog:
    """The catalog through any DB-API cursor (copydb reads its target's over plain psycopg)."""
    prefix = settings.LITELLM_TABLE_PREFIX
    like = prefix.replace("_", r"\_") + "%"
    cursor.execute("SELECT current_schema()")
    schema = cursor.fetchone()[0]
    cat = Catalog(schema=schema)
    cursor.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v')
          AND c.relname LIKE %s AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """,
        [like],
    )
    for table, column, data_type in cursor.fetchall():
        cat.columns.setdefault(table, {})[column] = data_type
    cursor.execute(
        """
        SELECT t.relname, i.relname, ix.indisunique,
               array(SELECT coalesce(a.attname, '<expr>')
                     FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                     ORDER BY k.ord)
        FROM pg_index ix
        JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_class i ON i.oid = ix.indexrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND t.relname LIKE %s AND ix.indisvalid
        """,
        [like],
    )
    for table, index, unique, columns in cursor.fetchall():
        cat.indexes.setdefault(table, []).append(Index(index, tuple(columns), unique))
    return cat


def missing_columns(model) -> list[str]:
    """Columns of `model` that the live table lacks (empty when the table is absent too)."""
    live = catalog().columns.get(model._meta.db_table)
    if live is None:
        return [f.column for f in model._meta.concrete_fields]
    return [f.column for f in model._meta.concrete_fields if f.column not in live]


def has_model_table(model) -> bool:
    return model._meta.db_table in catalog().columns
