"""Closed days: cached in Django's cache for the whole proxy and organizations.

The proxy adds to a day's rows while the day lasts and flushes its last batches a little
after midnight; days older than 2 days do not change (except for a very late flush from a
proxy that was cut off, which shows once the cache entry expires). So a period is read in
two segments: its closed days (older than 2 days), whose grouped results are kept in
Django's cache for closed_days_ttl() seconds under a key naming the database, the scope,
the figure set and the exact closed date range (so a new day makes new entries); and its
open days (the day before yesterday, yesterday and today), always read live through the
(date) index, a few thousand rows. Figures grouped by date add up segment by segment; the
top-N tables merge as `breakdowns.breakdown` explains. Team, user, key, tag and model scopes
are read live: their index makes them cheap already.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import date, timedelta

from django.core.cache import cache

from config.litellm import table_name
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

from .scopes import Scope

OPEN_DAYS = 3  # today, yesterday and the day before are read live, always
CACHED_SCOPES = ("proxy", "org")
CACHE_VERSION = "usage-closed-v4"


def closed_days_ttl() -> int:
    """Seconds a closed days' entry lives (settings.USAGE_CLOSED_DAYS_CACHE_SECONDS, default
    6 hours; 0 turns the cache off)."""
    from django.conf import settings

    return int(getattr(settings, "USAGE_CLOSED_DAYS_CACHE_SECONDS", 6 * 3600))


def _caching(scope: Scope) -> bool:
    return scope.kind in CACHED_SCOPES and closed_days_ttl() > 0


_refreshing = False


@contextmanager
def refreshing_closed_days(refresh: bool = True):
    """Recompute (and re-cache) closed days even where the cache holds them (usage_warm)."""
    global _refreshing
    before, _refreshing = _refreshing, refresh
    try:
        yield
    finally:
        _refreshing = before


def _cache_get(key: str):
    return None if _refreshing else cache.get(key)


def _day_after(d: date) -> str:
    return (d + timedelta(days=1)).isoformat()


def first_open_day(today: date | None = None) -> date:
    """The oldest day still read live (today, yesterday and the day before are open)."""
    return (today or now_utc().date()) - timedelta(days=OPEN_DAYS - 1)


def _segments(start: date, end: date, *, today: date | None = None) -> tuple[tuple | None, tuple | None]:
    """([start, stop) of the closed days, [start, stop) of the open days) of start..end as date
    strings; either is None when the range has no such days."""
    first_open = first_open_day(today)
    closed = (start.isoformat(), min(_day_after(end), first_open.isoformat())) if start < first_open else None
    opened = (max(start, first_open).isoformat(), _day_after(end)) if end >= first_open else None
    return closed, opened


def _cache_key(scope: Scope, part: str, segment: tuple) -> str:
    """Names everything the cached rows depend on: which database (and table prefix), scope,
    figure set and exact closed date range."""
    from django.conf import settings

    db = settings.DATABASES[LITELLM_ALIAS]
    where = f"{db.get('HOST')}:{db.get('PORT')}:{db.get('NAME')}:{table_name('DailyTeamSpend')}"
    raw = f"{CACHE_VERSION}|{where}|{scope.kind}|{scope.value}|{part}|{segment[0]}|{segment[1]}"
    return "usage:" + hashlib.sha256(raw.encode()).hexdigest()


def _closed_rows(scope: Scope, part: str, segment: tuple, compute):
    """compute(scope, start, stop) for a closed segment, or the same rows from the console's
    rollups of closed days where they cover it (usage/selectors/rollup.py)."""
    from . import rollup

    if part in rollup.ROWS and rollup.covers(scope, *segment):
        return rollup.ROWS[part](scope, *segment)
    return compute(scope, *segment)


def _cached_segment(scope: Scope, part: str, segment: tuple, compute):
    """compute(scope, start, stop) for a closed segment, from the cache when it holds it."""
    if not _caching(scope):
        return _closed_rows(scope, part, segment, compute)
    key = _cache_key(scope, part, segment)
    found = _cache_get(key)
    if found is None:
        found = _closed_rows(scope, part, segment, compute)
        cache.set(key, found, closed_days_ttl())
    return found


def _segmented(scope: Scope, part: str, start: date, end: date, rows_for) -> list[tuple]:
    """Rows grouped by date (or anything that includes the date) for start..end: the closed
    days' rows (cached) followed by the open days' rows (live); no date is in both."""
    closed, opened = _segments(start, end)
    rows = list(_cached_segment(scope, part, closed, rows_for)) if closed else []
    if opened:
        rows += rows_for(scope, *opened)
    return rows
