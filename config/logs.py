"""Structured logs (LOG_FORMAT=json: one JSON object a line) and a request id on every line
logged while a request is served: the incoming X-Request-ID when it looks like one (a load
balancer's), else a new one; it is sent back in the response's X-Request-ID header."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("console_request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id(incoming: str | None) -> str:
    return incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
