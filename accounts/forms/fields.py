"""Shared pieces of the people forms: the models list field, money and duration fields, the
sectioned layout (inc/form_fields.html), scoped choice lists and "what changed"."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse_lazy

from budgets.duration_hints import budget_duration_help
from budgets.durations import validate_budget_duration
from config import writes

from ..models import OrganizationTable, TeamTable

MODELS_HELP = "Model names separated by commas. Empty means all models the proxy allows."


class ModelsField(forms.CharField):
    """A text[] of model names typed as "gpt-4o, claude-3" (empty = [])."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", MODELS_HELP)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "gpt-4o, gpt-4o-mini"}))
        super().__init__(**kwargs)
        # The searchable picker (static/console/console.js) over the deployments' public names
        # and access groups (deployments:model_choices); the text stays the form value.
        choices_url = reverse_lazy("deployments:model_choices")
        self.widget.attrs.update({"data-model-picker": "", "data-models-url": choices_url})

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
        help_text=kwargs.pop("help_text", None) or budget_duration_help(),
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
