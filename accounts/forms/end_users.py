"""Creating an end user (/customer/new)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from budgets.models import BudgetTable
from config.validation import NameField

from ..models import EndUserTable
from .fields import LimitsMixin, ModelsField, SectionedForm, _duration_field, _limit_field, _money_field

REGIONS = [("", "Any region"), ("eu", "EU"), ("us", "US")]


def budget_choices(current: str | None = None) -> list[tuple[str, str]]:
    budgets = BudgetTable.objects.order_by("budget_id").values_list("budget_id", "max_budget")[:500]
    choices = [("", "No budget")] + [(b, f"{b} (max ${m:,.2f})" if m is not None else b) for b, m in budgets]
    if current and current not in dict(choices):
        choices.append((current, current))  # keep the current link selectable
    return choices


class EndUserCreateForm(SectionedForm, LimitsMixin, forms.Form):
    """The fields of /customer/new the console offers: either an existing budget or new limits."""

    SECTIONS = (
        ("End user", ("user_id", "alias", "allowed_model_region", "default_model", "models", "blocked")),
        ("Budget", ("budget_id", ("max_budget", "budget_duration"), ("tpm_limit", "rpm_limit"))),
    )

    user_id = NameField(label="End-user id", help_text="The `user` value your apps send with each request.")
    alias = NameField(required=False, label="Alias")
    allowed_model_region = forms.ChoiceField(choices=REGIONS, required=False, label="Allowed model region")
    default_model = NameField(
        required=False, label="Default model", help_text="Used when no model in the allowed region fits."
    )
    models = ModelsField(label="Models", help_text="Model names separated by commas. Empty: no restriction.")
    blocked = forms.BooleanField(required=False, label="Blocked", help_text="The proxy refuses their requests.")
    budget_id = forms.ChoiceField(required=False, label="Existing budget")
    max_budget = _money_field("…or a new max budget (USD)", help_text="A new budget row just for this end user.")
    budget_duration = _duration_field(
        label="New budget resets every", help_text="Counted from now (LiteLLM does not align end-user budgets)."
    )
    tpm_limit = _limit_field("Tokens per minute", help_text="Empty: no limit.")
    rpm_limit = _limit_field("Requests per minute", help_text="Empty: no limit.")

    NEW_BUDGET_FIELDS = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_id"].choices = budget_choices()
        if not EndUserTable.has_column("models"):
            del self.fields["models"]

    def clean(self):
        data = super().clean()
        new = [n for n in self.NEW_BUDGET_FIELDS if data.get(n) not in (None, "")]
        if data.get("budget_id") and new:
            raise ValidationError("Pick an existing budget or set new limits, not both.")
        return data

    def values(self) -> dict:
        values = {k: self.cleaned_data.get(k) for k in self.fields if k != "user_id"}
        values = {k: v for k, v in values.items() if v not in (None, "", [])}
        values["blocked"] = bool(self.cleaned_data.get("blocked"))
        return values
