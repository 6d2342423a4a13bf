"""Row snapshots and the audit row: a row as LiteLLM's audit log stores it, LiteLLM's masking
of key-named values, and one audit row per change in LiteLLM's shape."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .. import litellm
from .rows import Actor, new_id, now_utc


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
    from .. import audit_trail

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
