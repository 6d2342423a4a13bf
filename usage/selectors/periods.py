"""Periods: whole UTC days a dashboard shows, and the range choices that name them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from config.writes import now_utc

RANGE_CHOICES = [
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("custom", "Custom"),
]
MAX_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.strftime("%d %b %Y")
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


def period_for(range_key: str, *, today: date | None = None, start: date | None = None, end: date | None = None):
    today = today or now_utc().date()
    if range_key in ("7d", "30d", "90d"):
        days = int(range_key[:-1])
        return Period(today - timedelta(days=days - 1), today)
    if range_key == "this_month":
        return Period(today.replace(day=1), today)
    if range_key == "last_month":
        last_end = today.replace(day=1) - timedelta(days=1)
        return Period(last_end.replace(day=1), last_end)
    if range_key == "custom" and start and end:
        return Period(start, end)
    raise ValueError(f"unknown range {range_key!r}")
