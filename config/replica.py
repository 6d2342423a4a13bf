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


# --- per request: may this page read from the replica? ---------------------------------------
# The pages whose reads are heavy and may be a few seconds old: the usage dashboard, request and
# error logs (namespace usage), the audit trail, and any list's CSV export (?export=...).
REPLICA_NAMESPACES = frozenset({"usage", "audit", "reports"})  # /database/ stays: its locks are the primary's
WROTE_AT = "console_wrote_at"  # session key: when this person last sent a change


@dataclass(frozen=True)
class PageReads:
    """What a page says about where it read: `source` replica or primary, the lag, and why."""

    source: str
    lag_seconds: float | None = None
    reason: str = ""


def page_may_use_replica(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if request.method not in ("GET", "HEAD") or match is None:
        return False
    return bool(REPLICA_NAMESPACES & set(match.namespaces)) or "export" in request.GET


class ReplicaReadsMiddleware:
    """Sets config.routers.replica_reads for the pages above when the replica is usable, keeps
    it set while a streamed response (a CSV export) is read, and remembers in the session when
    the person last changed something, so their next pages read their own writes (primary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .routers import replica_reads

        replica_reads.set(False)  # a thread serves many requests: start each clean
        request.replica_reads = None
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and _signed_in(request) and response.status_code < 500:
            request.session[WROTE_AT] = time.time()
        if response.streaming:
            response._resource_closers.append(lambda: replica_reads.set(False))
        else:
            replica_reads.set(False)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        from .routers import replica_reads

        if not configured() or not page_may_use_replica(request):
            return None
        wrote = request.session.get(WROTE_AT) if hasattr(request, "session") else None
        if wrote and time.time() - wrote < settings.READ_YOUR_WRITES_SECONDS:
            request.replica_reads = PageReads("primary", reason="you changed something a moment ago")
            return None
        found = state()
        if found.usable:
            replica_reads.set(True)
            request.replica_reads = PageReads("replica", found.lag_seconds)
            request._replica_view = (view_func, view_args, view_kwargs)
        else:
            request.replica_reads = PageReads("primary", found.lag_seconds, found.reason)
        return None

    def process_exception(self, request, exception):
        """The replica went away since its state was measured: mark it down and serve this
        page (a read) from the primary instead of an error."""
        from django.db import InterfaceError, OperationalError

        from .routers import replica_reads

        view = getattr(request, "_replica_view", None)
        if view is None or not replica_reads.get() or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("replica failed during %s, reading from the primary: %s", request.path, exception)
        mark_down(str(exception))
        replica_reads.set(False)
        request._replica_view = None
        request.replica_reads = PageReads("primary", reason="replica unreachable")
        view_func, args, kwargs = view
        response = view_func(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and hasattr(request, "session")


def mark_down(reason: str) -> None:
    global _cached
    connections[REPLICA_ALIAS].close()
    first = (reason.strip().splitlines() or ["error"])[0]
    with _lock:
        _cached = (time.monotonic(), ReplicaState(configured=True, reason=f"unreachable: {first}"))
