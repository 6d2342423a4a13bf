"""Invitations and passwords: inviting someone, accepting (choosing a password), changing it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from config import policy
from config.validation import LimitedEmailField

from ..passwords import new_password_errors
from .fields import _money_field, _org_choices, _team_choices


class InviteForm(forms.Form):
    email = LimitedEmailField(label="Email")
    role = forms.ChoiceField(label="Role")
    team = forms.ChoiceField(label="Team", required=False)
    organization = forms.ChoiceField(label="Organization", required=False)
    max_budget = _money_field("Personal budget (USD)", help_text="Optional; empty means no personal limit.")

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.fields["role"].choices = principal.assignable_roles()
        self.fields["role"].initial = policy.INTERNAL_USER
        self.fields[
            "role"
        ].help_text = "For someone who already has an account, their role and budget stay as they are."
        self.fields["team"].choices = _team_choices(principal)
        self.fields["organization"].choices = _org_choices(principal)
        if not principal.can_invite_to_orgs():
            # Team admins invite into a team they run.
            self.fields["team"].required = True
            self.fields["team"].choices = self.fields["team"].choices[1:]
            del self.fields["organization"]


class AcceptInvitationForm(forms.Form):
    """Choosing a new password; `email` is the person's, for the similarity check."""

    password1 = forms.CharField(
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=(
            "At least 12 characters, with an uppercase and a lowercase letter, a number and a special "
            "character; not a common password, not like your email, no spaces at the start or end."
        ),
        strip=False,
    )
    password2 = forms.CharField(
        label="Repeat the password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args, email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        problems = new_password_errors(password, email=self.email)
        if problems:
            raise ValidationError(problems)
        return password

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") is not None and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return data


class ChangePasswordForm(AcceptInvitationForm):
    """A signed-in LiteLLM user's own password (the one both UIs accept)."""

    current_password = forms.CharField(
        label="Current password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
    field_order = ["current_password", "password1", "password2"]
