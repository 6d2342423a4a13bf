"""Refuse NUL characters in any request value before a view sees it."""

from __future__ import annotations

from django.core.exceptions import BadRequest

from config.validation import NUL_MESSAGE


class RejectNulMiddleware:
    """PostgreSQL refuses \\x00 in text and jsonb, so a NUL that reaches a query or an INSERT
    is a 500. Forms' CharFields refuse it, but filters, query parameters read directly,
    cursors, URL ids and JSON rows do not; no console input can legitimately hold one. One
    check here covers every path, including those added later: 400 with a message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            raise BadRequest(NUL_MESSAGE)
        return self.get_response(request)


def _has_nul(querydict) -> bool:
    for name, values in querydict.lists():
        if "\x00" in name or any("\x00" in value for value in values if isinstance(value, str)):
            return True
    return False
