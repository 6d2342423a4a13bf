"""The 400 page: says what was wrong with the request (BadRequest carries a message for people)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.shortcuts import render


def bad_request(request, exception=None):
    message = str(exception) if isinstance(exception, BadRequest) and str(exception) else ""
    return render(request, "400.html", {"message": message, "title": "Bad request"}, status=400)


def not_found(request, exception=None):
    """The console's 404 (also with DEBUG on: config.middleware.ConsolePagesMiddleware). On a
    key's page whose key was regenerated, it says so and links to the new page, but only
    when the viewer may see that key (otherwise a plain 404: existence does not leak)."""
    from config import policy

    context = {"title": "Not found"}
    match = getattr(request, "resolver_match", None)
    principal = policy.principal(request) if getattr(request, "user", None) is not None else None
    if match is not None and principal is not None and match.namespace == "keys" and "token" in match.kwargs:
        from keys.models import VerificationToken
        from keys.rotations import rotated_to

        new = rotated_to(match.kwargs["token"])
        if new is not None:
            key = VerificationToken.objects.filter(principal.keys_q(), token=new).first()
            if key is not None:
                context["rotated_to"] = key
    return render(request, "404.html", context, status=404)
