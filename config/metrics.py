"""Prometheus metrics at /metrics (prometheus-client), answered by config.probes before the
https redirect and host check, for a scraper on the pod network; allowed to a bearer token
(METRICS_TOKEN) or to client addresses in METRICS_ALLOWED_NETWORKS (default: loopback only).

- console_http_request_duration_seconds{view,method,status}: every request, labelled by URL name
- console_db_query_duration_seconds{alias}: every statement per database alias (litellm,
  litellm_replica, default), so the count is its _count
- console_replica_lag_seconds, console_replica_usable: the read replica as the router sees it
- console_jobs{status}: rows of the job queue's table (procrastinate_jobs) by status, when it exists
- console_alerts_sent_total{kind}: incremented by whatever sends alerts (alert_sent())

Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (an empty directory per start):
each worker writes its samples there and a scrape sums them (prometheus-client multiprocess mode).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram(
    "console_http_request_duration_seconds",
    "Time to answer a request, by URL name.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERY_SECONDS = Histogram(
    "console_db_query_duration_seconds",
    "Time of one database statement, by connection alias.",
    ["alias"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
)
ALERTS_SENT = Counter("console_alerts_sent_total", "Alerts the console sent.", ["kind"])


def alert_sent(kind: str) -> None:
    ALERTS_SENT.labels(kind=kind).inc()


def _timed(alias: str):
    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            QUERY_SECONDS.labels(alias=alias).observe(time.perf_counter() - start)

    return wrapper


def _on_connection(sender, connection, **kwargs):
    if not any(getattr(w, "console_metrics", False) for w in connection.execute_wrappers):
        wrapper = _timed(connection.alias)
        wrapper.console_metrics = True
        connection.execute_wrappers.append(wrapper)


connection_created.connect(_on_connection, dispatch_uid="console.metrics.queries")


class StateCollector:
    """Read at scrape time: the replica's state and the job queue's depth."""

    def describe(self):
        # Registering a collector without describe() makes prometheus_client call collect() at
        # import time, i.e. query the database while Django's apps are still loading.
        return []

    def collect(self):
        from . import replica

        if replica.configured():
            found = replica.state()
            usable = GaugeMetricFamily("console_replica_usable", "1 when heavy reads go to the replica.")
            usable.add_metric([], 1.0 if found.usable else 0.0)
            yield usable
            if found.lag_seconds is not None:
                lag = GaugeMetricFamily("console_replica_lag_seconds", "now() - pg_last_xact_replay_timestamp().")
                lag.add_metric([], found.lag_seconds)
                yield lag
        jobs = _job_counts()
        if jobs is not None:
            family = GaugeMetricFamily("console_jobs", "Jobs in the queue table by status.", labels=["status"])
            for status, count in jobs:
                family.add_metric([status], count)
            yield family


def _job_counts():
    """(status, count) of procrastinate_jobs in the console's database, None without that table."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1 ORDER BY 1")
            return cursor.fetchall()
    except DatabaseError:
        return None


def _registry():
    from prometheus_client import REGISTRY

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(StateCollector())
        return registry
    return REGISTRY


if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    from prometheus_client import REGISTRY as _default

    _default.register(StateCollector())


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


def metrics_response(request) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    response = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
