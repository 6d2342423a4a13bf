"""The burn-down forecast: when a budget runs out at the last 7 days' pace (read from the daily
spend tables through usage/daily.py), and whether that is before it resets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from config import dates, writes
from usage import daily

FORECAST_DAYS = 7


@dataclass
class Forecast:
    daily_pace: float
    runs_out_on: date | None  # None: never at this pace, or no budget
    already_over: bool
    before_reset: bool | None  # None when there is no reset
    reset_at: datetime | None

    @property
    def sentence(self) -> str:
        if self.already_over:
            return "The budget is already used up."
        if self.daily_pace <= 0:
            return "No spend in the last 7 days: at this pace the budget never runs out."
        if self.runs_out_on is None:
            return "At this pace the budget does not run out."
        when = dates.day(self.runs_out_on)
        if self.before_reset is None:
            return f"At the last 7 days' pace (${self.daily_pace:,.2f}/day) the budget runs out on {when}."
        if self.before_reset:
            return (
                f"At the last 7 days' pace (${self.daily_pace:,.2f}/day) the budget runs out on {when}, "
                "before it resets."
            )
        return (
            f"At the last 7 days' pace (${self.daily_pace:,.2f}/day) the budget would run out on {when}, "
            "after it resets: it should last."
        )


def daily_pace(kind: str, object_id: str, *, parent_id: str | None = None, today: date | None = None) -> float | None:
    """Average spend per day over the last 7 days (today included): usage/daily.py, the
    dashboard's scope for the key, user, team or org; a member's keys in the team."""
    if kind == "member":
        if not parent_id:
            return None
        return daily.pace(daily.scope("user", object_id), FORECAST_DAYS, today=today, team_of_member=parent_id)
    if kind not in ("key", "user", "team", "org"):
        return None
    return daily.pace(daily.scope(kind, object_id), FORECAST_DAYS, today=today)


def forecast(
    *,
    spend: float | None,
    max_budget: float | None,
    reset_at: datetime | None,
    pace: float | None,
    now: datetime | None = None,
) -> Forecast | None:
    """When the budget runs out at `pace` dollars a day, and whether that is before the reset."""
    if max_budget is None or pace is None:
        return None
    now = now or writes.now_utc()
    spend = spend or 0.0
    if spend >= max_budget:
        return Forecast(pace, now.date(), True, None if reset_at is None else True, reset_at)
    if pace <= 0:
        return Forecast(pace, None, False, None if reset_at is None else False, reset_at)
    days = (max_budget - spend) / pace
    if days > 3650:
        return Forecast(pace, None, False, None if reset_at is None else False, reset_at)
    runs_out = now + timedelta(days=days)
    return Forecast(pace, runs_out.date(), False, None if reset_at is None else runs_out < reset_at, reset_at)


def forecast_for(
    kind: str, object_id: str, *, spend, max_budget, reset_at, duration=None, reset_kind="", parent_id=None
) -> Forecast | None:
    """The forecast against the reset the proxy will make: with `duration`, an empty or past
    reset time means the next reset run (budgets/resets.py), not "never resets"."""
    if max_budget is None:
        return None
    if duration is not None:
        from ..resets import reset_of

        reset_at = reset_of(duration, reset_at, kind=reset_kind).expected_at
    pace = daily_pace(kind, object_id, parent_id=parent_id)
    return forecast(spend=spend, max_budget=max_budget, reset_at=reset_at, pace=pace)
