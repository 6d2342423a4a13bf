"""Single sign-on pages: start (redirect to the provider), callback (sign in), and sign-out that
also ends the provider's session when it offers RP-initiated logout. accounts/oidc.py does the
protocol and the matching; this file only turns it into responses."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import LogoutView
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .. import auth, oidc

SSO_SESSION_FLAG = "console_signed_in_by_sso"
NEXT_KEY = "console_sso_next"


def _refused(request, message: str, status: int = 403):
    return render(request, "registration/sso_refused.html", {"message": message}, status=status)


class SSOStartView(View):
    def get(self, request):
        if not oidc.enabled():
            raise Http404("Single sign-on is not configured.")
        nxt = request.GET.get("next") or ""
        if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
            request.session[NEXT_KEY] = nxt
        try:
            return oidc.start(request, request.build_absolute_uri(reverse("sso_callback")))
        except oidc.SignInRefused as exc:
            return _refused(request, str(exc), status=502)
        except Exception as exc:  # noqa: BLE001 - the provider unreachable: a page, not a 500
            return _refused(request, f"The identity provider cannot be reached ({type(exc).__name__}).", status=502)


class SSOCallbackView(View):
    def get(self, request):
        if not oidc.enabled():
            raise Http404("Single sign-on is not configured.")
        if request.GET.get("error"):
            return _refused(request, f"The identity provider did not sign you in: {request.GET['error'][:80]}.")
        try:
            claims = oidc.finish(request)
            user_id = oidc.litellm_user_for(request, claims)
        except oidc.SignInRefused as exc:
            return _refused(request, str(exc))
        nxt = request.session.pop(NEXT_KEY, None) or reverse(settings.LOGIN_REDIRECT_URL)
        user = auth.LiteLLMUserBackend()._console_user(user_id)
        login(request, user, backend="accounts.auth.LiteLLMUserBackend")  # new session key; stamps it
        request.session[SSO_SESSION_FLAG] = True
        return HttpResponseRedirect(nxt)


class ConsoleLogoutView(LogoutView):
    """Django's sign-out (POST); after an SSO sign-in, on to the provider's end-session page."""

    def post(self, request, *args, **kwargs):
        by_sso = bool(request.session.get(SSO_SESSION_FLAG))
        logout(request)
        if by_sso and oidc.enabled():
            url = oidc.end_session_url(request.build_absolute_uri(reverse("login")))
            if url:
                return HttpResponseRedirect(url)
        return HttpResponseRedirect(self.get_success_url())
