"""The optional read replica (LITELLM_REPLICA_URL): is it usable now, and how far behind is it.

PostgreSQL's own streaming replication does the copying; the console only decides, per read,
whether the replica may answer (config/routers.py). The lag is measured on the standby as
`now() - pg_last_xact_replay_timestamp()` and cached for a few seconds per process, so a page
costs at most one extra statement per REPLICA_LAG_CHECK_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA_ALIAS = "litellm_replica"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicaState:
    configured: bool
    reachable: bool = False
    lag_seconds: float | None = None  # None: reachable but nothing replayed yet, or not a standby
    usable: bool = False
    reason: str = ""


_lock = threading.Lock()
_cached: tuple[float, ReplicaState] | None = None


def configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def measure() -> ReplicaState:
    """Ask the standby now (no cache)."""
    if not configured():
        return ReplicaState(configured=False, reason="not configured")
    try:
        with connections[REPLICA_ALIAS].cursor() as cursor:
            # On a standby with no write since it started, the replay timestamp is the last
            # replayed commit (possibly old); a primary that is idle has nothing to replay,
            # so lag 0 when the standby has received everything it was sent.
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as exc:
        connections[REPLICA_ALIAS].close()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        logger.warning("replica unreachable, reading from the primary: %s", first)
        return ReplicaState(configured=True, reason=f"unreachable: {first}")
    lag = float(lag) if lag is not None else None
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if lag is not None and lag > limit:
        return ReplicaState(True, True, lag, False, f"{lag:.0f} s behind (limit {limit} s)")
    return ReplicaState(True, True, lag, True, "standby" if in_recovery else "not a standby")


def state() -> ReplicaState:
    """The replica's state, measured at most every REPLICA_LAG_CHECK_SECONDS per process."""
    global _cached
    if not configured():
        return ReplicaState(configured=False, reason="not configured")
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _cached[0] < settings.REPLICA_LAG_CHECK_SECONDS:
            return _cached[1]
    found = measure()
    with _lock:
        _cached = (time.monotonic(), found)
    return found


def forget() -> None:
    """Drop the cached state (tests; after a failover)."""
    global _cached
    with _lock:
        _cached = None
