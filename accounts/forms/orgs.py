"""The organization forms: settings (alias, models, the budget row) and members."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from budgets.forms import BudgetFieldsMixin, budget_changes
from config import policy
from config.forms import ShownValuesMixin
from config.validation import LimitedEmailField, NameField

from .. import services
from .fields import BUDGET_SECTIONS, ModelsField, SectionedForm, changed_values

# The org's budget-row fields, as the service writes them (one list for both).
ORG_BUDGET_FIELDS = services.ORG_BUDGET_FIELDS


class OrgForm(ShownValuesMixin, SectionedForm, BudgetFieldsMixin):
    """/organization/new and /update: alias and models on the org; limits on its budget row."""

    SECTIONS = (("Organization", ("organization_alias", "models")), *BUDGET_SECTIONS)

    budget_field_names = ORG_BUDGET_FIELDS
    organization_alias = NameField(label="Organization name")
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

    def budget_values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.BUDGET_FIELDS}

    def changes(self) -> tuple[dict, dict]:
        org = changed_values(self, self.shown, self.ORG_FIELDS)
        before = {f: self.shown.get(f) for f in self.BUDGET_FIELDS}
        budget = budget_changes(self.budget_values(), before)
        return org, budget


class OrgMemberAddForm(forms.Form):
    user = forms.ChoiceField(label="Existing person", required=False)
    email = LimitedEmailField(
        label="…or email", required=False, help_text="Someone new is created as an internal user."
    )
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
