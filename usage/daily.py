"""The one reader of daily usage for the key page, the user page, the budget forecast and the
home figures: the same table and row filter per scope as the usage dashboard
(usage.selectors.Scope.base_table and scope_filter), so a key's, a user's or a team's spend is
the same number wherever it is shown.

`date` is a 'YYYY-MM-DD' UTC string (compared as strings); rows are summed per date because
the newest schema holds several rows per entity/date/key/model (shared/litellm-compat.md §7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connections

from config import writes
from config.litellm import table_name
from config.routers import read_alias


@dataclass
class DailyUsage:
    day: date
    spend: float
    requests: int
    tokens: int


def scope(kind: str, value: str | None = None):
    """A dashboard scope ("proxy", "key", "user", "team", "org", ...) for these readers."""
    from usage.selectors import Scope

    return Scope(kind=kind, value=value)


def _source(scope_, team_of_member: str | None) -> tuple[str, str, list]:
    """(table, SQL condition, params): the dashboard's rule; a team member's usage is the team
    table's rows of that member's keys in the team (their spend in the team)."""
    from usage.selectors import scope_filter

    if team_of_member is not None:
        keys = f'SELECT token FROM "{table_name("VerificationToken")}" WHERE user_id = %s AND team_id = %s'
        return (
            "DailyTeamSpend",
            f"team_id = %s AND api_key IN ({keys})",
            [
                team_of_member,
                scope_.value,
                team_of_member,
            ],
        )
    table = scope_.base_table
    where, params = scope_filter(scope_, table)
    return table, where, params


def daily_usage(scope_, *, first: date, last: date, team_of_member: str | None = None) -> list[DailyUsage]:
    """Spend, requests and tokens per day for first <= day <= last, newest first; only days
    with rows."""
    table, where, params = _source(scope_, team_of_member)
    sql = f"""
        SELECT date, SUM(spend), SUM(api_requests), SUM(prompt_tokens) + SUM(completion_tokens)
        FROM "{table_name(table)}"
        WHERE date >= %s AND date <= %s AND {where}
        GROUP BY date ORDER BY date DESC
    """
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [first.isoformat(), last.isoformat(), *params])
        rows = cursor.fetchall()
    out = []
    for day, spend, requests, tokens in rows:
        try:
            parsed = date.fromisoformat(day)
        except (TypeError, ValueError):  # a malformed date string: the dashboard skips it too
            continue
        out.append(DailyUsage(parsed, float(spend or 0), int(requests or 0), int(tokens or 0)))
    return out


def _spend_rows(scope_, start: str, stop: str) -> list[tuple[str, float]]:
    """(date, spend) for start <= date < stop: the scope's own table, summed per date."""
    table, where, params = _source(scope_, None)
    sql = f"""
        SELECT date, SUM(spend) FROM "{table_name(table)}"
        WHERE date >= %s AND date < %s AND {where} GROUP BY date
    """
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, [start, stop, *params])
        return [(day, float(spend or 0)) for day, spend in cursor.fetchall()]


def spend_by_day(scope_, *, first: date, last: date) -> list[tuple[date, float]]:
    """(day, spend) for first <= day <= last, newest first; only days with rows. The same sums
    as daily_usage, but where the dashboard caches closed days (whole proxy, organization:
    usage/selectors/cache.py) the days older than its open days come from that cache, under
    their own entry, and only the open days (today, yesterday, the day before) are read live."""
    from usage.selectors import cache

    stop = (last + timedelta(days=1)).isoformat()
    if cache._caching(scope_):
        rows = cache._segmented(scope_, "spend_by_day", first, last, _spend_rows)
    else:
        rows = _spend_rows(scope_, first.isoformat(), stop)
    out = []
    for day, spend in rows:
        try:
            parsed = date.fromisoformat(day)
        except (TypeError, ValueError):  # a malformed date string: the dashboard skips it too
            continue
        out.append((parsed, spend))
    return sorted(out, reverse=True)


def last_days(scope_, days: int, *, today: date | None = None, team_of_member: str | None = None):
    """daily_usage over the last `days` days, today (UTC) included."""
    today = today or writes.now_utc().date()
    return daily_usage(scope_, first=today - timedelta(days=days - 1), last=today, team_of_member=team_of_member)


def spend_between(scope_, first: date, last: date, *, team_of_member: str | None = None) -> float:
    return sum(d.spend for d in daily_usage(scope_, first=first, last=last, team_of_member=team_of_member))


def pace(scope_, days: int = 7, *, today: date | None = None, team_of_member: str | None = None) -> float:
    """Average spend per day over the last `days` days (today included)."""
    return sum(d.spend for d in last_days(scope_, days, today=today, team_of_member=team_of_member)) / days


def totals(days: list[DailyUsage]) -> dict:
    return {
        "spend": sum(d.spend for d in days),
        "requests": sum(d.requests for d in days),
        "tokens": sum(d.tokens for d in days),
        "active_days": len(days),
    }
