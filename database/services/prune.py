"""Delete old SpendLogs and ErrorLogs in small batches, as LiteLLM's own retention job does.

LiteLLM (litellm/proxy/db/db_transaction_queue/spend_log_cleanup.py,
SpendLogCleanup._delete_old_rows_batched and _execute_delete_batch) deletes

    DELETE FROM "LiteLLM_SpendLogs" WHERE ("request_id", "startTime") IN (
        SELECT "request_id", "startTime" FROM "LiteLLM_SpendLogs" WHERE "startTime" < $cutoff LIMIT $batch)

with batch size SPEND_LOG_CLEANUP_BATCH_SIZE = 1000 (litellm/constants.py), each batch in its own
transaction under SET LOCAL statement_timeout/lock_timeout (SPEND_LOG_CLEANUP_BATCH_TIMEOUT_SECONDS
= 30 s), with `asyncio.sleep(0.1)` after every batch, in no particular order (no ORDER BY), until a
batch deletes nothing. The cut-off is now(UTC) - maximum_spend_logs_retention_period
(_clean_spend_log_tables). This does the same, plus ErrorLogs (LiteLLM never prunes those), an
optional archive of what it deletes, and an advisory lock instead of LiteLLM's Redis pod lock
(PodLockManager, cronjob id "spend_log_cleanup"). It never touches the daily spend tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connections, transaction

from config import litellm
from config.errors import ChangeRefused
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

from ..catalog import DAILY_TABLES, LOG_TABLES

BATCH_SIZE = 1000  # litellm/constants.py SPEND_LOG_CLEANUP_BATCH_SIZE
PAUSE_SECONDS = 0.1  # spend_log_cleanup.py: asyncio.sleep(0.1) after each batch
BATCH_TIMEOUT_MS = 30_000  # litellm/constants.py SPEND_LOG_CLEANUP_BATCH_TIMEOUT_SECONDS
# One advisory lock key for every prune, whichever console process runs it.
LOCK_KEY = "litellm_console.prune_logs"
KEYS = {"SpendLogs": ("request_id", "startTime"), "ErrorLogs": ("request_id", "startTime")}

NOT_TOUCHED = (
    "The daily spend tables ("
    + ", ".join(DAILY_TABLES)
    + ") are never touched: the usage pages keep their whole history."
)


@dataclass
class TableResult:
    table: str
    expired: int  # rows older than the cut-off when the run started
    deleted: int = 0
    batches: int = 0
    batch_seconds: list[float] = field(default_factory=list)


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """Naive UTC, as the proxy stores "startTime" (TIMESTAMP(3) without zone)."""
    return (now or now_utc()) - timedelta(days=days)


def tables_present() -> list[str]:
    cat = litellm.read_catalog()
    return [t for t in LOG_TABLES if cat.has_table(t)]


def count_expired(table: str, cutoff: datetime) -> int:
    qn = connections[LITELLM_ALIAS].ops.quote_name
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM {qn(litellm.table_name(table))} WHERE "startTime" < %s', [cutoff])
        return cursor.fetchone()[0]


class PruneLock:
    """A session advisory lock on the LiteLLM connection: a second prune (any process) is refused."""

    def __enter__(self):
        with connections[LITELLM_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise ChangeRefused("Another prune_logs is running (advisory lock held); nothing was deleted.")
        return self

    def __exit__(self, *exc):
        with connections[LITELLM_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [LOCK_KEY])
        return False


def delete_batch(table: str, cutoff: datetime, batch_size: int, archive=None) -> int:
    """One batch in its own transaction, bounded by LiteLLM's statement and lock timeouts; the
    archive gets the deleted rows before the transaction commits."""
    qn = connections[LITELLM_ALIAS].ops.quote_name
    name = qn(litellm.table_name(table))
    keys = ", ".join(qn(c) for c in KEYS[table])
    returning = " RETURNING row_to_json(t)::text" if archive is not None else ""
    sql = (
        f"DELETE FROM {name} AS t WHERE ({keys}) IN "
        f'(SELECT {keys} FROM {name} WHERE "startTime" < %s LIMIT %s){returning}'
    )
    with transaction.atomic(using=LITELLM_ALIAS), connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = {BATCH_TIMEOUT_MS}")
        cursor.execute(f"SET LOCAL lock_timeout = {BATCH_TIMEOUT_MS}")
        cursor.execute(sql, [cutoff, batch_size])
        if archive is None:
            return cursor.rowcount
        rows = cursor.fetchall()
        for (row,) in rows:
            archive.write(table, row)
        if rows:
            archive.flush()
        return len(rows)


def prune(
    days: int,
    *,
    batch_size: int = BATCH_SIZE,
    pause: float = PAUSE_SECONDS,
    dry_run: bool = False,
    archive=None,
    on_batch: Callable[[TableResult], None] | None = None,
    now: datetime | None = None,
) -> list[TableResult]:
    if days < 1:
        raise ChangeRefused("--days must be at least 1.")
    if batch_size < 1:
        raise ChangeRefused("--batch must be at least 1.")
    cutoff = cutoff_for(days, now)
    results = []
    with PruneLock():
        for table in tables_present():
            result = TableResult(table, count_expired(table, cutoff))
            results.append(result)
            if dry_run or not result.expired:
                continue
            while True:
                started = time.monotonic()
                deleted = delete_batch(table, cutoff, batch_size, archive)
                if not deleted:
                    break
                result.deleted += deleted
                result.batches += 1
                result.batch_seconds.append(time.monotonic() - started)
                if on_batch:
                    on_batch(result)
                if pause:
                    time.sleep(pause)
    return results
