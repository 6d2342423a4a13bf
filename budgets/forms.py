"""One budget editor for every budgeted thing: keys, users, teams, team members, orgs, end
users and LiteLLM_BudgetTable rows.

`BudgetFieldsMixin` adds the fields; `budget_changes()` turns the cleaned form into only the
columns that changed (the services set `budget_reset_at` from them); and
`budget_consequences()` (budgets/consequences.py, re-exported here) says what the change will
mean before it is saved.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from config.forms import ShownValuesMixin
from config.validation import soft_budget_problem
from config.writes import same_value

from . import duration_hints, durations
from .consequences import budget_consequences  # callers import it from here too
from .widgets import DurationInput, ModelBudgetEditor, budget_rows

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


def plain_number(value: float) -> str:
    """25.0 -> "25", 0.5 -> "0.5" (what a person typed, not a float's repr)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


# Columns the editor may write, in form order. `budget_reset_at` follows budget_duration.
BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


class ModelMaxBudgetField(forms.Field):
    """Cleans the editor's rows into LiteLLM's model_max_budget dict:
    {"gpt-4o": {"max_budget": 10.0, "budget_duration": "1d"}} (duration only when given)."""

    widget = ModelBudgetEditor
    default_error_messages = {
        "missing_model": "Row {row}: name the model, or clear the row.",
        "missing_budget": "Row {row} ({model}): give a max budget in USD.",
        "bad_budget": "Row {row} ({model}): the max budget must be a number of dollars, 0 or more.",
        "bad_duration": "Row {row} ({model}): {message}",
        "duplicate": "{model} appears twice; give each model one row.",
    }

    def __init__(self, *, model_choices=(), **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", ModelBudgetEditor(model_choices=model_choices))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return budget_rows(value)

    def to_python(self, value) -> dict:
        if isinstance(value, dict):
            return value
        result: dict[str, dict] = {}
        errors = []
        for index, row in enumerate(value or [], start=1):
            model, budget, duration = row.get("model", ""), row.get("max_budget", ""), row.get("duration", "")
            if not (model or budget or duration):
                continue  # an empty spare row
            if not model:
                errors.append(self.error_messages["missing_model"].format(row=index))
                continue
            if model in result:
                errors.append(self.error_messages["duplicate"].format(model=model))
                continue
            if budget == "":
                errors.append(self.error_messages["missing_budget"].format(row=index, model=model))
                continue
            try:
                amount = float(budget)
            except ValueError:
                amount = -1.0
            if not math.isfinite(amount) or amount < 0:
                errors.append(self.error_messages["bad_budget"].format(row=index, model=model))
                continue
            config: dict[str, Any] = {"max_budget": amount}
            if duration:
                # The same grammar (and limits) as every other budget duration.
                problem = durations.budget_duration_error(duration)
                if problem:
                    errors.append(self.error_messages["bad_duration"].format(row=index, model=model, message=problem))
                    continue
                config["budget_duration"] = duration
            result[model] = config
        if errors:
            raise ValidationError(errors)
        return result


class BudgetFieldsMixin(forms.Form):
    """Budget and limit fields, validated as LiteLLM validates them.

    Subclasses (or callers) choose which apply with `budget_field_names` (e.g. keys have no
    soft_budget column: a key's soft budget lives in a linked BudgetTable row).
    """

    budget_field_names: tuple[str, ...] = BUDGET_FIELDS

    max_budget = forms.FloatField(
        required=False,
        min_value=0,
        label="Max budget (USD)",
        help_text="Hard cap: requests are refused once spend reaches it. Empty means no cap.",
        widget=forms.NumberInput(attrs={"step": "any", "placeholder": "Unlimited"}),
    )
    soft_budget = forms.FloatField(
        required=False,
        min_value=0,
        label="Soft budget (USD)",
        help_text="Sends an alert when spend passes it; never blocks requests.",
        widget=forms.NumberInput(attrs={"step": "any", "placeholder": "None"}),
    )
    budget_duration = forms.CharField(
        required=False,
        label="Budget resets every",
        help_text=duration_hints.budget_duration_help(),
        widget=DurationInput(attrs={"placeholder": "e.g. 30d", "autocomplete": "off"}),
    )
    tpm_limit = forms.IntegerField(
        required=False, min_value=0, max_value=BIGINT_MAX, label="Tokens per minute (TPM)", help_text="Empty: no limit."
    )
    rpm_limit = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=BIGINT_MAX,
        label="Requests per minute (RPM)",
        help_text="Empty: no limit.",
    )
    max_parallel_requests = forms.IntegerField(
        required=False, min_value=0, max_value=INT_MAX, label="Max parallel requests", help_text="Empty: no limit."
    )
    model_max_budget = ModelMaxBudgetField(
        label="Per-model budgets",
        help_text="Cap spend on single models, each with its own optional reset period. (LiteLLM's own API "
        "accepts per-model budgets only with an enterprise licence.)",
    )

    def __init__(self, *args, budget_field_names: tuple[str, ...] | None = None, model_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(budget_field_names or self.budget_field_names)
        for name in BUDGET_FIELDS:
            if name not in keep:
                self.fields.pop(name, None)
        for name in ("max_budget", "soft_budget"):
            value = self.initial.get(name)
            if isinstance(value, float):
                self.initial[name] = plain_number(value)
        if "model_max_budget" in self.fields and model_choices:
            self.fields["model_max_budget"].widget.model_choices = list(model_choices)

    def clean_budget_duration(self) -> str | None:
        value = (self.cleaned_data.get("budget_duration") or "").strip()
        if not value:
            return None
        return durations.validate_budget_duration(value)

    def clean(self):
        data = super().clean()
        problem = soft_budget_problem(data.get("soft_budget"), data.get("max_budget"))
        if problem and "soft_budget" in self.fields:
            self.add_error("soft_budget", problem)
        return data


# --- What to write ---------------------------------------------------------------------------


def _normalized(name: str, value):
    if value == "":
        return None
    if name == "model_max_budget":
        return value or {}
    if name in ("max_budget", "soft_budget") and value is not None:
        return float(value)
    return value


def _merge_model_extras(new: dict, old) -> dict:
    """Keep per-model settings the editor does not show (tpm_limit/rpm_limit set by the API)
    for the models that stay, so saving the form does not silently drop them."""
    if not isinstance(old, dict):
        return new
    merged = {}
    for model, config in new.items():
        previous = old.get(model)
        extras = {}
        if isinstance(previous, dict):
            extras = {k: v for k, v in previous.items() if k in ("tpm_limit", "rpm_limit")}
        merged[model] = {**config, **extras}
    return merged


def _canonical_model_budgets(stored) -> dict:
    """A stored model_max_budget in the spelling the editor writes ({"budget_limit",
    "time_period"} -> {"max_budget", "budget_duration"})."""
    result = {}
    for row in budget_rows(stored):
        config: dict[str, Any] = {"max_budget": float(row["max_budget"])} if row["max_budget"] != "" else {}
        if row["duration"]:
            config["budget_duration"] = row["duration"]
        result[row["model"]] = config
    return result


def budget_changes(
    cleaned_data: dict[str, Any], instance_values: dict[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """The budget columns whose value changed, ready for writes.update_row().

    Only fields present in `cleaned_data` are considered. `budget_reset_at` is not here: the
    service that writes a changed `budget_duration` sets it (so every caller gets one rule).

    litellm-compat: an edit that leaves budget_duration as it was does NOT count as re-sending it.
    LiteLLM's UI re-sends every field, and for the same duration LiteLLM (1.108.11,
    timezone_utils.py::keeps_due_budget_reset via key_management_endpoints.py::prepare_key_update_data,
    team_endpoints.py::_set_budget_reset_at, internal_user_endpoints.py::user_update) keeps a *due*
    budget_reset_at and recomputes a future one with get_budget_reset_time. The recompute is aligned
    (next midnight / Monday / 1st at budget_reset_time), so it only moves the reset when the
    proxy's timezone or budget_reset_time changed since it was stored; the console keeps the stored
    reset in both cases, as an API caller sending only the changed fields (exclude_unset) gets it."""
    changes: dict[str, Any] = {}
    for name in BUDGET_FIELDS:
        if name not in cleaned_data:
            continue
        new = _normalized(name, cleaned_data[name])
        old = _normalized(name, instance_values.get(name))
        if name == "model_max_budget":
            new = _merge_model_extras(new, instance_values.get(name))
            if new == (old or {}) or new == _merge_model_extras(_canonical_model_budgets(old), old):
                continue  # same budgets, perhaps in LiteLLM's legacy spelling: leave the row alone
        elif new == old:
            continue
        changes[name] = new
    return changes


# --- The team member budget matrix -------------------------------------------------------------


class MemberBudgetMatrixForm(ShownValuesMixin, forms.Form):
    """One row per team member (max budget, reset period), plus "apply to ticked members".

    Field names carry the member's row number; `changes()` returns {user_id: patch} holding only
    what this person changed relative to what each row showed (signed, ShownValuesMixin),
    ready for team_member_set_budget; a member who joined after the page was opened is left
    alone."""

    apply_max_budget = forms.FloatField(
        required=False, min_value=0, label="Max budget (USD)", widget=forms.NumberInput(attrs={"step": "any"})
    )
    apply_budget_duration = forms.CharField(
        required=False, label="Resets every", widget=DurationInput(attrs={"placeholder": "e.g. 30d", "size": 8})
    )

    def __init__(self, *args, members, team_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.track_shown(
            {m.user_id: {"max_budget": m.max_budget, "budget_duration": m.budget_duration} for m in self.members},
            team_id,
        )
        for member in self.members:
            self.fields[f"max_budget__{member.user_id}"] = forms.FloatField(
                required=False,
                min_value=0,
                label=f"Max budget for {member.email or member.user_id}",
                initial=None if member.max_budget is None else plain_number(member.max_budget),
                widget=forms.NumberInput(attrs={"step": "any", "placeholder": "no cap"}),
            )
            self.fields[f"budget_duration__{member.user_id}"] = forms.CharField(
                required=False,
                label=f"Reset period for {member.email or member.user_id}",
                initial=member.budget_duration or "",
                widget=forms.TextInput(attrs={"placeholder": "never", "size": 8}),
            )

    def clean(self):
        cleaned = super().clean()
        for name in [n for n in self.fields if n.startswith("budget_duration__")] + ["apply_budget_duration"]:
            value = (cleaned.get(name) or "").strip()
            if not value:
                cleaned[name] = None
                continue
            try:
                cleaned[name] = durations.validate_budget_duration(value)
            except ValidationError as error:
                self.add_error(name, error)
        picked = self.picked()
        applying = self.data.get("apply_max_budget", "") != "" or self.data.get("apply_budget_duration", "") != ""
        if applying and not picked and "apply" in self.data:
            raise ValidationError("Tick the members to apply the budget to.")
        if "apply" in self.data:
            for user_id in picked:
                if self.data.get("apply_max_budget", "") != "":
                    cleaned[f"max_budget__{user_id}"] = cleaned.get("apply_max_budget")
                if self.data.get("apply_budget_duration", "") != "":
                    cleaned[f"budget_duration__{user_id}"] = cleaned.get("apply_budget_duration")
        return cleaned

    def picked(self) -> list[str]:
        """User ids of the ticked members (checkboxes named "pick")."""
        values = set(self.data.getlist("pick")) if hasattr(self.data, "getlist") else set()
        return [m.user_id for m in self.members if m.user_id in values]

    def rows(self):
        """(member, max budget field, duration field, ticked) for the template."""
        picked = set(self.picked()) if self.is_bound else set()
        return [
            (m, self[f"max_budget__{m.user_id}"], self[f"budget_duration__{m.user_id}"], m.user_id in picked)
            for m in self.members
        ]

    def changes(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for member in self.members:
            shown = self.shown.get(member.user_id)
            if not isinstance(shown, dict):
                continue  # not on the page this person saw
            patch: dict[str, Any] = {}
            new_max = self.cleaned_data.get(f"max_budget__{member.user_id}")
            new_duration = self.cleaned_data.get(f"budget_duration__{member.user_id}")
            if not same_value(new_max, shown.get("max_budget")):
                patch["max_budget"] = new_max
            if not same_value(new_duration, shown.get("budget_duration")):
                patch["budget_duration"] = new_duration
            if patch:
                result[member.user_id] = patch
        return result

    def expected(self) -> dict[str, dict[str, Any]]:
        """What each changed member's row showed, for team_member_budgets_update(expected=)."""
        return {
            user_id: {name: self.shown[user_id].get(name) for name in patch}
            for user_id, patch in self.changes().items()
        }

    def consequences(self) -> list[str]:
        lines = []
        by_id = {m.user_id: m for m in self.members}
        for user_id, patch in self.changes().items():
            member = by_id[user_id]
            who = member.email or user_id
            new_max = patch.get("max_budget", member.max_budget)
            duration = patch.get("budget_duration", member.budget_duration)
            reset_at = member.reset_at if "budget_duration" not in patch else None
            for line in budget_consequences(member.spend, new_max, duration, reset_at=reset_at):
                lines.append(f"{who}: {line}")
            if member.shared:
                lines.append(
                    f"{who}: gets a private copy of the team's default member budget (the shared row is not changed)."
                )
        return lines
