"""Edit forms that remember what they showed, so a stale form cannot undo someone else's change.

A form opened at 10:00 and saved at 10:05 must write only what its person changed on it, and
must not silently overwrite a field someone else changed meanwhile. So an edit form carries,
in a signed hidden field, the values it showed (salted per form class and object, so it is
no use on another form or row). On POST:

    changes = form.changed_from_shown(names)   # fields whose new value != the value shown
    service(..., changes=changes, expected=form.expected_for(changes))

and the service compares `expected` with the row read under its lock
(config.writes.refuse_conflicts), refusing with EditConflict when both people changed a field.
A missing or altered signature makes the form invalid (a message, nothing written).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing

from . import writes
from .errors import RELOAD_ADVICE, EditConflict

SHOWN_FIELD = "shown_values"

STALE_FORM = (
    "This form could not be matched with the page it came from (it was altered, or the page is "
    "from an older version of the console). Nothing was saved: open the form again and make your change there."
)


def shown_scope(owner: type | str, object_id) -> str:
    name = owner if isinstance(owner, str) else f"{owner.__module__}.{owner.__qualname__}"
    return f"console.shown:{name}:{object_id}"


def sign_shown(values: dict[str, Any], scope: str) -> str:
    return signing.dumps(writes._jsonable(values), salt=scope, compress=True)


def read_shown(token: str | None, scope: str) -> dict[str, Any] | None:
    """The values a form showed, or None when the token is missing or not ours."""
    if not token:
        return None
    try:
        values = signing.loads(token, salt=scope)
    except signing.BadSignature:
        return None
    return values if isinstance(values, dict) else None


def action_scope(name: str, *ids) -> str:
    """The scope of a small form rendered in a page (a role select per member), by name and ids."""
    return shown_scope(name, ":".join(str(i) for i in ids))


def posted_shown(data, name: str, *ids) -> dict[str, Any]:
    """What a small form (rendered with {% shown_values_input name ids... field=value %}) showed,
    read from its POST; ChangeRefused (nothing written) when missing or not ours."""
    from .errors import ChangeRefused

    shown = read_shown(data.get(SHOWN_FIELD), action_scope(name, *ids))
    if shown is None:
        raise ChangeRefused(STALE_FORM)
    return shown


class ShownValuesMixin:
    """For a forms.Form subclass (put it first in the bases). In __init__, after the fields
    exist, call `self.track_shown(values, object_id)` with the values the form shows (column
    name -> value as stored). Then `self.shown` is what the person saw: on GET the row now, on
    POST what the signed field says (valid only after is_valid())."""

    def track_shown(self, values: dict[str, Any], object_id) -> None:
        self._shown_scope = shown_scope(type(self), object_id)
        self.shown: dict[str, Any] = writes._jsonable(dict(values))
        self.fields[SHOWN_FIELD] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=sign_shown(values, self._shown_scope)
        )

    def clean(self):
        cleaned = super().clean()
        if self.is_bound and hasattr(self, "_shown_scope"):
            shown = read_shown(self.data.get(SHOWN_FIELD), self._shown_scope)
            if shown is None:
                raise forms.ValidationError(STALE_FORM, code="stale_form")
            self.shown = shown
        return cleaned

    def changed_from_shown(self, names, normalize=None) -> dict[str, Any]:
        """The fields among `names` whose cleaned value differs from the value shown.
        `normalize(name, value)` may map both sides first (e.g. "" -> None)."""
        out = {}
        for name in names:
            if name not in self.cleaned_data:
                continue
            new = self.cleaned_data.get(name)
            if normalize is not None:
                new = normalize(name, new)
            if not writes.same_value(new, self.shown.get(name)):
                out[name] = new
        return out

    def expected_for(self, changes) -> dict[str, Any]:
        """What the person saw for each field they change: the service's `expected`."""
        return {name: self.shown[name] for name in changes if name in self.shown}

    def add_conflict(self, error: EditConflict) -> None:
        """Show each conflicting field's message next to it, in the form's own labels."""
        labels = {name: f.label for name, f in self.fields.items() if f.label}
        names = ", ".join(labels.get(name) or name for name, *_ in error.conflicts if name in self.fields)
        what = names[:1].lower() + names[1:] if names else "this"
        self.add_error(None, f"Someone else changed {what} since you opened this form. {RELOAD_ADVICE}")
        for name, *_ in error.conflicts:
            self.add_error(name if name in self.fields else None, error.describe(labels, only=name, advice=False))
