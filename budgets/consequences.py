"""What saving a budget will mean, in plain sentences shown before saving
(`budget_consequences`; the budget forms and the member budget matrix use it)."""

from __future__ import annotations

from datetime import datetime

from . import durations


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _date(moment: datetime) -> str:
    from config.dates import when

    return when(moment)


def budget_consequences(
    spend: float | None,
    new_max: float | None,
    duration: str | None,
    *,
    reset_at: datetime | None = None,
    soft_budget: float | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Plain sentences about what saving these values means, shown before saving.

    `reset_at` is the stored reset time, used when the duration is unchanged (the proxy keeps
    it); otherwise the reset is computed as LiteLLM will compute it."""
    spend = float(spend or 0.0)
    lines: list[str] = []
    if new_max is not None:
        if spend > new_max:
            lines.append(
                f"Current spend {_money(spend)} is already over the new budget of {_money(new_max)}: "
                "requests will be refused until the budget resets or is raised."
            )
        elif spend == new_max:
            lines.append(f"Current spend {_money(spend)} already equals the new budget: requests will be refused.")
        else:
            lines.append(f"{_money(new_max - spend)} of the {_money(new_max)} budget remains (spent {_money(spend)}).")
    if soft_budget is not None and spend >= soft_budget:
        lines.append(
            f"Current spend {_money(spend)} is past the soft budget of {_money(soft_budget)}: alerts will be sent."
        )
    if duration:
        when = reset_at or durations.budget_reset_at(duration, now)
        from .resets import rule, why

        # "then every 30d" misleads: LiteLLM aligns it to the 1st (budgets/resets.py words it).
        lines.append(" ".join(filter(None, [f"Spend resets on {_date(when)}, then {rule(duration)}.", why(duration)])))
    elif new_max is not None:
        lines.append("No reset period: this budget is a one-time cap.")
    return lines
