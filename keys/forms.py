"""Key forms: the fields LiteLLM's own "Create key" offers, plus the shared budget editor."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from accounts.models import TeamTable, UserTable
from budgets import duration_hints, durations
from budgets.forms import BudgetFieldsMixin
from budgets.widgets import KeyValueEditor
from config import validation
from config.forms import ShownValuesMixin

from . import access, selectors
from .form_access import KeyAccessFieldsMixin

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


class KeyFormBase(KeyAccessFieldsMixin, BudgetFieldsMixin):
    budget_field_names = KEY_BUDGET_FIELDS

    key_alias = validation.NameField(
        label="Key name (alias)", help_text="Shown in lists and usage. Must be unique across all keys."
    )
    team_id = forms.ChoiceField(label="Team", required=False)
    # A comma-separated text input; console.js turns it into a searchable picker fed by
    # keys:key_models (a team may hold thousands of names: none are rendered into the page).
    models = forms.CharField(
        label="Models",
        required=False,
        help_text="Empty: every model the team (or the owner) may use.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. gpt-4o, claude-3-5-sonnet"}),
    )
    metadata = MetadataField(label="Metadata", help_text="Free-form labels stored with the key (JSON object).")

    field_order = [
        "key_alias",
        "owner",
        "team_id",
        "service_account",
        "key_type",
        "tags",
        "models",
        "allowed_routes",
        "max_budget",
        "soft_budget",
        "budget_duration",
        "model_max_budget",
        "tpm_limit",
        "rpm_limit",
        "max_parallel_requests",
        "duration",
        "auto_rotate",
        "rotation_interval",
        "metadata",
    ]

    def __init__(self, *args, principal, key=None, **kwargs):
        self.principal = principal
        self.key = key
        current_models = list(getattr(key, "models", None) or [])
        super().__init__(*args, model_choices=current_models, **kwargs)
        teams = selectors.key_team_choices(principal)
        if key is not None and key.team_id and key.team_id not in dict(teams):
            teams.append((key.team_id, key.team_id))
        self.fields["team_id"].choices = [("", "No team (personal key)")] + teams
        self.fields["models"].widget.attrs.update(
            {"data-model-picker": "", "data-models-url": reverse("keys:key_models"), "data-team-select": "#id_team_id"}
        )
        if key is not None:
            self.initial.setdefault("models", ", ".join(current_models))
        self.add_access_fields(create=key is None)
        self.order_fields(self.field_order)

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

    def clean_models(self) -> list[str]:
        names = [m.strip() for m in (self.cleaned_data.get("models") or "").split(",")]
        return list(dict.fromkeys(m for m in names if m))

    def clean(self):
        cleaned = super().clean()
        if "models" in cleaned and "team_id" in cleaned:
            self._check_grantable(cleaned["models"], cleaned["team_id"])
        self.clean_access(cleaned)
        return cleaned

    def _check_grantable(self, models: list[str], team_id: str | None) -> None:
        """The picker only suggests; this decides. A name the key already holds (same team)
        stays allowed: keeping it grants nothing new."""
        team = TeamTable.objects.filter(team_id=team_id).first() if team_id else None
        scope = selectors.grantable_models(self.principal, team)
        kept = set(self.key.models or []) if self.key is not None and self.key.team_id == team_id else set()
        refused = [m for m in models if m not in kept and not scope.allows(m)]
        if refused:
            names = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if len(refused) > 5 else "")
            self.add_error("models", f"You may not give this key {names}: not among the models of {scope.owner_label}.")


class KeyCreateForm(KeyFormBase):
    owner = validation.NameField(
        label="Owner",
        required=False,
        help_text="Email or user id of the person the key belongs to. Empty: no owner (a service key).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "someone@example.com"}),
    )
    duration = forms.CharField(
        label="Expires after",
        required=False,
        help_text=duration_hints.expiry_help(),
        widget=forms.TextInput(attrs={"placeholder": "never"}),
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, principal=principal, **kwargs)
        if not self.may_choose_owner(principal):
            # Internal users make keys for themselves, as in LiteLLM's UI.
            del self.fields["owner"]

    @staticmethod
    def may_choose_owner(principal) -> bool:
        return principal.can_choose_key_owner()

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
            **self.access_data(),
        )
        if data["service_account"]:
            data["user_id"] = None  # generate_service_account_key_fn: data.user_id = None
        return data


# What the edit form shows and compares with the row when saved (column names; soft_budget
# lives on the key's budget row).
KEY_SHOWN_FIELDS = (
    "key_alias",
    "team_id",
    "models",
    "metadata",
    "allowed_routes",
    "auto_rotate",
    "rotation_interval",
) + KEY_BUDGET_FIELDS


class KeyEditForm(ShownValuesMixin, KeyFormBase):
    new_duration = forms.CharField(
        label="Extend expiry",
        required=False,
        help_text="Sets the key to expire this long from now. "
        + duration_hints.expiry_help(empty="keep the current expiry"),
        widget=forms.TextInput(attrs={"placeholder": "keep"}),
    )

    def __init__(self, *args, principal, key, soft_budget=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in ("key_alias", "team_id") + KEY_BUDGET_FIELDS:
            if name != "soft_budget":
                initial.setdefault(name, getattr(key, name))
        # Tags have their own field; service_account_id is immutable (shown on the key's page).
        hidden = ("tags",) + access.RESERVED_METADATA
        initial.setdefault("metadata", {k: v for k, v in (key.metadata or {}).items() if k not in hidden})
        initial.setdefault("soft_budget", soft_budget)
        self.soft_budget_before = soft_budget
        super().__init__(*args, principal=principal, key=key, **kwargs)
        self.fields["key_alias"].required = bool(key.key_alias)
        shown = {name: getattr(key, name) for name in KEY_SHOWN_FIELDS if name != "soft_budget"}
        self.track_shown({**shown, "soft_budget": soft_budget}, key.token)

    def clean_key_alias(self) -> str | None:
        if not (self.cleaned_data.get("key_alias") or "").strip():
            return None
        return super().clean_key_alias()

    def clean_new_duration(self) -> str | None:
        value = (self.cleaned_data.get("new_duration") or "").strip()
        return durations.validate_expiry_duration(value) if value else None

    def changes(self) -> dict:
        """Only the columns this person changed relative to what the form showed them (budget
        ones via budgets.forms.budget_changes); what someone else changed meanwhile is theirs."""
        from budgets.forms import budget_changes

        shown = self.shown
        cleaned = self.cleaned_data
        changes = self.changed_from_shown(("key_alias", "team_id"))
        if list(cleaned["models"]) != list(shown.get("models") or []):
            changes["models"] = cleaned["models"]
        before_metadata = shown.get("metadata") or {}
        metadata = access.with_tags(cleaned.get("metadata") or {}, cleaned.get("tags") or [])
        metadata.update({k: before_metadata[k] for k in access.RESERVED_METADATA if k in before_metadata})
        if metadata != before_metadata:
            changes["metadata"] = metadata
        changes.update(self.access_changes(shown))
        before = {name: shown.get(name) for name in KEY_BUDGET_FIELDS}
        budget_cleaned = {name: cleaned.get(name) for name in KEY_BUDGET_FIELDS if name in self.fields}
        changes.update(budget_changes(budget_cleaned, before))
        if cleaned.get("new_duration"):
            changes["expires"] = durations.key_expires(cleaned["new_duration"])
        return changes
