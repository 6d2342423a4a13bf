"""The write path: every change to a LiteLLM table goes through these functions.

They write only the columns named, refuse the proxy's counters, stamp what LiteLLM stamps
(naive UTC timestamps, uuid4 ids), and record a LiteLLM_AuditLog row in LiteLLM's own
shape. Callers (the services of each app) wrap a whole operation in `atomic()`.

Callers use the names below (`from config import writes`; `writes.update_row(...)`); the
modules hold them by kind:
- rows.py       Actor and stamps, ids and times, atomic(), insert/update/delete/lock rows
- arrays.py     the in-place SQL the proxy runs on text[] columns and pointers
- audit_log.py  row snapshots, LiteLLM's key masking, the audit row
- conflicts.py  lost-update protection for edits from a form opened earlier
"""

from .arrays import array_append, array_remove, array_rename, array_repoint, repoint  # noqa: F401
from .audit_log import _jsonable, audit, decode_audit_value, mask_keys, snapshot  # noqa: F401
from .conflicts import (  # noqa: F401
    FOLLOWS,
    comparable,
    drop_unchanged,
    refuse_conflicts,
    same_value,
    update_changed,
)
from .rows import (  # noqa: F401
    BLOCKED,
    CREATED,
    DELETED,
    ROTATED,
    UNBLOCKED,
    UPDATED,
    Actor,
    CounterWriteRefused,
    advisory_xact_lock,
    atomic,
    delete_rows,
    insert_as_proxy,
    insert_row,
    lock_rows,
    new_id,
    now_utc,
    rows_written,
    stamps,
    update_row,
    writer_id,
)
