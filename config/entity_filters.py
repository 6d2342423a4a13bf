"""Filter fields that take an entity (team, user, key, organization, model, end user, actor):
a text input with a datalist of the values the viewer may pick, resolved through
config.lookups when the form is cleaned. A value that matches nothing gets the resolver's
message ("No team matches “foo”.") next to its field; the list then shows no rows.

- `EntityInput`: the widget (its datalist is read only when the page renders, so a CSV
  export of the same filters costs no extra queries);
- `EntityField(kind)`: the form field; `ResolvesEntities`: a form mixin that turns each
  such field's cleaned value into a lookups.Match (needs `principal=` when constructed);
- `resolve_in_filterset(filterset, name, kind, value)`: the same for a django-filter method;
- `ChoiceFilter`: django-filter's, its <select> written directly (`PlainSelect`): every list's
  choice filters use it.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import lookups
from .html import escaped, format_html

RESOLVERS = {
    "team": lookups.resolve_team,
    "user": lookups.resolve_user,
    "user_search": lambda principal, text: lookups.resolve_user(principal, text, partial=True),
    "key": lookups.resolve_key,
    "org": lookups.resolve_org,
    "model": lookups.resolve_model,
    "end_user": lookups.resolve_end_user,
    "actor": lambda principal, text: lookups.resolve_actor(text),
}
CHOICES = {
    "team": lookups.team_choices,
    "user": lookups.user_choices,
    "key": lookups.key_choices,
    "org": lookups.org_choices,
    "model": lookups.model_choices,
    "end_user": lookups.end_user_choices,
    "actor": lambda principal: lookups.actor_choices(),
}


class PlainSelect(forms.Select):
    """A <select> written directly: Django renders each <option> through a template include,
    about half of the users list's time with the 400 teams of a large proxy in its filter.
    Grouped or multiple choices take Django's own rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _v, label in choices):
            return super().render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        value = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escaped(str(v))}"{" selected" if str(v) == value else ""}>{escaped(label)}</option>'
            for v, label in choices
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))


class ChoiceFilter(django_filters.ChoiceFilter):
    """django-filter's ChoiceFilter with PlainSelect as its widget unless one is given."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PlainSelect)
        super().__init__(*args, **kwargs)


# Kinds whose datalist is fetched when its field is first focused (config/views/choices.py):
# their CHOICES take the viewer's principal and are scoped by it.
LAZY_KINDS = ("team", "user", "key", "org", "model", "end_user")


def choices_url(kind: str) -> str:
    """Where a datalist of `kind` is filled from on first focus ("" for a kind not served)."""
    return reverse("entity_choices", kwargs={"kind": kind}) if kind in LAZY_KINDS else ""


class EntityInput(forms.TextInput):
    """<input list=...> plus its <datalist>; `choices` is a callable returning (value, hint).
    When `kind` is one of LAZY_KINDS (set by attach_choices) the datalist is sent empty, with
    the URL its options come from, and console.js fills it on the field's first focus."""

    def __init__(self, attrs=None, choices=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.choices = choices
        self.kind = None

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}-choices"
        attrs["list"] = list_id
        html = super().render(name, value, attrs, renderer)
        if self.kind in LAZY_KINDS:
            return format_html(
                '{}<datalist id="{}" data-choices="{}"></datalist>', html, list_id, choices_url(self.kind)
            )
        choices = self.choices() if callable(self.choices) else (self.choices or [])
        options = "".join(f'<option value="{escaped(v)}" label="{escaped(h or v)}"></option>' for v, h in choices)
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, mark_safe(options))


class EntityField(forms.CharField):
    def __init__(self, kind: str, *, placeholder: str = "", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 255)
        attrs = {"type": "search", "placeholder": placeholder} if placeholder else {"type": "search"}
        super().__init__(widget=EntityInput(attrs), **kwargs)
        self.kind = kind


def attach_choices(field, kind: str, principal) -> None:
    field.widget.choices = lambda: CHOICES[kind](principal)
    field.widget.kind = kind


class ResolvesEntities:
    """Form mixin: each EntityField's value becomes a lookups.Match (or the field's error)."""

    def __init__(self, *args, principal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        for field in self.fields.values():
            if isinstance(field, EntityField):
                attach_choices(field, field.kind, principal)

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, EntityField) and data.get(name):
                match = RESOLVERS[field.kind](self.principal, data[name])
                if match:
                    data[name] = match
                else:
                    self.add_error(name, match.message)
        return data


def resolve_in_filterset(filterset, name: str, kind: str, value: str, principal=None):
    """Resolve `value` inside a django-filter method: the Match, or None after putting the
    resolver's message on the field (the caller then returns an empty queryset)."""
    match = RESOLVERS[kind](principal, value)
    if not match:
        # not add_error(): django-filter is iterating over cleaned_data, which it would change
        form = filterset.form
        form.errors.setdefault(name, form.error_class()).append(match.message)
        return None
    return match
