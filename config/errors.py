"""The one exception every service raises for a change it refuses before writing anything."""

from __future__ import annotations


class ChangeRefused(ValueError):
    """A change refused before anything was written: `message` is for people, `field` names
    the form field to show it next to (None: the top of the form)."""

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def show_value(value) -> str:
    """A stored value as a person reads it in a message: 77.0 -> "77", None/""/[]/{} -> "empty"."""
    import json

    if value in (None, "", [], {}):
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


class EditConflict(ChangeRefused):
    """An edit refused because someone else changed a field this person also changed, after
    their form was opened. `conflicts` holds (field, shown, now, yours) for each such field;
    `field` is the first one. Nothing was written."""

    def __init__(self, conflicts: list[tuple[str, object, object, object]], labels: dict | None = None):
        self.conflicts = list(conflicts)
        super().__init__(self.describe(labels), field=self.conflicts[0][0])

    def describe(self, labels: dict | None = None, only: str | None = None, advice: bool = True) -> str:
        labels = labels or {}
        parts = []
        for name, shown, now, yours in self.conflicts:
            if only is not None and name != only:
                continue
            label = labels.get(name) or name.replace("_", " ").capitalize()
            parts.append(
                f"{label} was changed by someone else since you opened this form: it was {show_value(shown)} "
                f"when you opened it and is now {show_value(now)}; you entered {show_value(yours)}."
            )
        text = " ".join(parts)
        return text + (" " + RELOAD_ADVICE if advice else "")


# Reloading the page after a POST would resend the same stale form.
RELOAD_ADVICE = "Nothing was saved. Open the form again to start from the current values."
