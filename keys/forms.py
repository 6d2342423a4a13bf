"""Key forms: the fields LiteLLM's own "Create key" offers, plus the shared budget editor."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import UserTable
from budgets import durations
from budgets.forms import BudgetFieldsMixin
from budgets.widgets import KeyValueEditor
from config import validation

from . import selectors

# LiteLLM's special model names (_types.py::SpecialModelNames) offered next to real models.
SPECIAL_MODELS = {
    "all-team-models": "All team models",
    "all-proxy-models": "All proxy models",
    "no-default-models": "No default models",
}

# Keys carry no soft_budget column, but LiteLLM keeps one in a linked budget row.
KEY_BUDGET_FIELDS = (
    "max_budget",
    "soft_budget",
    "budget_duration",
    "tpm_limit",
    "rpm_limit",
    "max_parallel_requests",
    "model_max_budget",
)


class MetadataField(forms.Field):
    """A JSON object edited as name/value rows."""

    widget = KeyValueEditor

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> dict:
        if isinstance(value, dict):
            return value
        result: dict = {}
        errors = []
        for row in value or []:
            name, text = row.get("name", ""), row.get("value", "")
            if not name and not text:
                continue
            if not name:
                errors.append(f"The value {text!r} needs a name.")
                continue
            if name in result:
                errors.append(f"{name!r} appears twice.")
                continue
            try:
                result[name] = validation.parse_json(text)
            except validation.UnstorableJSON as exc:
                errors.append(f"{name!r}: {exc}")
            except ValueError:
                result[name] = text
        problem = validation.json_problem(result)
        if problem:
            errors.append(problem)
        if errors:
            raise forms.ValidationError(errors)
        return result


def _alias_problem(alias: str) -> str | None:
    """_validate_key_alias_format: no control characters, no ".." path segment."""
    if re.search(r"[\x00-\x1f\x7f]", alias):
        return "The alias may not contain control characters such as tabs or newlines."
    if ".." in alias.split("/"):
        return 'The alias may not contain a ".." path segment.'
    return None


class KeyFormBase(BudgetFieldsMixin):
    budget_field_names = KEY_BUDGET_FIELDS

    key_alias = forms.CharField(
        label="Key name (alias)",
        max_length=255,
        help_text="Shown in lists and usage. Must be unique across all keys.",
    )
    team_id = forms.ChoiceField(label="Team", required=False)
    models = forms.MultipleChoiceField(
        label="Models",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text="None ticked: every model the team (or the owner) may use.",
    )
    extra_models = forms.CharField(
        label="Other models",
        required=False,
        help_text="Model names not listed above, separated by commas.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. my-fine-tune, azure/gpt-4o"}),
    )
    metadata = MetadataField(label="Metadata", help_text="Free-form labels stored with the key (JSON object).")

    field_order = [
        "key_alias",
        "owner",
        "team_id",
        "models",
        "extra_models",
        "max_budget",
        "soft_budget",
        "budget_duration",
        "model_max_budget",
        "tpm_limit",
        "rpm_limit",
        "max_parallel_requests",
        "duration",
        "metadata",
    ]

    def __init__(self, *args, principal, key=None, **kwargs):
        self.principal = principal
        self.key = key
        current_models = list(getattr(key, "models", None) or [])
        known = selectors.known_models(current_models)
        super().__init__(*args, model_choices=known, **kwargs)
        teams = selectors.team_choices(principal)
        if not principal.sees_everything and not principal.is_org_admin:
            teams = [(t, a) for t, a in teams if t in principal.team_ids]
        if key is not None and key.team_id and key.team_id not in dict(teams):
            teams.append((key.team_id, key.team_id))
        self.fields["team_id"].choices = [("", "No team (personal key)")] + teams
        listed = known + list(SPECIAL_MODELS)
        self.fields["models"].choices = [(m, m) for m in known] + list(SPECIAL_MODELS.items())
        if key is not None:
            self.initial.setdefault("models", [m for m in current_models if m in listed])
            self.initial.setdefault("extra_models", ", ".join(m for m in current_models if m not in listed))

    def clean_key_alias(self) -> str:
        alias = self.cleaned_data["key_alias"].strip()
        problem = _alias_problem(alias)
        if problem:
            raise forms.ValidationError(problem)
        from .services import alias_taken

        if alias_taken(alias, except_token=getattr(self.key, "token", None)):
            raise forms.ValidationError(f"A key named {alias!r} already exists. Pick another name.")
        return alias

    def clean_team_id(self) -> str | None:
        return self.cleaned_data.get("team_id") or None

    def clean(self):
        cleaned = super().clean()
        models = list(cleaned.get("models") or [])
        extra = [m.strip() for m in (cleaned.get("extra_models") or "").split(",") if m.strip()]
        cleaned["models"] = models + [m for m in extra if m not in models]
        return cleaned


class KeyCreateForm(KeyFormBase):
    owner = forms.CharField(
        label="Owner",
        required=False,
        help_text="Email or user id of the person the key belongs to. Empty: no owner (a service key).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "someone@example.com"}),
    )
    duration = forms.CharField(
        label="Expires after",
        required=False,
        help_text="e.g. 30d, 12h, 2mo. Empty: the key never expires.",
        widget=forms.TextInput(attrs={"placeholder": "never"}),
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, principal=principal, **kwargs)
        if not self.may_choose_owner(principal):
            # Internal users make keys for themselves, as in LiteLLM's UI.
            del self.fields["owner"]

    @staticmethod
    def may_choose_owner(principal) -> bool:
        return principal.is_proxy_admin or principal.is_org_admin or principal.is_team_admin

    def clean_owner(self) -> str | None:
        text = (self.cleaned_data.get("owner") or "").strip()
        if not text:
            return None
        qs = UserTable.objects.filter(self.principal.users_q())
        match = list(
            qs.annotate(email_lower=Lower("user_email"))
            .filter(Q(user_id=text) | Q(email_lower=text.lower()))
            .values_list("user_id", flat=True)[:2]
        )
        if not match:
            raise forms.ValidationError(f"No user you can see has the email or id {text!r}.")
        if len(match) > 1:
            raise forms.ValidationError("Several users share this email; give the user id instead.")
        return match[0]

    def clean_duration(self) -> str | None:
        value = (self.cleaned_data.get("duration") or "").strip()
        if not value:
            return None
        return durations.validate_expiry_duration(value)

    def service_data(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in KEY_BUDGET_FIELDS}
        owner = self.cleaned_data.get("owner") if "owner" in self.fields else self.principal.user_id
        data.update(
            key_alias=self.cleaned_data["key_alias"],
            user_id=owner,
            team_id=self.cleaned_data.get("team_id"),
            models=self.cleaned_data["models"],
            duration=self.cleaned_data.get("duration"),
            metadata=self.cleaned_data.get("metadata") or {},
        )
        return data


class KeyEditForm(KeyFormBase):
    new_duration = forms.CharField(
        label="Extend expiry",
        required=False,
        help_text="Set the key to expire this long from now (e.g. 30d). Empty: keep the current expiry.",
        widget=forms.TextInput(attrs={"placeholder": "keep"}),
    )

    def __init__(self, *args, principal, key, soft_budget=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in ("key_alias", "team_id", "metadata") + KEY_BUDGET_FIELDS:
            if name != "soft_budget":
                initial.setdefault(name, getattr(key, name))
        initial.setdefault("soft_budget", soft_budget)
        self.soft_budget_before = soft_budget
        super().__init__(*args, principal=principal, key=key, **kwargs)
        self.fields["key_alias"].required = bool(key.key_alias)

    def clean_key_alias(self) -> str | None:
        if not (self.cleaned_data.get("key_alias") or "").strip():
            return None
        return super().clean_key_alias()

    def clean_new_duration(self) -> str | None:
        value = (self.cleaned_data.get("new_duration") or "").strip()
        return durations.validate_expiry_duration(value) if value else None

    def changes(self) -> dict:
        """Only the columns that changed (budget ones via budgets.forms.budget_changes)."""
        from budgets.forms import budget_changes

        key = self.key
        cleaned = self.cleaned_data
        changes: dict = {}
        for name in ("key_alias", "team_id"):
            if cleaned.get(name) != getattr(key, name):
                changes[name] = cleaned.get(name)
        if list(cleaned["models"]) != list(key.models or []):
            changes["models"] = cleaned["models"]
        if (cleaned.get("metadata") or {}) != (key.metadata or {}):
            changes["metadata"] = cleaned.get("metadata") or {}
        before = {name: getattr(key, name) for name in KEY_BUDGET_FIELDS if name != "soft_budget"}
        before["soft_budget"] = self.soft_budget_before
        budget_cleaned = {name: cleaned.get(name) for name in KEY_BUDGET_FIELDS if name in self.fields}
        changes.update(budget_changes(budget_cleaned, before))
        if cleaned.get("new_duration"):
            changes["expires"] = durations.key_expires(cleaned["new_duration"])
        return changes
