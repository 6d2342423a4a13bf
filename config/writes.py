"""The write path: every change to a LiteLLM table goes through these functions.

They write only the columns named, refuse the proxy's counters, stamp what LiteLLM stamps
(naive UTC timestamps, uuid4 ids), and record a LiteLLM_AuditLog row in LiteLLM's own
shape. Callers (the services of each app) wrap a whole operation in `atomic()`.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections

from . import litellm
from .models_base import PROXY_COUNTERS
from .routers import LITELLM_ALIAS

# LiteLLM's audit actions (_types.py::AUDIT_ACTIONS).
CREATED, UPDATED, DELETED, BLOCKED, UNBLOCKED, ROTATED = (
    "created",
    "updated",
    "deleted",
    "blocked",
    "unblocked",
    "rotated",
)


class CounterWriteRefused(ValueError):
    """Raised when a write names a column the proxy maintains (spend, model_spend, ...)."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change. `changed_by` goes into the audit row; `writer_id` into
    created_by/updated_by/deleted_by: the caller's LiteLLM user_id, set where the Actor is made
    (a view, the admin, a command). Empty for a caller without one (ops staff, a command),
    which LiteLLM writes like a master-key call: the proxy admin id (see writer_id())."""

    changed_by: str
    api_key: str = ""
    writer_id: str = ""
    # An ops login: LiteLLM's trail says default_user_id / the master-key alias, the console's
    # keeps who it was and from where (config/audit_trail.py).
    ops_username: str = ""
    client_address: str = ""


def writer_id(actor: Actor) -> str:
    """What LiteLLM puts in created_by/updated_by: the caller's user_id, or for a master-key
    caller litellm_proxy_admin_name (default_user_id)."""
    return actor.writer_id or settings.LITELLM_PROXY_ADMIN_ID


def stamps(actor: Actor, *, created: bool = False, by: bool = True, now: datetime | None = None) -> dict[str, Any]:
    """The stamps LiteLLM writes with a row: updated_at (Prisma's @updatedAt), with `by`
    updated_by, and on a new row (`created`) created_at/created_by too. Tables or endpoints
    that do not write *_by (keys on /key/update, block) pass by=False."""
    now = now or now_utc()
    row: dict[str, Any] = {"updated_at": now}
    if created:
        row["created_at"] = now
    if by:
        who = writer_id(actor)
        row["updated_by"] = who
        if created:
            row["created_by"] = who
    return row


def now_utc() -> datetime:
    """Naive UTC with millisecond precision, as Prisma writes TIMESTAMP(3)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def new_id() -> str:
    return str(uuid.uuid4())


def atomic():
    """One transaction on the LiteLLM database (and the console's, for its audit trail)."""
    from . import audit_trail

    return audit_trail.atomic()


def _column_values(model, values: dict[str, Any]) -> tuple[list, list]:
    connection = connections[LITELLM_ALIAS]
    fields, params = [], []
    for name, value in values.items():
        field = model._meta.get_field(name)
        fields.append(field)
        params.append(field.get_db_prep_save(value, connection))
    return fields, params


def _present(model, values: dict[str, Any]) -> dict[str, Any]:
    """Drop columns the live table lacks (newer-schema columns on an older database)."""
    live = litellm.catalog().columns.get(model._meta.db_table, {})
    unknown = [n for n in values if model._meta.get_field(n).column not in live]
    for name in unknown:
        if model._meta.get_field(name).column not in model.optional_columns:
            raise ValueError(f"{model._meta.db_table} has no column {name!r} on this database")
    return {k: v for k, v in values.items() if k not in unknown}


def insert_row(model, values: dict[str, Any]) -> None:
    """INSERT naming only the given columns that exist; DB defaults fill the rest."""
    for name in PROXY_COUNTERS & values.keys():
        if values[name] not in (0, 0.0, {}, None):
            raise CounterWriteRefused(f"refusing to insert a non-zero proxy counter {name!r}")
    insert_as_proxy(model, values)


def insert_as_proxy(model, values: dict[str, Any]) -> None:
    """INSERT without the counter guard: only for test factories and the demo generator,
    which stand in for the proxy (spend, daily rows, spend logs)."""
    values = _present(model, values)
    fields, params = _column_values(model, values)
    qn = connections[LITELLM_ALIAS].ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)


def update_row(model, pk: dict[str, Any] | Any, changes: dict[str, Any]) -> int:
    """UPDATE only the named columns of one row; never a proxy counter. Returns rows hit."""
    if not changes:
        return 0
    refused = PROXY_COUNTERS & changes.keys()
    if refused:
        raise CounterWriteRefused(f"refusing to write proxy counters {sorted(refused)}")
    changes = _present(model, changes)
    filters = pk if isinstance(pk, dict) else {"pk": pk}
    return model._base_manager.using(LITELLM_ALIAS).filter(**filters).update(**changes)


def delete_rows(model, **filters) -> int:
    """DELETE rows matching filters (callers archive and audit first)."""
    return model._base_manager.using(LITELLM_ALIAS).filter(**filters)._raw_delete(LITELLM_ALIAS)


def lock_rows(model, **filters):
    """SELECT ... FOR UPDATE the matching rows (inside atomic())."""
    return list(model.objects.using(LITELLM_ALIAS).select_for_update().filter(**filters))


def advisory_xact_lock(key: str) -> None:
    """pg_advisory_xact_lock(hashtext(key)): the lock the proxy takes on a team roster."""
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


# --- In-place SQL the proxy runs on arrays and pointers -----------------------------------
# LiteLLM changes some columns with raw SQL rather than a row update (a team id in a user's
# `teams`, a key hash in an access group's `assigned_key_ids`, a managed file's owner). These
# are the console's only such statements. They write one column, stamp `updated_at` only where
# the proxy's statement does (stamp=True), and leave the audit to the operation that calls them:
# LiteLLM audits the team or key being changed, not these side rows.


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


# --- Row snapshots and the audit log -----------------------------------------------------


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance) -> dict[str, Any]:
    """The row as LiteLLM's audit log stores it: column -> JSON value."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.attname in instance.__dict__:
            data[field.column] = _jsonable(instance.__dict__[field.attname])
    return data


def _mask_value(value: str) -> str:
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def _is_key_name(name) -> bool:
    """SensitiveDataMasker({"key"}).is_sensitive_key: a "-"/"_"-separated segment equals "key"
    and none equals "cost" (its non-sensitive override)."""
    segments = str(name).lower().replace("-", "_").split("_")
    return "key" in segments and "cost" not in segments


def mask_keys(obj, sensitive: bool = False):
    """LiteLLM_AuditLogs.mask_api_keys (mask_credentials_in_payload with
    SensitiveDataMasker({"key"})): non-empty strings under a key-named field are masked, in
    lists too (the field's sensitivity reaches list items, not nested objects, whose own
    field names decide); every other value is kept as it is."""
    if isinstance(obj, dict):
        return {k: mask_keys(v, _is_key_name(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [mask_keys(v, sensitive) for v in obj]
    if sensitive and isinstance(obj, str) and obj:
        return _mask_value(obj)
    return obj


def audit(
    actor: Actor,
    action: str,
    logical_table: str,
    object_id: str,
    before: dict | None,
    updated: dict | None,
) -> str:
    """Record one audit row in LiteLLM's shape; returns its id. Tables LiteLLM audits go into
    LiteLLM_AuditLog, the rest into the console's own trail (config/audit_trail.py).

    before/updated must be JSON objects (or None): LiteLLM's Audit Logs tab reads them as
    Optional[Dict] (litellm_enterprise AuditLogResponse), so a list or a string would break it.
    """
    from . import audit_trail

    for value in (before, updated):
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"audit values must be dicts or None, not {type(value).__name__}")
    audit_id = new_id()
    audit_trail.record(
        actor,
        {
            "id": audit_id,
            "updated_at": now_utc(),
            "changed_by": actor.changed_by,
            "changed_by_api_key": actor.api_key,
            "action": action,
            "table_name": litellm.table_name(logical_table),
            "object_id": object_id,
            "before_value": mask_keys(_jsonable(before)) if before is not None else None,
            "updated_values": mask_keys(_jsonable(updated)) if updated is not None else None,
        },
        logical_table,
    )
    return audit_id


def decode_audit_value(value):
    """Some proxy call sites store a JSON string holding JSON; read both shapes."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- Edits from a form opened earlier (lost-update protection) ----------------------------------


def comparable(value):
    """A value as it compares for "did it change": numbers by value (Decimal, float, int),
    tuples as lists, dates as ISO text, and every empty value ("", [], {}, None) as None."""
    value = _jsonable(value)
    if value in ("", [], {}):
        return None
    return value


def same_value(a, b) -> bool:
    return comparable(a) == comparable(b)


def _current(row, name: str):
    return row.get(name) if isinstance(row, dict) else getattr(row, name)


def refuse_conflicts(row, changes: dict[str, Any], expected: dict[str, Any] | None, *, labels=None) -> None:
    """Raise EditConflict (writing nothing) when a field in `changes` that the person saw
    (`expected`: field -> the value their form showed) holds something else now, unless it
    already holds what they want. `row` is the row read under its lock (an instance or a dict
    of the current values). expected=None: no check (a caller with no form, e.g. the API)."""
    if expected is None:
        return
    from .errors import EditConflict

    conflicts = []
    for name, new in changes.items():
        if name not in expected:
            continue
        now = _current(row, name)
        if same_value(now, expected[name]) or same_value(now, new):
            continue
        conflicts.append((name, comparable(expected[name]), comparable(now), comparable(new)))
    if conflicts:
        raise EditConflict(conflicts, labels)


# Columns set along with another one, kept or dropped with it.
FOLLOWS = {"budget_reset_at": "budget_duration"}


def drop_unchanged(row, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes whose value differs from the row's value now (the others need no write);
    budget_reset_at stays exactly when budget_duration does."""
    kept = {k: v for k, v in changes.items() if k not in FOLLOWS and not same_value(_current(row, k), v)}
    kept |= {k: v for k, v in changes.items() if FOLLOWS.get(k) in kept}
    return kept


def update_changed(
    model,
    pk: dict[str, Any] | Any,
    changes: dict[str, Any],
    *,
    expected: dict[str, Any] | None = None,
    stamps: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
):
    """The whole lost-update-safe write of one row, for callers without their own rules:
    lock the row (SELECT ... FOR UPDATE), refuse_conflicts() against `expected`, then UPDATE
    only the columns that still differ, plus `stamps` (updated_at, ...) when anything does.
    Returns (the row as it was before, the columns written without stamps); the caller
    audits. ChangeRefused if the row is gone."""
    from .errors import ChangeRefused

    filters = pk if isinstance(pk, dict) else {"pk": pk}
    with atomic():
        rows = lock_rows(model, **filters)
        if not rows:
            raise ChangeRefused("This row no longer exists.")
        row = rows[0]
        refuse_conflicts(row, changes, expected, labels=labels)
        changed = drop_unchanged(row, changes)
        if changed:
            update_row(model, filters, {**changed, **(stamps or {})})
    return row, changed
