"""Rollups of closed days: the usage dashboard's grouped figures, one closed day at a time, kept
in the console's own tables (usage.models.RollupRow) for the whole proxy and each organization.

Why: the first view of a range (nothing in the closed-days cache yet) grouped every daily row
of the range: 435,000 rows per table for 90 days at the benchmark's scale, 0.5-0.8 s of SQL.
Rolled up, the same figures are a few rows per day (overview, tags), a few hundred (teams), or
one per key or user active that day (the top-key and top-user tables, in their own narrow
table with numbered ids: RollupGroupDay and RollupName). On even spend over
100,000 keys that last kind barely shrinks (a key is active on few days), so the whole proxy's
top keys still cost a hash aggregate of one row per key and day: 100-160 ms for 90 days.

What a row holds is exactly what the dashboard's own statement returns for that day (the same
functions build it: usage.selectors.overview._overview_rows, _team_day_rows and
breakdowns._grouped_by_day), so a range read from the rollups adds up to the live statement's
figures (tests/usage/test_rollup.py compares them on both schemas). `date` is kept as LiteLLM
stores it (a string; a malformed one, which LiteLLM never writes, is not rolled up), so a range
selects the same rows either way.

When it is right: `refresh()` (run by `usage_warm`, hourly from the job queue) rolls up every
day before the first open day (usage.selectors.cache.OPEN_DAYS) and checks each rolled day
against the daily tables (row count and sums per table): a late flush that changed a closed day
rebuilds that day. An organization's rows also depend on which teams it has and which keys
those teams own; a change there rebuilds the organization. Readers use a scope's rollups only
for closed ranges it covers (RollupScope.before_day), and read the daily tables otherwise. So
figures can lag a late flush or a moved team by at most the time to the next refresh (the
closed-days cache already lagged by its TTL).

Writes go only to the console's tables, in one transaction per refresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connections, transaction

from config.litellm import table_name
from config.writes import now_utc

from .models import RollupDay, RollupGroupDay, RollupName, RollupRow, RollupScope
from .selectors.rollup import WIDE_PARTS, is_wide, rolled_breakdowns, scope_key
from .selectors.scopes import Scope
from .selectors.sql import _fetch

SOURCE_TABLES = ("DailyTeamSpend", "DailyUserSpend", "DailyTagSpend")
REFRESH_LOCK = 0x75736167  # pg_advisory_xact_lock key of refresh() ("usag")
CHUNK_DAYS = 7  # days fetched per statement while building (bounds memory on a large proxy)
COLUMNS = (
    "scope",
    "part",
    "day",
    "k1",
    "k2",
    "spend",
    "tokens",
    "prompt",
    "completion",
    "cache_read",
    "cache_creation",
    "requests",
    "successful",
    "failed",
)


@dataclass
class Refreshed:
    before_day: str
    days_rebuilt: list[str] = field(default_factory=list)
    scopes_rebuilt: list[str] = field(default_factory=list)
    scopes_dropped: list[str] = field(default_factory=list)
    rows_written: int = 0


def first_open_day(today=None) -> str:
    """Rolled up: every day before this one (the dashboard's first open day)."""
    from usage.selectors.cache import first_open_day as first_open

    return first_open(today).isoformat()


def source_fingerprints(before_day: str) -> dict[str, str]:
    """{date: what the three daily tables hold for it} for every date before `before_day`: rows,
    requests, tokens, spend and the newest update (the proxy's upsert stamps updated_at). Spend
    is rounded: a float sum's last digits depend on the order a parallel scan adds the rows in."""
    parts: dict[str, list[str]] = {}
    for n, table in enumerate(SOURCE_TABLES):
        sql = f"""
            SELECT date, COUNT(*), SUM(api_requests), SUM(prompt_tokens) + SUM(completion_tokens),
                   round(SUM(spend)::numeric, 6), MAX(updated_at)
            FROM "{table_name(table)}" WHERE date < %s GROUP BY 1
        """
        for day, *figures in _fetch(sql, [before_day]):
            parts.setdefault(day, ["-"] * len(SOURCE_TABLES))[n] = "|".join(repr(f) for f in figures)
    return {day: ";".join(values) for day, values in parts.items() if _well_formed(day)}


def _well_formed(day) -> bool:
    """A 'YYYY-MM-DD' date (LiteLLM writes nothing else; a malformed string is not rolled up)."""
    try:
        return isinstance(day, str) and len(day) == 10 and date.fromisoformat(day).isoformat() == day
    except ValueError:
        return False


def membership(key: str) -> str:
    """What an organization's rollups depend on besides the daily tables: its teams and the keys
    they own (the dashboard matches an organization's user and tag rows through those keys)."""
    if key == "proxy":
        return ""
    org = key.removeprefix("org:")
    teams = f'SELECT team_id FROM "{table_name("TeamTable")}" WHERE organization_id = %s'
    sql = f"""
        SELECT (SELECT string_agg(team_id, ',' ORDER BY team_id) FROM ({teams}) t),
               (SELECT md5(string_agg(token || ':' || team_id, ',' ORDER BY token))
                FROM "{table_name("VerificationToken")}" WHERE team_id IN ({teams}))
    """
    team_ids, keys = _fetch(sql, [org, org])[0]
    return hashlib.sha256(f"{team_ids}|{keys}".encode()).hexdigest()


def _part_rows(scope, key: str, start: str, stop: str):
    """Every rollup row of `scope` for start <= date < stop, as tuples in COLUMNS order."""
    from usage.selectors.breakdowns import _grouped_by_day
    from usage.selectors.overview import _overview_rows, _team_day_rows

    for day, model, provider, spend, *counters in _overview_rows(scope, start, stop):
        yield (key, "overview", day, model, provider, spend, 0, *counters)
    for day, team, spend in _team_day_rows(scope, start, stop):
        yield (key, "team_days", day, team, "", spend, 0, 0, 0, 0, 0, 0, 0, 0)
    for name in rolled_breakdowns(scope):  # (the one rule: usage/selectors/rollup.py)
        if is_wide(name):
            continue  # their own table: _write_wide
        for day, group, spend, tokens, requests in _grouped_by_day(scope, name, start, stop):
            yield (key, name, day, group, "", spend, tokens, 0, 0, 0, 0, requests, 0, 0)


def _names(raw, values) -> dict[str, int]:
    """RollupName's number of each value, numbering the new ones."""
    table = RollupName._meta.db_table
    raw.execute(f"INSERT INTO {table} (value) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", [list(values)])
    raw.execute(f"SELECT value, id FROM {table} WHERE value = ANY(%s)", [list(values)])
    return dict(raw.fetchall())


def _write_wide(scope, start: str, stop: str, raw) -> int:
    """The top-key and top-user rows of start <= date < stop, ids numbered."""
    from usage.selectors.breakdowns import _grouped_by_day

    written = 0
    scope_id = _names(raw, [scope_key(scope)])[scope_key(scope)]
    for name, part in WIDE_PARTS.items():
        if name not in rolled_breakdowns(scope):
            continue
        rows = _grouped_by_day(scope, name, start, stop)
        ids = _names(raw, sorted({group for _day, group, *_ in rows}))
        columns = "scope, part, gid, day, spend, tokens, requests"
        with raw.copy(f"COPY {RollupGroupDay._meta.db_table} ({columns}) FROM STDIN") as copy:
            for day, group, spend, tokens, requests in rows:
                copy.write_row((scope_id, part, ids[group], day, spend, tokens, requests))
                written += 1
    return written


def _runs(days: list[str]) -> list[tuple[str, str]]:
    """[start, stop) date ranges covering `days` (sorted 'YYYY-MM-DD' strings), at most
    CHUNK_DAYS days each."""
    runs: list[tuple[str, str]] = []
    for day in days:
        stop = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        if (
            runs
            and runs[-1][1] == day
            and (date.fromisoformat(stop) - date.fromisoformat(runs[-1][0])).days <= CHUNK_DAYS
        ):
            runs[-1] = (runs[-1][0], stop)
        else:
            runs.append((day, stop))
    return runs


def _write(scope, runs: list[tuple[str, str]]) -> int:
    from usage.selectors import aggregation_session

    key = scope_key(scope)
    written = 0
    with aggregation_session(), connections["default"].cursor() as cursor:
        raw = cursor.cursor
        for start, stop in runs:
            with raw.copy(f"COPY {RollupRow._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in _part_rows(scope, key, start, stop):
                    copy.write_row(row)
                    written += 1
            written += _write_wide(scope, start, stop, raw)
    return written


def _delete(keys: list[str], days: list[str] | None = None) -> None:
    """The rows of these scopes (on these days only, when given)."""
    if not keys or days == []:
        return
    rows = RollupRow.objects.filter(scope__in=keys)
    (rows if days is None else rows.filter(day__in=days)).delete()
    scopes = f"scope IN (SELECT id FROM {RollupName._meta.db_table} WHERE value = ANY(%s))"
    with connections["default"].cursor() as cursor:
        table = RollupGroupDay._meta.db_table
        if days is None:
            cursor.execute(f"DELETE FROM {table} WHERE {scopes}", [keys])
        else:
            cursor.execute(f"DELETE FROM {table} WHERE {scopes} AND day = ANY(%s::date[])", [keys, days])


def refresh(*, today=None) -> Refreshed:
    """Roll up every closed day not rolled up yet, rebuild the days the daily tables changed since,
    and the organizations whose teams or keys changed; drop those that no longer exist."""
    from accounts.models import OrganizationTable

    before_day = first_open_day(today)
    result = Refreshed(before_day)
    found = source_fingerprints(before_day)
    orgs = OrganizationTable.objects.order_by("organization_id").values_list("organization_id", flat=True)
    by_key = {scope_key(s): s for s in [Scope("proxy"), *(Scope("org", org) for org in orgs)]}
    keys = list(by_key)
    members = {key: membership(key) for key in keys}
    with transaction.atomic(using="default"):
        with connections["default"].cursor() as cursor:  # one refresh at a time (cron and a worker)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        stored = dict(RollupDay.objects.values_list("day", "fingerprint"))
        scopes = {s.scope: s for s in RollupScope.objects.all()}
        changed = sorted(day for day in found.keys() | stored.keys() if found.get(day) != stored.get(day))
        every_day = sorted(found)
        fresh = [k for k in keys if k not in scopes or scopes[k].membership != members[k]]
        kept = [k for k in keys if k not in fresh]
        result.scopes_dropped = sorted(set(scopes) - set(keys))
        _delete([*result.scopes_dropped, *fresh])
        _delete(kept, changed)
        rebuild = [day for day in changed if day in found]
        for key in kept:
            result.rows_written += _write(by_key[key], _runs(rebuild))
        for key in fresh:
            result.rows_written += _write(by_key[key], _runs(every_day))
        now = now_utc()
        RollupDay.objects.filter(day__in=[d for d in changed if d not in found]).delete()
        RollupDay.objects.bulk_create(
            [RollupDay(day=d, fingerprint=found[d], rolled_at=now) for d in rebuild],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["fingerprint", "rolled_at"],
        )
        RollupScope.objects.filter(scope__in=result.scopes_dropped).delete()
        RollupScope.objects.bulk_create(
            [RollupScope(scope=k, membership=members[k], before_day=before_day, rolled_at=now) for k in keys],
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["membership", "before_day", "rolled_at"],
        )
        result.days_rebuilt = rebuild
        result.scopes_rebuilt = fresh
    if result.rows_written and not connections["default"].in_atomic_block:
        # the readers' range scans are index-only once the visibility map knows the new rows
        with connections["default"].cursor() as cursor:
            for model in (RollupRow, RollupGroupDay):
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    return result
