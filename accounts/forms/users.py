"""The user forms (create, edit) and the end-user form."""

from __future__ import annotations

from django import forms

from budgets.forms import BudgetFieldsMixin, budget_changes
from budgets.models import BudgetTable
from config import policy
from config.forms import ShownValuesMixin
from config.validation import LimitedEmailField, NameField

from ..models import UserTable
from .fields import BUDGET_SECTIONS, ModelsField, SectionedForm, _org_choices, changed_values

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
    user_email = LimitedEmailField(label="Email")
    user_alias = NameField(label="Display name", required=False)
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


# --- end users -------------------------------------------------------------------------------

REGIONS = [("", "Any region"), ("eu", "EU"), ("us", "US")]


class EndUserForm(ShownValuesMixin, forms.Form):
    alias = NameField(required=False, label="Alias")
    allowed_model_region = forms.ChoiceField(choices=REGIONS, required=False, label="Allowed model region")
    default_model = NameField(required=False, label="Default model")
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
