"""The admin's change form: the editable values as the person loaded them (a signed
`loaded_state`), LiteLLM's empty JSON values, budget durations in LiteLLM's grammar, and the
write run during validation so a service's refusal shows next to its field."""

from __future__ import annotations

import json

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import JSONField

from budgets import services as budget_services
from budgets.durations import budget_duration_error

from .. import writes
from ..errors import ChangeRefused
from ..validation import soft_budget_problem

# Stamped by the write path, never typed in by hand.
STAMPS = ("created_at", "updated_at", "created_by", "updated_by", "settings_updated_at", "budget_reset_at")
# Never shown in the admin, to anyone (a password hash is a credential to crack).
HIDDEN = ("password",)
LOADED_STATE = "loaded_state"
_STATE_SALT = "config.admin_base.loaded_state"


def _loaded_state_field():
    return forms.CharField(widget=forms.HiddenInput, required=False)


def fingerprint(value) -> str:
    """A value as comparable text (what the person saw vs what the row holds now)."""
    return json.dumps(writes._jsonable(value), sort_keys=True, default=str)


class NullableJSONFormField(forms.JSONField):
    """Shows NULL as an empty box (not the text "null"), and an empty box as unchanged NULL."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class LiteLLMAdminForm(forms.ModelForm):
    """Empty JSON/array values are legitimate LiteLLM values ({} and []), not missing ones;
    budget durations follow LiteLLM's grammar. The change form carries the editable values as
    the person loaded them (signed), and the write happens during validation, so a service's
    refusal becomes a form error next to its field (the admin's changeform_view holds one
    transaction on the LiteLLM database around it)."""

    model_admin = None  # set by LiteLLMAdmin.get_form
    admin_request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        if LOADED_STATE in self.fields and not self.is_bound and not self.instance._state.adding:
            state = {n: fingerprint(getattr(self.instance, n)) for n in self.fields if n != LOADED_STATE}
            self.initial[LOADED_STATE] = signing.dumps(state, salt=_STATE_SALT)
        for name, formfield in self.fields.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, JSONField) or field.get_internal_type() == "ArrayField":
                formfield.required = False
            if field.primary_key and self.instance._state.adding:
                formfield.required = False
                formfield.help_text = "Leave empty for a new id (uuid4), as LiteLLM does."

    def clean_budget_duration(self):
        value = (self.cleaned_data.get("budget_duration") or "").strip() or None
        if value:
            error = budget_duration_error(value)
            if error:
                raise forms.ValidationError(error)
        return value

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        for name, value in list(cleaned.items()):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if value is None and not field.null and isinstance(field, JSONField):
                cleaned[name] = [] if name == "members_with_roles" else {}
            elif value == "" and field.null:
                cleaned[name] = None  # an empty box means NULL, as the proxy leaves unset columns
        for name in budget_services.NON_NEGATIVE:  # every refusal at once, as the console's forms show them
            if name in self.fields and cleaned.get(name) is not None:
                try:
                    budget_services.check_limits({name: cleaned[name]})
                except ChangeRefused as refused:
                    self.add_error(name, refused.message)
        problem = soft_budget_problem(cleaned.get("soft_budget"), cleaned.get("max_budget"))
        if problem and "soft_budget" in self.fields and not self.has_error("soft_budget"):
            self.add_error("soft_budget", problem)  # the console forms' rule
        return cleaned

    def loaded(self) -> dict | None:
        """The editable values as the person loaded them (None: a form without that state)."""
        raw = self.data.get(self.add_prefix(LOADED_STATE)) if self.is_bound else None
        if not raw:
            return None
        try:
            return signing.loads(raw, salt=_STATE_SALT)
        except signing.BadSignature:
            raise ChangeRefused("This page's form was altered; reload the page and try again.") from None

    def _post_clean(self):
        super()._post_clean()
        if self.model_admin is None or self._errors:
            return
        try:
            self.model_admin.write(self.admin_request, self.instance, self, change=not self.instance._state.adding)
        except ChangeRefused as refused:
            field = self.model_admin.refusal_fields.get(refused.field, refused.field)
            self.add_error(field if field in self.fields else None, refused.message)
