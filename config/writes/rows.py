"""Rows: who writes (Actor, the stamps LiteLLM writes with a row), ids and naive-UTC times,
the transaction, and the INSERT/UPDATE/DELETE/lock statements that name only the columns given
and refuse the proxy's counters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.dispatch import Signal

from .. import litellm
from ..models_base import PROXY_COUNTERS
from ..routers import LITELLM_ALIAS

# LiteLLM's audit actions (_types.py::AUDIT_ACTIONS).
CREATED, UPDATED, DELETED, BLOCKED, UNBLOCKED, ROTATED = (
    "created",
    "updated",
    "deleted",
    "blocked",
    "unblocked",
    "rotated",
)


# Sent with `model` after every INSERT, UPDATE and DELETE here, and again when the transaction
# commits: for figures kept a short while (the home page's), which drop at once when the
# console changes a row (a concurrent page may have refilled them before the commit).
rows_written = Signal()


def _written(model) -> None:
    rows_written.send(sender=model, model=model)
    connection = connections[LITELLM_ALIAS]
    if any(getattr(func, "rows_written_model", None) is model for _, func, _ in connection.run_on_commit):
        return  # one more on commit per table and transaction (a bulk change writes many rows)

    def on_commit():
        rows_written.send(sender=model, model=model)

    on_commit.rows_written_model = model
    transaction.on_commit(on_commit, using=LITELLM_ALIAS)


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
    from .. import audit_trail

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
    _written(model)


def update_row(model, pk: dict[str, Any] | Any, changes: dict[str, Any]) -> int:
    """UPDATE only the named columns of one row; never a proxy counter. Returns rows hit."""
    if not changes:
        return 0
    refused = PROXY_COUNTERS & changes.keys()
    if refused:
        raise CounterWriteRefused(f"refusing to write proxy counters {sorted(refused)}")
    changes = _present(model, changes)
    filters = pk if isinstance(pk, dict) else {"pk": pk}
    hit = model._base_manager.using(LITELLM_ALIAS).filter(**filters).update(**changes)
    _written(model)
    return hit


def delete_rows(model, **filters) -> int:
    """DELETE rows matching filters (callers archive and audit first)."""
    gone = model._base_manager.using(LITELLM_ALIAS).filter(**filters)._raw_delete(LITELLM_ALIAS)
    _written(model)
    return gone


def lock_rows(model, **filters):
    """SELECT ... FOR UPDATE the matching rows (inside atomic())."""
    return list(model.objects.using(LITELLM_ALIAS).select_for_update().filter(**filters))


def advisory_xact_lock(key: str) -> None:
    """pg_advisory_xact_lock(hashtext(key)): the lock the proxy takes on a team roster."""
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
