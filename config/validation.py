"""Checks for text that reaches PostgreSQL from people: what it refuses (NUL in text and
jsonb, NaN/Infinity in jsonb, lone surrogates in UTF-8) must be refused here first, with a
message, instead of failing the INSERT with a 500."""

from __future__ import annotations

import json
import math

from django import forms
from django.core.exceptions import ValidationError

MAX_JSON_DEPTH = 20
NUL_MESSAGE = "Text may not contain NUL characters."


class UnstorableJSON(ValueError):
    """Valid JSON that PostgreSQL's jsonb would refuse (or too deep to parse safely)."""


def _refuse_constant(name: str):
    raise UnstorableJSON(f"{name} is not a JSON number PostgreSQL can store.")


def json_problem(value, *, depth: int = 0) -> str | None:
    """Why `value` (already parsed) cannot be stored as jsonb, or None."""
    if depth > MAX_JSON_DEPTH:
        return f"JSON may nest at most {MAX_JSON_DEPTH} levels deep."
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN and Infinity are not JSON numbers PostgreSQL can store."
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(str(key)) or json_problem(item, depth=depth + 1)
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        for item in value:
            problem = json_problem(item, depth=depth + 1)
            if problem:
                return problem
    return None


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored in a PostgreSQL text column, or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Text may not contain unpaired surrogate characters (\\ud800-\\udfff)."
    return None


def parse_json(text: str):
    """json.loads for input from people: UnstorableJSON (a ValueError with a message for
    them; plain ValueError is "not JSON at all") for anything
    jsonb would refuse or that would exhaust the parser (NaN, Infinity, lone surrogates,
    \\u0000, nesting deeper than MAX_JSON_DEPTH)."""
    # A cheap bound before parsing: the recursive parser must never see absurd nesting.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _nesting(text) > MAX_JSON_DEPTH:
        raise UnstorableJSON(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.")
    value = json.loads(text, parse_constant=_refuse_constant)
    problem = json_problem(value)
    if problem:
        raise UnstorableJSON(problem)
    return value


def _nesting(text: str) -> int:
    """The deepest bracket nesting outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def validate_json_value(value) -> None:
    """A form-field validator for parsed JSON values."""
    problem = json_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_json")


def validate_text(value) -> None:
    """A form-field validator for text (Django's CharField already refuses NUL)."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem, code="invalid_text")


# --- Rules every form shares (console and ops admin) ---------------------------------------

SOFT_OVER_MAX = (
    "The soft budget must be lower than the max budget (it is the alert before the cap; LiteLLM refuses it)."
)


def soft_budget_problem(soft, hard) -> str | None:
    """The one soft-vs-max rule for every budgeted thing (keys, teams, orgs, budget rows, the ops
    admin): team_endpoints.py::new_team/update_team refuse soft_budget >= max_budget."""
    if soft is None or hard is None or soft == "" or hard == "":
        return None
    try:
        return SOFT_OVER_MAX if float(soft) >= float(hard) else None
    except (TypeError, ValueError):
        return None


# Names, aliases and emails: LiteLLM's columns are TEXT (no VarChar in schema.prisma), so the
# console's limit is a sane 255 characters, said plainly next to the field (no character count).
# No maxlength attribute: the browser would cut a pasted name silently instead of saying so.
NAME_MAX_LENGTH = 255
TOO_LONG = "Keep it to %(limit_value)d characters or fewer."


class _Limited:
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        kwargs["error_messages"] = {"max_length": TOO_LONG, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class NameField(_Limited, forms.CharField):
    """A name or alias: at most 255 characters, refused with a message beyond."""


class LimitedEmailField(_Limited, forms.EmailField):
    """An email: at most 255 characters (Django's validator also caps the parts)."""
