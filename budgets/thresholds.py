"""When a budget is "near": one setting, NEAR_BUDGET_RATIO (default 0.8), for every meter,
badge, filter and count (the budget overview, the team-member matrix, the user and key pages)."""

from __future__ import annotations

from django.conf import settings


def near_percent() -> float:
    """The near-budget threshold in percent (read per call, so a changed setting applies)."""
    return 100.0 * float(settings.NEAR_BUDGET_RATIO)


def near_label() -> str:
    return f"Near budget ({near_percent():g}%+)"


def budget_state(pct: float | None) -> str:
    """ "over" at 100 % or more, "warn" from the near threshold, "" otherwise (or without a cap)."""
    if pct is None:
        return ""
    return "over" if pct >= 100 else ("warn" if pct >= near_percent() else "")
