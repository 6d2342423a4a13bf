"""Sign-in, throttled: too many failures for one username or address are refused for a while."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from config import policy
from config.views.generic import ConsoleMixin

from .. import services, sessions
from ..forms import ChangePasswordForm
from ..models import UserTable


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

    def form_valid(self, form):
        response = super().form_valid(form)
        user_id = policy.litellm_user_id(form.get_user())
        if user_id and UserTable.has_column("password_reset_required"):
            if UserTable.objects.filter(user_id=user_id, password_reset_required=True).exists():
                # LiteLLM's UI asks for a new password after an admin set one; so does the console.
                messages.warning(self.request, "An administrator set your password: please choose your own now.")
                return redirect("password_change")
        return response


class PasswordChangeView(ConsoleMixin, FormView):
    """A LiteLLM user's own password. Ops staff change theirs in the Django admin."""

    template_name = "generic/form.html"
    form_class = ChangePasswordForm
    title = "Change your password"

    def dispatch(self, request, *args, **kwargs):
        principal = policy.principal(request) if request.user.is_authenticated else None
        if principal is not None and principal.user_id is None:
            return redirect("admin:password_change")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            submit_label="Change password",
            cancel_url=reverse("home"),
            intro="This is the password you use here and in LiteLLM's own UI.",
        )
        return context

    def form_valid(self, form):
        try:
            services.user_change_own_password(
                user_id=self.principal.user_id,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password1"],
            )
        except services.ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
            return self.form_invalid(form)
        # This session stays signed in; the person's other sessions end (policy.principal).
        update_session_auth_hash(self.request, self.request.user)
        sessions.remember(self.request, self.principal.user_id)
        messages.success(self.request, "Your password is changed. Use it here and in LiteLLM's UI.")
        return redirect("home")
