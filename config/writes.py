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
    """Who makes a change: a LiteLLM user id, or an ops login of the console."""

    changed_by: str
    api_key: str = ""
    # An ops login: LiteLLM's trail says default_user_id / the master-key alias, the console's
    # keeps who it was and from where (config/audit_trail.py).
    ops_username: str = ""
    client_address: str = ""


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
