"""Response headers every page gets, 403s logged as one line, and NUL characters refused."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.urls import get_resolver, get_urlconf
from django.utils.cache import patch_cache_control

from config import policy
from config.validation import NUL_MESSAGE

logger = logging.getLogger("console.security")

# Only the console's own assets. Styles allow inline attributes: meters and charts set their
# width/colour per row (style="width: 42%"), in templates and table/chart code; scripts do not.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def content_security_policy() -> str:
    """With single sign-on, sign-out (a POST) continues to the provider's end-session page:
    form-action must allow that one origin too (a redirect after a submission is checked)."""
    if not settings.OIDC_ISSUER:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(settings.OIDC_ISSUER)
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy on every response; pages for a signed-in person are never
    stored by the browser or a shared cache (keys, spend, people)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)  # keeps never_cache's parts
        return response


class ForbiddenLogMiddleware:
    """A refused request is one WARNING line saying who, what and why, instead of Django's
    "Forbidden (Permission denied)" with a traceback: 403s are routine (a link someone may
    not open), and the traceback hid the person and the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            principal = policy.principal(request)
            who = principal.label if principal is not None else user.get_username()
        else:
            who = "anonymous"
        reason = " ".join(str(exception).split()) or "-"
        logger.warning("403 user=%s path=%s reason=%s", who, request.path, reason)
        response = get_resolver(get_urlconf()).resolve_error_handler(403)(request, exception=exception)
        response._has_been_logged = True  # django.request would log it again
        return response


class ConsolePagesMiddleware:
    """With DEBUG on (the demo), Django answers a 404 with its yellow technical page, which
    shows the URL list and settings to whoever follows a stale link. The console's own 404
    page is shown instead (handler404, which also words a regenerated key's old address);
    403s already go through handler403 (ForbiddenLogMiddleware). Without DEBUG Django calls
    handler404 itself, so this changes nothing there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An address no URL pattern matches never reaches process_exception.
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            if not getattr(response, "_console_page", False):
                return self._not_found(request, None)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        response = get_resolver(get_urlconf()).resolve_error_handler(404)(request, exception=exception)
        response._console_page = True
        return response


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
