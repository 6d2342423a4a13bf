"""Model access requests (LiteLLM_UserNotifications).

LiteLLM 1.108.11 still has the table ("model access requests ... approval status") and reads
and inserts it in PrismaClient.get_data / insert_data (proxy/utils.py, table_name
"user_notification": an upsert on request_id that never updates), but no endpoint of its own
writes it any more. The console writes the row with LiteLLM's columns: request_id (uuid4),
user_id, models, justification, status "pending", then "approved" or "disapproved". The table
is not one LiteLLM audits, so its changes go to the console's own trail; the models granted go
through the user's or key's own audited update (accounts.services.user_update,
keys.services.key_update). Approving and disapproving lock the request row (SELECT ... FOR
UPDATE): of two admins acting at once, the second sees the first's answer and writes nothing.
"""

from __future__ import annotations

import uuid

from accounts.models import UserTable
from config import writes
from config.errors import ChangeRefused
from keys.models import VerificationToken

from .models import ModelRequestAnswer, UserNotifications

PENDING, APPROVED, DISAPPROVED = "pending", "approved", "disapproved"
TABLE = "UserNotifications"
ALL_PROXY_MODELS = "all-proxy-models"


def request_models(*, actor: writes.Actor, user_id: str, models: list[str], justification: str, key_token="") -> str:
    if not models:
        raise ChangeRefused("Pick at least one model.", "models")
    if not (justification or "").strip():
        raise ChangeRefused("Say why you need it.", "justification")
    request_id = str(uuid.uuid4())
    row = {"request_id": request_id, "user_id": user_id, "models": list(models)}
    row |= {"justification": justification.strip(), "status": PENDING}
    with writes.atomic():
        writes.insert_row(UserNotifications, row)
        ModelRequestAnswer.objects.create(
            request_id=request_id, key_token=key_token or "", requested_at=writes.now_utc()
        )
        writes.audit(actor, writes.CREATED, TABLE, request_id, None, row)
    return request_id


def _granted(current: list | None, wanted: list[str]) -> list[str]:
    """The models list after adding `wanted`, as append_team_models does for a team: an empty
    list (every model) becomes 'all-proxy-models' first, so the grant never narrows it."""
    base = list(current or []) or [ALL_PROXY_MODELS]
    return base + [m for m in wanted if m not in base]


def answer(*, actor: writes.Actor, request_id: str, approve: bool, reason: str = "") -> str:
    """Approve (the models go to the key named with the request, else to the user) or
    disapprove (with a reason shown to the requester). Returns the new status."""
    from accounts.services import user_update
    from keys.services import key_update

    if not approve and not (reason or "").strip():
        raise ChangeRefused("Give the requester a reason.", "reason")
    with writes.atomic():
        rows = writes.lock_rows(UserNotifications, request_id=request_id)
        if not rows:
            raise ChangeRefused("This request no longer exists.")
        row = rows[0]
        note = ModelRequestAnswer.objects.select_for_update().filter(request_id=request_id).first()
        if row.status != PENDING:
            who = f" by {note.answered_by}" if note and note.answered_by else ""
            raise ChangeRefused(f"This request was already {row.status}{who}. Nothing was changed.")
        status = APPROVED if approve else DISAPPROVED
        if approve:
            key = note and note.key_token and VerificationToken.objects.filter(token=note.key_token).first()
            if key:
                key_update(actor=actor, token=key.token, changes={"models": _granted(key.models, row.models or [])})
            else:
                user = UserTable.objects.filter(user_id=row.user_id).first()
                if user is None:
                    raise ChangeRefused("The requester no longer exists.")
                user_update(
                    actor=actor, user_id=row.user_id, changes={"models": _granted(user.models, row.models or [])}
                )
        before = writes.snapshot(row)
        writes.update_row(UserNotifications, request_id, {"status": status})
        fields = {"status": status, "reason": (reason or "").strip()}
        fields |= {"answered_by": actor.changed_by, "answered_at": writes.now_utc()}
        if note is None:
            ModelRequestAnswer.objects.create(request_id=request_id, requested_at=writes.now_utc(), **fields)
        else:
            ModelRequestAnswer.objects.filter(request_id=request_id).update(**fields)
        writes.audit(actor, writes.UPDATED, TABLE, request_id, before, {"status": status})
    return status
