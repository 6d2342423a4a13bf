"""Where a regenerated key went: a key's page lives at its hash, and regenerate changes the hash.

How a rotation is recorded (LiteLLM 1.108.11, and the console the same way, keys/services.py::
key_regenerate):
- an audit row, action "rotated", object_id = the OLD hash, updated_values = the regenerate
  response whose `token_id` is the NEW hash (hooks/key_management_event_hooks.py::
  async_key_rotated_hook), when audit logs are stored;
- the old row copied into LiteLLM_DeletedVerificationToken (newer schemas;
  key_management_endpoints.py::_execute_virtual_key_regeneration), while the live row keeps
  every other column, created_at included.

So the new hash is the audit row's token_id (followed through later rotations), or else the one
live key created at the same instant by the same owner as the archived copy.
"""

from __future__ import annotations

from config.models import AuditLog
from config.writes import ROTATED, decode_audit_value

from .models import DeletedVerificationToken, VerificationToken

MAX_HOPS = 20  # a key rotated more often than this between two visits is not worth chasing


def _next_by_audit(token: str) -> str | None:
    row = (
        AuditLog.objects.filter(action=ROTATED, object_id=token, table_name__endswith="VerificationToken")
        .order_by("-updated_at")
        .values_list("updated_values", flat=True)
        .first()
    )
    values = decode_audit_value(row) if row is not None else None
    new = values.get("token_id") if isinstance(values, dict) else None
    return new if isinstance(new, str) and new and new != token else None


def _next_by_archive(token: str) -> str | None:
    if not DeletedVerificationToken.table_exists():
        return None
    archived = (
        DeletedVerificationToken.objects.filter(token=token)
        .order_by("-deleted_at")
        .values("created_at", "user_id", "team_id")
        .first()
    )
    if not archived or archived["created_at"] is None:
        return None
    live = list(
        VerificationToken.objects.filter(
            created_at=archived["created_at"], user_id=archived["user_id"], team_id=archived["team_id"]
        ).values_list("token", flat=True)[:2]
    )
    return live[0] if len(live) == 1 and live[0] != token else None


def rotated_to(token: str) -> str | None:
    """The live hash a rotated key's old hash leads to, or None (never rotated, or deleted since)."""
    current, seen = token, {token}
    for _ in range(MAX_HOPS):
        if VerificationToken.objects.filter(token=current).exists():
            return current if current != token else None
        new = _next_by_audit(current) or _next_by_archive(current)
        if new is None or new in seen:
            return None
        seen.add(new)
        current = new
    return None
