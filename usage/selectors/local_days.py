"""Exact local-day buckets from the spend logs, in the reporting time zone (CONSOLE_TIME_ZONE).

The daily tables hold UTC days (the proxy takes `date` from the request's UTC start:
spend_tracking/spend_tracking_utils.py::_ensure_datetime_utc), so they cannot be re-cut into
another zone's days. The spend logs hold each request's UTC `startTime`: for ranges of up to
MAX_LOCAL_DAYS that the logs still cover, a local day is the sum of the logs between its two
local midnights, read through the ("startTime") index. A day that is 23 or 25 hours long (a DST
change) is one local day all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from config import dates
from config.litellm import catalog, table_name

from .sql import _fetch

MAX_LOCAL_DAYS = 31


@dataclass
class LocalDay:
    day: date
    spend: float
    requests: int
    utc_day_spend: float  # the daily tables' figure for the UTC day of the same date


@dataclass
class LocalDays:
    zone: str
    days: list[LocalDay]
    note: str = ""  # why there are none ("" when there are)


def local_bounds(first: date, last: date, zone) -> tuple[datetime, datetime]:
    """Naive UTC [from, to) of the local days first..last."""

    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return midnight(first), midnight(last + timedelta(days=1))


def _logs_filter(scope) -> tuple[str, list] | None:
    """SpendLogs rows of a dashboard scope (None: a scope the logs cannot select exactly)."""
    if scope.kind == "proxy":
        return "TRUE", []
    if scope.kind == "key":
        return "api_key = %s", [scope.value]
    if scope.kind == "user":
        return '"user" = %s', [scope.value]
    if scope.kind == "team":
        return "team_id = %s", [scope.value]
    if scope.kind == "org":
        teams = f'SELECT team_id FROM "{table_name("TeamTable")}" WHERE organization_id = %s'
        return f"team_id IN ({teams})", [scope.value]
    if scope.kind == "model":
        return "model = %s", [scope.value]
    return None


def unavailable(scope, first: date, last: date) -> str:
    if dates.is_utc():
        return "The reporting time zone is UTC: local days are the UTC days above."
    if (last - first).days + 1 > MAX_LOCAL_DAYS:
        return f"Local-day figures come from the spend logs for ranges of {MAX_LOCAL_DAYS} days or less."
    if not catalog().has_index("SpendLogs", ("startTime",)):
        return 'Local-day figures need the SpendLogs ("startTime") index (manage.py indexes).'
    if _logs_filter(scope) is None:
        return "Local-day figures are not available for this scope."
    return ""


def local_days(scope, first: date, last: date, utc_days: dict[date, float] | None = None) -> LocalDays:
    zone_name = dates.zone_name()
    note = unavailable(scope, first, last)
    if note:
        return LocalDays(zone_name, [], note)
    zone = dates.zone()
    start, end = local_bounds(first, last, zone)
    oldest = _fetch(f'SELECT MIN("startTime") FROM "{table_name("SpendLogs")}"', [])[0][0]
    if oldest is None or oldest > start:
        return LocalDays(
            zone_name, [], "The spend logs do not reach back to the start of this range (logs disabled or purged)."
        )
    where, params = _logs_filter(scope)
    rows = _fetch(
        f"""SELECT ("startTime" AT TIME ZONE 'UTC' AT TIME ZONE %s)::date, SUM(spend), COUNT(*)
            FROM "{table_name("SpendLogs")}"
            WHERE "startTime" >= %s AND "startTime" < %s AND {where}
            GROUP BY 1 ORDER BY 1""",
        [zone_name, start, end, *params],
    )
    found = {d: (float(s or 0), int(n)) for d, s, n in rows}
    utc_days = utc_days or {}
    days = []
    for i in range((last - first).days + 1):
        d = first + timedelta(days=i)
        spend, requests = found.get(d, (0.0, 0))
        days.append(LocalDay(d, spend, requests, utc_days.get(d, 0.0)))
    return LocalDays(zone_name, days)
