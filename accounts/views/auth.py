"""Sign-in, throttled (accounts/auth.py): too many attempts for one username from one address,
or from one address, are refused for a while."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.urls import reverse

from config import policy
from config.views.generic import ServiceFormView

from .. import auth, services, sessions
from ..forms import ChangePasswordForm
from ..models import UserTable


class ThrottledAuthenticationForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email (or ops username)"
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)

    def clean_username(self):
        return auth.normalize_login(self.cleaned_data.get("username") or "")

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not settings.PASSWORD_LOGIN and "@" in username and not get_user_model().objects.filter(username=username):
            # PASSWORD_LOGIN=false: LiteLLM users sign in with SSO; ops logins keep the form.
            raise forms.ValidationError("Password sign-in is off here: use the single sign-on button.", code="sso_only")
        # Counted before the password is checked, so concurrent guesses cannot pass the limit.
        if not auth.throttle_reserve(self.request, username):
            raise forms.ValidationError("Too many failed sign-ins. Wait a few minutes and try again.", code="throttled")
        cleaned = super().clean()  # a failure stays counted
        auth.throttle_succeeded(self.request, username)
        return cleaned


class ConsoleLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from .. import oidc

        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": oidc.enabled(),
            "sso_label": settings.OIDC_BUTTON_LABEL,
            "password_login": settings.PASSWORD_LOGIN,
        }

    def form_valid(self, form):
        response = super().form_valid(form)
        user_id = policy.litellm_user_id(form.get_user())
        if user_id and UserTable.has_column("password_reset_required"):
            if UserTable.objects.filter(user_id=user_id, password_reset_required=True).exists():
                # LiteLLM's UI asks for a new password after an admin set one; so does the console.
                messages.warning(self.request, "An administrator set your password: please choose your own now.")
                return redirect("password_change")
        return response


class PasswordChangeView(ServiceFormView):
    """A LiteLLM user's own password. Ops staff change theirs in the Django admin."""

    form_class = ChangePasswordForm
    title = "Change your password"
    submit_label = "Change password"
    intro = "This is the password you use here and in LiteLLM's own UI."

    def dispatch(self, request, *args, **kwargs):
        principal = policy.principal(request) if request.user.is_authenticated else None
        if principal is not None and principal.user_id is None:
            return redirect("admin:password_change")
        return super().dispatch(request, *args, **kwargs)

    def form_extra(self):
        email = UserTable.objects.filter(user_id=self.principal.user_id).values_list("user_email", flat=True).first()
        return {"email": email}

    def perform(self, form):
        services.user_change_own_password(
            user_id=self.principal.user_id,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["password1"],
        )
        # This session stays signed in; the person's other sessions end (policy.principal).
        update_session_auth_hash(self.request, self.request.user)
        sessions.remember(self.request, self.principal.user_id)
        messages.success(self.request, "Your password is changed. Use it here and in LiteLLM's UI.")

    def success_url_for(self, result):
        return reverse("home")
