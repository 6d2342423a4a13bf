"""In-place SQL the proxy runs on arrays and pointers.

LiteLLM changes some columns with raw SQL rather than a row update (a team id in a user's
`teams`, a key hash in an access group's `assigned_key_ids`, a managed file's owner). These
are the console's only such statements. They write one column, stamp `updated_at` only where
the proxy's statement does (stamp=True), and leave the audit to the operation that calls them:
LiteLLM audits the team or key being changed, not these side rows.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from .. import litellm
from ..routers import LITELLM_ALIAS
from .rows import now_utc


def _table(table) -> str:
    """A model or a logical LiteLLM table name ("AccessGroupTable") -> the quoted table."""
    name = table._meta.db_table if hasattr(table, "_meta") else litellm.table_name(table)
    return connections[LITELLM_ALIAS].ops.quote_name(name)


def _where(keys: dict[str, Any]) -> tuple[list[str], list]:
    """column = value, or column = ANY(list) for a list/tuple/set (sorted: a stable lock order)."""
    qn = connections[LITELLM_ALIAS].ops.quote_name
    clauses, params = [], []
    for column, value in keys.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            clauses.append(f"{qn(column)} = ANY(%s)")
            params.append(sorted(value))
        else:
            clauses.append(f"{qn(column)} = %s")
            params.append(value)
    return clauses, params


def _execute(sql: str, params: list) -> int:
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _set(column: str, expression: str, params: list, stamp: bool) -> tuple[str, list]:
    qn = connections[LITELLM_ALIAS].ops.quote_name
    if stamp:
        return f"{qn(column)} = {expression}, {qn('updated_at')} = %s", [*params, now_utc()]
    return f"{qn(column)} = {expression}", list(params)


def array_append(table, column: str, value: str, *, keys: dict[str, Any], stamp: bool = False) -> int:
    """Add `value` to a text[] column of the rows matching `keys`, never a second time
    (management_helpers/utils.py::_append_team_id_if_absent). Returns rows changed."""
    qn = connections[LITELLM_ALIAS].ops.quote_name
    col = qn(column)
    set_sql, set_params = _set(column, f"array_append(COALESCE({col}, ARRAY[]::text[]), %s)", [value], stamp)
    clauses, params = _where(keys)
    clauses.append(f"NOT (%s = ANY(COALESCE({col}, ARRAY[]::text[])))")
    params.append(value)
    return _execute(f"UPDATE {_table(table)} SET {set_sql} WHERE {' AND '.join(clauses)}", [*set_params, *params])


def array_remove(
    table, column: str, value: str, *, keys: dict[str, Any] | None = None, stamp: bool = False, lock_pk: str = ""
) -> int:
    """Take `value` out of a text[] column of the rows matching `keys` (every row holding it
    when None), keeping the order of the rest. `lock_pk` first locks the rows FOR UPDATE in
    `lock_pk COLLATE "C"` order, as the proxy does for users (no deadlocks with its writers)."""
    qn = connections[LITELLM_ALIAS].ops.quote_name
    col, table_sql = qn(column), _table(table)
    set_sql, set_params = _set(column, f"array_remove({col}, %s)", [value], stamp)
    clauses, params = _where(keys or {})
    clauses.append(f"%s = ANY(COALESCE({col}, ARRAY[]::text[]))")
    params.append(value)
    where = " AND ".join(clauses)
    if lock_pk:
        pk = qn(lock_pk)
        where = f'{pk} IN (SELECT {pk} FROM {table_sql} WHERE {where} ORDER BY {pk} COLLATE "C" FOR UPDATE)'
    return _execute(f"UPDATE {table_sql} SET {set_sql} WHERE {where}", [*set_params, *params])


def array_rename(table, column: str, old: str, new: str, *, keep_old: bool = False) -> int:
    """In every row whose text[] column holds `old`: `old` becomes `new` in its place (any
    earlier `new` dropped), or, with keep_old, `new` is added at the end where missing. As
    LiteLLM's rename syncs write it (model_allowlist_rename_sync.py::_REPLACE_SQL/_APPEND_SQL,
    access_group_model_sync.py::_REPLACE_MODEL_NAME_SQL/_APPEND_MODEL_NAME_SQL)."""
    col = connections[LITELLM_ALIAS].ops.quote_name(column)
    if keep_old:
        return _execute(
            f"UPDATE {_table(table)} SET {col} = array_append({col}, %s)"
            f" WHERE %s = ANY({col}) AND NOT (%s = ANY({col}))",
            [new, old, new],
        )
    return _execute(
        f"UPDATE {_table(table)} SET {col} = array_replace(array_remove({col}, %s), %s, %s) WHERE %s = ANY({col})",
        [new, old, new, old],
    )


def array_repoint(table, column: str, old: str, new: str) -> int:
    """In every row whose text[] column holds `old`, `old` becomes `new` (once, at the end), as
    access_group_key_sync.py::_REPOINT_KEY_SQL moves a regenerated key's hash."""
    col = connections[LITELLM_ALIAS].ops.quote_name(column)
    return _execute(
        f"UPDATE {_table(table)} SET {col} = array_append(array_remove(array_remove({col}, %s), %s), %s) "
        f"WHERE %s = ANY({col})",
        [old, new, new, old],
    )


def repoint(table, column: str, old, new) -> int:
    """Every row whose `column` is `old` gets `new` (repoint_key_owned_managed_resources)."""
    col = connections[LITELLM_ALIAS].ops.quote_name(column)
    return _execute(f"UPDATE {_table(table)} SET {col} = %s WHERE {col} = %s", [new, old])
