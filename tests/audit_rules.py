"""A small port of LiteLLM 1.108.11's rules for an audit row, to check every row the suite writes.

- proxy/_types.py::LiteLLM_AuditLogs: table_name a LitellmTableNames, action an AUDIT_ACTIONS,
  before_value/updated_values Json (an object here, litellm-exact.md §4);
- litellm_enterprise AuditLogResponse (the Audit Logs tab's reader, litellm-exact.md §4b):
  changed_by and changed_by_api_key non-null strings, values Optional[Dict];
- object shapes of the key hooks (hooks/key_management_event_hooks.py, litellm-exact.md §6):
  key `created`/`rotated` = GenerateKeyResponse fields only, exclude_none; key `updated` =
  UpdateKeyRequest fields (plus the console's documented `expires`); `deleted` updated = {}.
"""

from __future__ import annotations

from config import litellm
from config.audit_trail import AUDIT_ACTIONS, LITELLM_AUDITED_TABLES
from keys.audit_shapes import CONSOLE_UPDATE_EXTRAS, GENERATE_KEY_RESPONSE_FIELDS, UPDATE_KEY_REQUEST_FIELDS


def problems(row) -> list[str]:
    found = []
    table_names = {litellm.table_name(t) for t in LITELLM_AUDITED_TABLES}
    if row.table_name not in table_names:
        found.append(f"table_name {row.table_name!r} is not a LitellmTableNames")
    if row.action not in AUDIT_ACTIONS:
        found.append(f"action {row.action!r} is not an AUDIT_ACTIONS")
    for name in ("changed_by", "changed_by_api_key", "id", "object_id"):
        if not isinstance(getattr(row, name), str):
            found.append(f"{name} must be a string")
    for name in ("before_value", "updated_values"):
        value = getattr(row, name)
        if value is not None and not isinstance(value, dict):
            found.append(f"{name} must be an object or null, not {type(value).__name__}")
    if row.table_name == litellm.table_name("VerificationToken") and isinstance(row.updated_values, dict):
        found += _key_shape(row)
    return found


def _key_shape(row) -> list[str]:
    after = row.updated_values
    found = []
    if row.action in ("created", "rotated"):
        extra = set(after) - GENERATE_KEY_RESPONSE_FIELDS
        if extra:
            found.append(f"key {row.action}: not GenerateKeyResponse fields {sorted(extra)}")
        if after and "token_id" not in after:
            found.append(f"key {row.action}: no token_id")
    elif row.action == "updated":
        extra = set(after) - UPDATE_KEY_REQUEST_FIELDS - CONSOLE_UPDATE_EXTRAS
        if extra:
            found.append(f"key updated: not UpdateKeyRequest fields {sorted(extra)}")
    elif row.action == "deleted" and after != {}:
        found.append("key deleted: updated_values must be {}")
    if row.action in ("created", "rotated", "updated") and any(v is None for v in after.values()):
        found.append(f"key {row.action}: exclude_none dumps carry no nulls")
    return found
