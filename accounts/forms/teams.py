"""The team forms: settings, adding a member, a member's role and a member's own budget."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from budgets.forms import BudgetFieldsMixin, budget_changes
from config import policy, writes
from config.forms import ShownValuesMixin
from config.validation import LimitedEmailField, NameField

from ..models import TeamTable
from ..services import team_settings
from .fields import (
    BUDGET_SECTIONS,
    LimitsMixin,
    ModelsField,
    SectionedForm,
    _duration_field,
    _limit_field,
    _money_field,
    _org_choices,
    changed_values,
)
from .team_fields import MEMBER_DEFAULT_SECTION, TeamMetadataField, clean_member_duration, permissions_field

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

    SECTIONS = (
        ("Team", ("team_alias", "organization_id", "models", "blocked")),
        *BUDGET_SECTIONS,
        MEMBER_DEFAULT_SECTION,
        ("Member permissions", ("team_member_permissions",)),
        ("Metadata", ("metadata",)),
    )

    budget_field_names = TEAM_BUDGET_FIELDS
    team_alias = NameField(label="Team name")
    organization_id = forms.ChoiceField(label="Organization", required=False)
    models = ModelsField()
    blocked = forms.BooleanField(
        label="Blocked", required=False, help_text="Every key of a blocked team is refused by the proxy."
    )
    team_member_budget = _money_field(
        "Budget per member (USD)", help_text="Each member's cap unless they have their own. Empty: none."
    )
    team_member_budget_duration = _duration_field(
        label="Member budgets reset every", help_text="Empty: as the team's budget (when the default is first set)."
    )
    team_member_tpm_limit = _limit_field("Member tokens per minute", help_text="Empty: no limit.")
    team_member_rpm_limit = _limit_field("Member requests per minute", help_text="Empty: no limit.")
    metadata = TeamMetadataField()
    FIELDS = ("team_alias", "organization_id", "models", "blocked")
    EXTRA_FIELDS = ("metadata", "team_member_permissions", *team_settings.MEMBER_DEFAULT_FIELDS)

    def __init__(self, *args, principal, instance: TeamTable | None = None, **kwargs):
        names = tuple(f for f in TEAM_BUDGET_FIELDS if f != "soft_budget" or TeamTable.has_column("soft_budget"))
        extra = {}
        if instance is not None:
            extra = {
                "metadata": team_settings.editable_metadata(instance.metadata),
                **team_settings.member_default_shown(instance),
            }
            if team_settings.has_member_permissions():
                extra["team_member_permissions"] = list(instance.team_member_permissions or [])
            kwargs["initial"] = {name: getattr(instance, name) for name in (*self.FIELDS, *names)} | extra
        super().__init__(*args, budget_field_names=names, **kwargs)
        self.instance = instance
        if instance is not None and team_settings.has_member_permissions():
            self.fields["team_member_permissions"] = permissions_field()
        if instance is not None:
            self.track_shown({n: getattr(instance, n) for n in (*self.FIELDS, *names)} | extra, instance.team_id)
        choices = _org_choices(principal, blank="No organization" if principal.can_place_outside_orgs() else None)
        if instance is not None and instance.organization_id and instance.organization_id not in dict(choices):
            choices.append((instance.organization_id, instance.organization_id))
        self.fields["organization_id"].choices = choices
        if not principal.can_place_outside_orgs():
            self.fields["organization_id"].required = True
        if instance is None:
            del self.fields["blocked"]
        self.order_fields(["team_alias", "organization_id", "models", *names, "blocked", *self.EXTRA_FIELDS])

    def clean_team_member_budget_duration(self):
        return clean_member_duration(self.cleaned_data.get("team_member_budget_duration"))

    def clean_team_alias(self):
        alias = self.cleaned_data["team_alias"].strip()
        if alias == policy.UI_SESSION_TEAM_ID:
            raise ValidationError("This name is reserved for the proxy's UI sessions.")
        return alias

    def clean_organization_id(self):
        return self.cleaned_data.get("organization_id") or None

    def _budget_names(self):
        return [f for f in TEAM_BUDGET_FIELDS if f in self.fields]

    def values(self) -> dict:
        names = [k for k in (*self.FIELDS, *self._budget_names()) if k in self.fields]
        values = {k: self.cleaned_data.get(k) for k in names}
        if values.get("model_max_budget") == {}:
            values["model_max_budget"] = {}
        if self.cleaned_data.get("metadata"):
            values["metadata"] = self.cleaned_data["metadata"]
        for name in team_settings.MEMBER_DEFAULT_FIELDS:
            if self.cleaned_data.get(name) not in (None, ""):
                values[name] = self.cleaned_data[name]
        return values

    def changes(self) -> dict:
        changes = changed_values(self, self.shown, [f for f in self.FIELDS if f in self.fields])
        for name in self.EXTRA_FIELDS:
            if name not in self.fields:
                continue
            new = self.cleaned_data.get(name)
            if name == "metadata":
                new = new or {}
            elif name == "team_member_permissions":
                new = list(new or [])
            elif new == "":
                new = None
            if not writes.same_value(new, self.shown.get(name)):
                changes[name] = new
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
    email = LimitedEmailField(
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
