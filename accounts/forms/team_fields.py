"""The team form's extra fields: metadata as JSON, member permissions, the default member budget."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError

from budgets.durations import validate_budget_duration
from config import validation

from ..services import team_settings

MEMBER_DEFAULT_SECTION = (
    "Default member budget",
    (("team_member_budget", "team_member_budget_duration"), ("team_member_tpm_limit", "team_member_rpm_limit")),
)

METADATA_HELP = (
    'A JSON object, e.g. {"cost_center": "ml-42"}. Empty: {}. LiteLLM\'s own keys '
    f"({', '.join(team_settings.RESERVED_METADATA_KEYS)}) are kept as they are and cannot be set here."
)


class TeamMetadataField(forms.CharField):
    """TeamTable.metadata edited as one JSON object, refused (with a message) where jsonb would
    refuse it (config/validation.py::parse_json) or where it names one of LiteLLM's reserved keys."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Metadata (JSON)")
        kwargs.setdefault("help_text", METADATA_HELP)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}))
        super().__init__(strip=True, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False) if value else ""
        return value

    def to_python(self, value) -> dict:
        if isinstance(value, dict):
            return value
        text = super().to_python(value)
        if not text:
            return {}
        try:
            parsed = validation.parse_json(text)
        except validation.UnstorableJSON as exc:
            raise ValidationError(str(exc)) from None
        except ValueError as exc:
            raise ValidationError(f"Not valid JSON: {exc}.") from None
        if not isinstance(parsed, dict):
            raise ValidationError('Metadata must be a JSON object: {"name": value, ...}.')
        reserved = sorted(set(parsed) & set(team_settings.RESERVED_METADATA_KEYS))
        if reserved:
            raise ValidationError(
                f"{', '.join(reserved)} is kept by LiteLLM (the default member budget, the proxy's encrypted "
                "logging settings) and cannot be set here; leave it out, the stored value stays."
            )
        return parsed


def permissions_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        required=False,
        label="What members (not admins) may do with the team's keys",
        choices=[(value, f"{label} ({value})") for value, label in team_settings.TEAM_MEMBER_PERMISSIONS],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-list"}),
        help_text="Viewing a key (/key/info, /key/health) is always allowed; team admins may do everything.",
    )


def clean_member_duration(value) -> str | None:
    value = (value or "").strip()
    return validate_budget_duration(value) if value else None
