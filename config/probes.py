"""`/healthz` and `/readyz` for load balancers and Kubernetes probes, answered before any other
middleware: no sign-in, no https redirect, no ALLOWED_HOSTS check (a kubelet probes the pod's IP
over plain http), no session, no CSRF. They say nothing secret: ok/failed per check and a short
reason.

- `/healthz`: the process is up and answering (no database call), always 200.
- `/readyz`: 200 when the console's and LiteLLM's databases answer and LiteLLM's schema passes
  the same check as `manage.py check` (config/checks.py); 503 otherwise. The replica, when
  configured, is reported with its lag but never makes the console unready: reads fall back to
  the primary when it is down or too far behind (config/routers.py).
"""

from __future__ import annotations

import json
import time

from django.db import DatabaseError, connections
from django.http import HttpResponse

from . import checks, logs, metrics, replica


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _ping(alias: str) -> dict:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except DatabaseError as exc:
        connections[alias].close()
        return {"ok": False, "error": _first_line(exc)}


def readiness() -> tuple[bool, dict]:
    report = {"console_db": _ping("default"), "litellm_db": _ping("litellm")}
    if report["litellm_db"]["ok"]:
        try:
            problems = checks.schema_problems()  # read fresh: a probe sees today's schema
            report["litellm_schema"] = {"ok": not problems, **({"problems": problems} if problems else {})}
        except DatabaseError as exc:
            report["litellm_schema"] = {"ok": False, "error": _first_line(exc)}
    else:
        report["litellm_schema"] = {"ok": False, "error": "LiteLLM database unreachable"}
    ready = all(part["ok"] for part in report.values())
    if replica.configured():
        found = replica.measure()
        report["replica"] = {
            "ok": found.usable,
            "lag_seconds": None if found.lag_seconds is None else round(found.lag_seconds, 1),
            "reads": "replica" if found.usable else "primary",
            **({"reason": found.reason} if not found.usable else {}),
        }
    return ready, report


def _json(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class ProbeMiddleware:
    """First in MIDDLEWARE: gives the request its id (config/logs.py), answers the probe paths
    and /metrics, and times every other request for the metrics by its URL name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = logs.request_id.set(logs.new_request_id(request.META.get("HTTP_X_REQUEST_ID")))
        try:
            response = self._answer(request)
            response["X-Request-ID"] = logs.request_id.get()
            return response
        finally:
            logs.request_id.reset(token)

    def _answer(self, request):
        path = request.path_info.rstrip("/") or "/"
        if request.method in ("GET", "HEAD"):
            if path == "/healthz":
                return _json(200, {"status": "ok"})
            if path == "/readyz":
                ready, report = readiness()
                return _json(200 if ready else 503, {"status": "ready" if ready else "not ready", "checks": report})
            if path == "/metrics":
                return metrics.metrics_response(request)
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unmatched"
        metrics.REQUEST_SECONDS.labels(view=view, method=request.method, status=str(response.status_code)).observe(
            time.perf_counter() - start
        )
        return response
