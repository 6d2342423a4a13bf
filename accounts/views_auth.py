"""Sign-in, throttled: too many failures for one username or address are refused for a while."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache


def _keys(request, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:ip:{address}"]


def _limits() -> tuple[int, int]:
    """(per account, per address). The address limit is higher: behind a reverse proxy many
    people share one address, and a few typos must not lock everyone out."""
    per_account = settings.LOGIN_THROTTLE_ATTEMPTS
    return per_account, getattr(settings, "LOGIN_THROTTLE_IP_ATTEMPTS", per_account * 4)


class ThrottledAuthenticationForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email (or ops username)"
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        keys = _keys(self.request, username)
        if any((cache.get(k) or 0) >= limit for k, limit in zip(keys, _limits(), strict=True)):
            raise forms.ValidationError("Too many failed sign-ins. Wait a few minutes and try again.", code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            for key in keys:
                cache.add(key, 0, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, settings.LOGIN_THROTTLE_WINDOW_SECONDS)
            raise
        cache.delete(keys[0])  # a success clears this account's count (the address keeps its own)
        return cleaned


class ConsoleLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
