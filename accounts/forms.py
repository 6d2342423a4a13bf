"""Forms for the people pages. They validate input and say what is wrong next to the field;
services do the writing. Choice lists are scoped to what the signed-in person may use."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from budgets.durations import DURATION_HELP, validate_budget_duration
from budgets.forms import BudgetFieldsMixin, budget_changes
from budgets.models import BudgetTable
from config import policy, writes
from config.forms import ShownValuesMixin

from . import services
from .models import OrganizationTable, TeamTable, UserTable
from .passwords import new_password_errors

MODELS_HELP = "Model names separated by commas. Empty means all models the proxy allows."


class ModelsField(forms.CharField):
    """A text[] of model names typed as "gpt-4o, claude-3" (empty = [])."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", MODELS_HELP)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "gpt-4o, gpt-4o-mini"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        parts = [p.strip() for p in re.split(r"[,\n]", value or "")]
        seen: list[str] = []
        for p in parts:
            if p and p not in seen:
                seen.append(p)
        return seen


def _duration_field(**kwargs):
    return forms.CharField(
        required=False,
        label=kwargs.pop("label", "Budget resets every"),
        help_text=kwargs.pop("help_text", DURATION_HELP),
        widget=forms.TextInput(attrs={"placeholder": "e.g. 30d or 1mo"}),
        **kwargs,
    )


def _money_field(label="Max budget (USD)", **kwargs):
    return forms.FloatField(
        required=False,
        min_value=0,
        label=label,
        help_text=kwargs.pop("help_text", "Empty means no limit."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        **kwargs,
    )


def _limit_field(label, **kwargs):
    return forms.IntegerField(required=False, min_value=0, label=label, **kwargs)


class LimitsMixin:
    """max_budget, budget_duration (LiteLLM's grammar), tpm/rpm and max parallel requests."""

    def clean_budget_duration(self):
        value = (self.cleaned_data.get("budget_duration") or "").strip() or None
        if value:
            validate_budget_duration(value)
        return value


def changed_values(form: forms.Form, shown: dict, names) -> dict:
    """Only the columns whose value differs from what the form showed (rule 2: write only what
    this person changed; a stale form must not undo someone else's change)."""
    out = {}
    for name in names:
        new = form.cleaned_data.get(name)
        if isinstance(new, str):
            new = new.strip() or None
        if not writes.same_value(new, shown.get(name)):
            out[name] = new
    return out


def _org_choices(principal, *, blank: str | None = "No organization"):
    orgs = OrganizationTable.objects.filter(principal.org_choices_q("form"))
    choices = [(o.organization_id, o.organization_alias) for o in orgs.order_by("organization_alias")]
    return ([("", blank)] if blank is not None else []) + choices


def _team_choices(principal, *, blank="No team"):
    teams = TeamTable.objects.filter(principal.team_choices_q("invite")).order_by("team_alias")
    return [("", blank)] + [(t.team_id, t.team_alias or t.team_id) for t in teams]


# --- users ---------------------------------------------------------------------------------


class SectionedForm:
    """A form laid out in titled groups by inc/form_fields.html, as the key form is: SECTIONS
    lists (legend, items), an item being a field name or a tuple of names shown side by side.
    Fields a form lacks are skipped; fields no section names come first, untitled."""

    SECTIONS: tuple = ()

    def sections(self):
        named = {
            n for _, items in self.SECTIONS for item in items for n in ((item,) if isinstance(item, str) else item)
        }
        groups = []
        rest = [[self[n]] for n in self.fields if n not in named and not self[n].is_hidden]
        if rest:
            groups.append(("", rest))
        for legend, items in self.SECTIONS:
            rows = []
            for item in items:
                row = [self[n] for n in ((item,) if isinstance(item, str) else item) if n in self.fields]
                if row:
                    rows.append(row)
            if rows:
                groups.append((legend, rows))
        return groups


BUDGET_SECTIONS = (
    ("Budget", (("max_budget", "soft_budget", "budget_duration"), "model_max_budget")),
    ("Rate limits", (("tpm_limit", "rpm_limit", "max_parallel_requests"),)),
)


USER_BUDGET_FIELDS = (
    "max_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


class UserFormBase(SectionedForm, BudgetFieldsMixin):
    """A LiteLLM user's own columns plus the shared budget editor (users have no soft_budget)."""

    SECTIONS = (("Person", ("user_email", "user_alias", "user_role", "organization", "models")), *BUDGET_SECTIONS)

    budget_field_names = USER_BUDGET_FIELDS
    user_email = forms.EmailField(label="Email")
    user_alias = forms.CharField(label="Display name", required=False)
    user_role = forms.ChoiceField(label="Role")
    models = ModelsField()

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.fields["user_role"].choices = principal.assignable_roles()
        self.order_fields(["user_email", "user_alias", "user_role", "organization", "models", *USER_BUDGET_FIELDS])


class UserCreateForm(UserFormBase):
    organization = forms.ChoiceField(label="Organization", required=False)

    field_order = ["user_email", "user_alias", "user_role", "organization"]

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, principal=principal, **kwargs)
        self.fields["user_role"].initial = policy.INTERNAL_USER
        self.fields["organization"].choices = _org_choices(
            principal, blank="No organization" if principal.can_place_outside_orgs() else None
        )
        if not principal.can_place_outside_orgs():
            self.fields["organization"].required = True
            self.fields["organization"].help_text = "People you add join one of your organizations."


class UserEditForm(ShownValuesMixin, UserFormBase):
    FIELDS = (
        "user_email",
        "user_alias",
        "user_role",
        "models",
        *["max_budget", "budget_duration", "tpm_limit", "rpm_limit", "max_parallel_requests"],
    )

    def __init__(self, *args, principal, instance: UserTable, **kwargs):
        kwargs["initial"] = {name: getattr(instance, name) for name in self.FIELDS}
        super().__init__(*args, principal=principal, **kwargs)
        self.instance = instance
        self.track_shown({n: getattr(instance, n) for n in (*self.FIELDS, *USER_BUDGET_FIELDS)}, instance.user_id)
        if instance.user_role and instance.user_role not in dict(self.fields["user_role"].choices):
            # An org admin editing someone whose role they may not grant keeps that role as is.
            self.fields["user_role"].choices = [(instance.user_role, instance.user_role)]
            self.fields["user_role"].disabled = True

    def changes(self) -> dict:
        """Own columns that changed plus budget columns that changed (the service sets
        budget_reset_at from the duration itself)."""
        changes = changed_values(self, self.shown, self.FIELDS)
        budget = budget_changes(
            {k: self.cleaned_data.get(k) for k in USER_BUDGET_FIELDS},
            {k: self.shown.get(k) for k in USER_BUDGET_FIELDS},
        )
        return changes | budget


# --- teams ---------------------------------------------------------------------------------


TEAM_BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


class TeamForm(ShownValuesMixin, SectionedForm, BudgetFieldsMixin):
    """/team/new and /team/update settings with the shared budget editor."""

    SECTIONS = (("Team", ("team_alias", "organization_id", "models", "blocked")), *BUDGET_SECTIONS)

    budget_field_names = TEAM_BUDGET_FIELDS
    team_alias = forms.CharField(label="Team name")
    organization_id = forms.ChoiceField(label="Organization", required=False)
    models = ModelsField()
    blocked = forms.BooleanField(
        label="Blocked", required=False, help_text="Every key of a blocked team is refused by the proxy."
    )
    FIELDS = ("team_alias", "organization_id", "models", "blocked")

    def __init__(self, *args, principal, instance: TeamTable | None = None, **kwargs):
        names = tuple(f for f in TEAM_BUDGET_FIELDS if f != "soft_budget" or TeamTable.has_column("soft_budget"))
        if instance is not None:
            kwargs["initial"] = {name: getattr(instance, name) for name in (*self.FIELDS, *names)}
        super().__init__(*args, budget_field_names=names, **kwargs)
        self.instance = instance
        if instance is not None:
            self.track_shown({n: getattr(instance, n) for n in (*self.FIELDS, *names)}, instance.team_id)
        choices = _org_choices(principal, blank="No organization" if principal.can_place_outside_orgs() else None)
        if instance is not None and instance.organization_id and instance.organization_id not in dict(choices):
            choices.append((instance.organization_id, instance.organization_id))
        self.fields["organization_id"].choices = choices
        if not principal.can_place_outside_orgs():
            self.fields["organization_id"].required = True
        if instance is None:
            del self.fields["blocked"]
        self.order_fields(["team_alias", "organization_id", "models", *names, "blocked"])

    def clean_team_alias(self):
        alias = self.cleaned_data["team_alias"].strip()
        if alias == policy.UI_SESSION_TEAM_ID:
            raise ValidationError("This name is reserved for the proxy's UI sessions.")
        return alias

    def clean_organization_id(self):
        return self.cleaned_data.get("organization_id") or None

    def clean(self):
        data = super().clean()
        soft, hard = data.get("soft_budget"), data.get("max_budget")
        if soft is not None and hard is not None and soft >= hard:
            self.add_error("soft_budget", "The soft budget must be lower than the max budget (LiteLLM refuses it).")
        return data

    def _budget_names(self):
        return [f for f in TEAM_BUDGET_FIELDS if f in self.fields]

    def values(self) -> dict:
        names = [k for k in (*self.FIELDS, *self._budget_names()) if k in self.fields]
        values = {k: self.cleaned_data.get(k) for k in names}
        if values.get("model_max_budget") == {}:
            values["model_max_budget"] = {}
        return values

    def changes(self) -> dict:
        changes = changed_values(self, self.shown, [f for f in self.FIELDS if f in self.fields])
        budget = budget_changes(
            {k: self.cleaned_data.get(k) for k in self._budget_names()},
            {k: self.shown.get(k) for k in self._budget_names()},
        )
        return changes | budget


class MemberAddForm(SectionedForm, LimitsMixin, forms.Form):
    """Add by picking an existing person or typing an email (a new person is created)."""

    SECTIONS = (
        ("Person", ("user", "email", "role")),
        ("Budget in this team", (("max_budget_in_team", "budget_duration"),)),
    )

    user = forms.ChoiceField(label="Existing person", required=False)
    email = forms.EmailField(
        label="…or email", required=False, help_text="Someone not in LiteLLM yet is created as an internal user."
    )
    role = forms.ChoiceField(label="Role in team", choices=policy.TEAM_ROLES, initial="user")
    max_budget_in_team = _money_field("Budget in this team (USD)", help_text="Optional; empty uses the team default.")
    budget_duration = _duration_field(label="Member budget resets every")

    def __init__(self, *args, user_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "— choose —")] + user_choices

    def clean(self):
        data = super().clean()
        if not data.get("user") and not data.get("email") and not self.has_error("email"):
            raise ValidationError("Choose a person or enter an email address.")
        if data.get("user") and data.get("email"):
            raise ValidationError("Choose a person or enter an email, not both.")
        return data


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=policy.TEAM_ROLES)


MEMBER_BUDGET_FIELDS = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")


class MemberBudgetForm(ShownValuesMixin, BudgetFieldsMixin):
    """A member's own budget in a team (/team/member_update's budget fields)."""

    budget_field_names = MEMBER_BUDGET_FIELDS

    def __init__(self, *args, budget=None, scope_id: str = "", **kwargs):
        """`scope_id` names the membership ("team_id:user_id") the signed values belong to."""
        if budget is not None:
            kwargs["initial"] = {f: getattr(budget, f) for f in MEMBER_BUDGET_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields["max_budget"].label = "Budget in this team (USD)"
        self.budget = budget
        self.track_shown({f: getattr(budget, f, None) for f in MEMBER_BUDGET_FIELDS}, scope_id)

    def patch(self) -> dict:
        before = {f: self.shown.get(f) for f in MEMBER_BUDGET_FIELDS}
        changes = budget_changes({f: self.cleaned_data.get(f) for f in MEMBER_BUDGET_FIELDS}, before)
        return changes


# --- organizations ---------------------------------------------------------------------------


# The org's budget-row fields, as the service writes them (one list for both).
ORG_BUDGET_FIELDS = services.ORG_BUDGET_FIELDS


class OrgForm(ShownValuesMixin, SectionedForm, BudgetFieldsMixin):
    """/organization/new and /update: alias and models on the org; limits on its budget row."""

    SECTIONS = (("Organization", ("organization_alias", "models")), *BUDGET_SECTIONS)

    budget_field_names = ORG_BUDGET_FIELDS
    organization_alias = forms.CharField(label="Organization name")
    models = ModelsField()
    ORG_FIELDS = ("organization_alias", "models")
    BUDGET_FIELDS = ORG_BUDGET_FIELDS

    def __init__(self, *args, instance=None, budget=None, **kwargs):
        if instance is not None:
            initial = {f: getattr(instance, f) for f in self.ORG_FIELDS}
            if budget is not None:
                initial |= {f: getattr(budget, f) for f in self.BUDGET_FIELDS}
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.instance, self.budget = instance, budget
        self.order_fields([*self.ORG_FIELDS, *self.BUDGET_FIELDS])
        if instance is not None:
            shown = {f: getattr(instance, f) for f in self.ORG_FIELDS}
            shown |= {f: getattr(budget, f, None) for f in self.BUDGET_FIELDS}
            self.track_shown(shown, instance.organization_id)

    def clean(self):
        data = super().clean()
        soft, hard = data.get("soft_budget"), data.get("max_budget")
        if soft is not None and hard is not None and soft >= hard:
            self.add_error("soft_budget", "The soft budget must be lower than the max budget.")
        return data

    def budget_values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.BUDGET_FIELDS}

    def changes(self) -> tuple[dict, dict]:
        org = changed_values(self, self.shown, self.ORG_FIELDS)
        before = {f: self.shown.get(f) for f in self.BUDGET_FIELDS}
        budget = budget_changes(self.budget_values(), before)
        return org, budget


class OrgMemberAddForm(forms.Form):
    user = forms.ChoiceField(label="Existing person", required=False)
    email = forms.EmailField(label="…or email", required=False, help_text="Someone new is created as an internal user.")
    role = forms.ChoiceField(label="Role in organization", choices=policy.ORG_ROLES, initial=policy.INTERNAL_USER)

    def __init__(self, *args, user_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "— choose —")] + user_choices

    def clean(self):
        data = super().clean()
        if not data.get("user") and not data.get("email") and not self.has_error("email"):
            raise ValidationError("Choose a person or enter an email address.")
        return data


class OrgMemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=policy.ORG_ROLES)


# --- end users -------------------------------------------------------------------------------

REGIONS = [("", "Any region"), ("eu", "EU"), ("us", "US")]


class EndUserForm(ShownValuesMixin, forms.Form):
    alias = forms.CharField(required=False, label="Alias")
    allowed_model_region = forms.ChoiceField(choices=REGIONS, required=False, label="Allowed model region")
    default_model = forms.CharField(required=False, label="Default model")
    budget_id = forms.ChoiceField(required=False, label="Budget")
    FIELDS = ("alias", "allowed_model_region", "default_model", "budget_id")

    def __init__(self, *args, instance, **kwargs):
        kwargs["initial"] = {f: getattr(instance, f) for f in self.FIELDS}
        super().__init__(*args, **kwargs)
        self.instance = instance
        budgets = BudgetTable.objects.order_by("budget_id").values_list("budget_id", "max_budget")[:500]
        choices = [("", "No budget")] + [(b, f"{b} (max ${m:,.2f})" if m is not None else b) for b, m in budgets]
        if instance.budget_id and instance.budget_id not in dict(choices):
            choices.append((instance.budget_id, instance.budget_id))  # keep the current link selectable
        self.fields["budget_id"].choices = choices
        self.track_shown({f: getattr(instance, f) for f in self.FIELDS}, instance.user_id)

    def changes(self) -> dict:
        return changed_values(self, self.shown, self.FIELDS)


# --- invitations -----------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email")
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
