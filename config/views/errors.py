"""The 400 page: says what was wrong with the request (BadRequest carries a message for people)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.shortcuts import render


def bad_request(request, exception=None):
    message = str(exception) if isinstance(exception, BadRequest) and str(exception) else ""
    return render(request, "400.html", {"message": message, "title": "Bad request"}, status=400)
