"""The help text each duration field shows: its own grammar, derived from the validator that
field uses (budgets/durations.py), so a hint can never suggest what its field refuses.

A budget reset (budget_duration, per-model budgets, member budgets) and a key expiry
(duration, "extend expiry") read the same "number + unit" strings, but not the same ones:
LiteLLM's reset job takes only one month ("2mo" raises in get_next_standardized_reset_time),
while an expiry is plain now + duration_in_seconds, so "2mo" is fine there. Each field says
which applies to it."""

from __future__ import annotations

from . import durations

_WORDS = tuple(durations.WORD_ALIASES)
_MULTI_MONTH = "2mo"


def _accepted(problem, candidates) -> list[str]:
    return [c for c in candidates if problem(c) is None]


def budget_examples() -> list[str]:
    return _accepted(durations.budget_duration_error, ("1h", "24h", "7d", "30d", "1mo", _MULTI_MONTH))


def expiry_examples() -> list[str]:
    return _accepted(durations.expiry_duration_error, ("12h", "30d", "1mo", _MULTI_MONTH))


def _grammar(problem) -> str:
    if problem(_MULTI_MONTH) is None:
        return "A number and a unit: s, m, h, d, w or mo (any number of months)"
    return f"A number and a unit: s, m, h, d or w; for months only 1mo ({_MULTI_MONTH} is refused)"


def _help(problem, examples: list[str], empty: str) -> str:
    words = _accepted(problem, _WORDS)
    shown = ", ".join(examples) + (f", or {' / '.join(words)}" if words else "")
    return f"{_grammar(problem)}. E.g. {shown}. Empty: {empty}."


def budget_duration_help(*, empty: str = "the budget never resets") -> str:
    return _help(durations.budget_duration_error, budget_examples(), empty)


def expiry_help(*, empty: str = "the key never expires") -> str:
    return _help(durations.expiry_duration_error, expiry_examples(), empty)
