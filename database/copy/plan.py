"""Which tables a copy takes and in what order: the seeds' required tables (or all, or a list),
plus every table they reference by foreign key, parents before children."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from django.conf import settings

from config import litellm
from config.errors import ChangeRefused

from ..catalog import BY_NAME, DAILY_TABLES, LOG_TABLES

# Seeds 002-004, "Migrating Databases": Required.
REQUIRED = ("VerificationToken", "UserTable", "TeamTable", "TeamMembership", "BudgetTable")
# Tables whose rows carry their own time: --since (logs) and --since-last-run (logs, daily tables).
TIME_COLUMN = {"SpendLogs": "startTime", "ErrorLogs": "startTime", **{t: "updated_at" for t in DAILY_TABLES}}


@dataclass
class TablePlan:
    table: str  # real name
    logical: str
    columns: list[str]  # the source's columns (all present on the target: checked)
    key: list[str]  # the source's primary key: rows are read in its order, batch by batch
    why: str
    time_column: str | None = None
    match_key: list[str] | None = None  # the target's primary key: how a row is found there


def _like() -> str:
    return settings.LITELLM_TABLE_PREFIX.replace("_", r"\_") + "%"


def foreign_keys(conn: psycopg.Connection) -> dict[str, set[str]]:
    """child table -> parent tables, among LiteLLM's tables of this database."""
    rows = conn.execute(
        """
        SELECT c.relname, p.relname FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname LIKE %s
        """,
        [_like()],
    ).fetchall()
    edges: dict[str, set[str]] = {}
    for child, parent in rows:
        if child != parent:
            edges.setdefault(child, set()).add(parent)
    return edges


def primary_keys(conn: psycopg.Connection) -> dict[str, list[str]]:
    rows = conn.execute(
        """
        SELECT t.relname, array(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE i.indisprimary AND n.nspname = current_schema() AND t.relname LIKE %s
        """,
        [_like()],
    ).fetchall()
    return {table: list(cols) for table, cols in rows}


def resolve(tables_arg: str, source: litellm.Catalog) -> dict[str, str]:
    """real table name -> why it is copied (before the foreign-key closure). The words
    `required` and `all` may stand in a list: `required,SpendLogs`."""
    present = set(source.columns)
    picked: dict[str, str] = {}
    for word in (w.strip() for w in tables_arg.split(",")):
        if word == "required":
            for t in REQUIRED:
                if litellm.table_name(t) not in present:
                    raise ChangeRefused(f"The source lacks {litellm.table_name(t)}.")
                picked.setdefault(litellm.table_name(t), "required (seeds: Migrating Databases)")
        elif word == "all":
            for t in sorted(present):
                picked.setdefault(t, "all")
        elif word:
            real = word if word.startswith(settings.LITELLM_TABLE_PREFIX) else litellm.table_name(word)
            if real not in present:
                raise ChangeRefused(f"--tables: {word} is not a table of the source database.")
            picked.setdefault(real, "asked for")
    if not picked:
        raise ChangeRefused("--tables names no table.")
    return picked


def build(tables_arg: str, source: litellm.Catalog, conn: psycopg.Connection) -> list[TablePlan]:
    picked = resolve(tables_arg, source)
    edges = foreign_keys(conn)
    todo = list(picked)
    while todo:  # every table a chosen one references: its rows must exist first
        child = todo.pop()
        for parent in sorted(edges.get(child, ())):
            if parent not in picked and parent in source.columns:
                picked[parent] = f"referenced by {litellm.logical_name(child)}"
                todo.append(parent)
    order: list[str] = []
    visiting: set[str] = set()

    def visit(t: str):
        if t in order or t in visiting:
            return
        visiting.add(t)
        for parent in sorted(edges.get(t, ())):
            if parent in picked:
                visit(parent)
        order.append(t)

    for t in sorted(picked, key=_seed_rank):
        visit(t)
    keys = primary_keys(conn)
    plans = []
    for t in order:
        logical = litellm.logical_name(t)
        if t not in keys:
            raise ChangeRefused(f"{t} has no primary key on the source: copydb cannot tell its rows apart.")
        plans.append(TablePlan(t, logical, list(source.columns[t]), keys[t], picked[t], TIME_COLUMN.get(logical)))
    return plans


def _seed_rank(table: str) -> tuple:
    logical = litellm.logical_name(table)
    names = list(BY_NAME)
    return (logical in LOG_TABLES, names.index(logical) if logical in names else len(names), logical)
