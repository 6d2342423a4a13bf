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
