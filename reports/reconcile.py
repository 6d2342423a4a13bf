"""Reconciliation: the three places LiteLLM keeps spend, side by side per key, user, team or
organization, with the drift between them and its likely cause named.

- the daily tables (DailyTeamSpend for keys, teams and organizations, DailyUserSpend for users):
  UTC days, upserted by the proxy's batch writer (db/db_spend_update_writer.py);
- LiteLLM_SpendLogs: one row per request, unless `disable_spend_logs` is set or a retention job
  purged them (proxy/spend_tracking/spend_log_cleanup.py). Read only through the ("startTime")
  index and only for ranges of MAX_LOG_DAYS or less; otherwise the page says why it did not;
- the entity's `spend` counter: what it spent since its budget last reset
  (common_utils/reset_budget_job.py::ResetBudgetJob sets it back to 0 and moves budget_reset_at
  one budget_duration on), or since it was created when it has no budget duration. It is compared
  with the daily tables summed from that moment's UTC day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connections

from budgets.durations import duration_in_seconds
from budgets.kinds import BUDGET_KINDS
from config import dates
from config.litellm import catalog, table_name
from config.routers import read_alias
from config.writes import now_utc

MAX_LOG_DAYS = 31
DEFAULT_THRESHOLD = 0.01
MAX_ROTATION_LOOKUPS = 200

KIND_LABELS = {k: label for k, label in BUDGET_KINDS if k in ("key", "user", "team", "org")}

CAUSE_LOGS_MISSING = "no spend logs for this range: logs disabled (disable_spend_logs) or purged by retention"
CAUSE_LOGS_PURGED = "spend logs start only at {earliest}: older logs were purged"
CAUSE_FLUSH_LAG = "today's batch flush: the proxy writes the daily tables and logs every few seconds, not together"
CAUSE_RESET = (
    "a budget reset inside the period ({moment}): the counter restarted then, the daily tables count whole UTC days"
)
CAUSE_ROTATED = "a regenerated key: its history before regeneration is under its old hash {old}"
CAUSE_BY_HAND_UP = "spend written by hand: the counter is above what the daily tables recorded since {since}"
CAUSE_BY_HAND_DOWN = (
    "spend written by hand (or reset outside LiteLLM's job): the counter is below the daily tables since {since}"
)
CAUSE_NO_ENTITY = "no such {kind} any more (deleted)"


@dataclass
class Line:
    entity: str
    label: str = ""
    daily: float = 0.0
    daily_today: float = 0.0
    first_day: str = ""  # the first UTC day with daily rows in the period
    logs: float | None = None
    logs_today: float = 0.0
    counter: float | None = None
    counter_since: datetime | None = None
    reset_inside: bool = False
    daily_since_counter: float = 0.0
    old_hashes: list[str] = field(default_factory=list)
    old_hash_daily: float = 0.0
    causes: list[str] = field(default_factory=list)

    @property
    def logs_drift(self) -> float:
        return 0.0 if self.logs is None else self.logs - self.daily

    @property
    def counter_drift(self) -> float:
        return 0.0 if self.counter is None else self.counter - self.daily_since_counter

    @property
    def drift(self) -> float:
        return max(abs(self.logs_drift), abs(self.counter_drift))


@dataclass
class Reconciliation:
    kind: str
    start: date
    end: date
    threshold: float
    lines: list[Line]
    logs_read: bool
    logs_note: str = ""
    earliest_log: datetime | None = None
    entities_compared: int = 0


# kind -> (daily table, entity expression on it, the join it needs)
def _daily_source(kind: str) -> tuple[str, str, str]:
    teams = table_name("TeamTable")
    if kind == "user":
        return "DailyUserSpend", "COALESCE(d.user_id, '')", ""
    if kind == "team":
        return "DailyTeamSpend", "COALESCE(d.team_id, '')", ""
    if kind == "org":
        return "DailyTeamSpend", "COALESCE(t.organization_id, '')", f'JOIN "{teams}" t ON t.team_id = d.team_id'
    return "DailyTeamSpend", "d.api_key", ""


def _logs_source(kind: str) -> tuple[str, str]:
    teams = table_name("TeamTable")
    if kind == "user":
        return "COALESCE(l.\"user\", '')", ""
    if kind == "team":
        return "COALESCE(l.team_id, '')", ""
    if kind == "org":
        return "COALESCE(t.organization_id, '')", f'JOIN "{teams}" t ON t.team_id = l.team_id'
    return "l.api_key", ""


# kind -> (table, id, label SQL, has a budget duration)
_ENTITIES = {
    "key": ("VerificationToken", "token", "COALESCE(NULLIF(key_alias, ''), key_name)", True),
    "user": ("UserTable", "user_id", "user_email", True),
    "team": ("TeamTable", "team_id", "team_alias", True),
    "org": ("OrganizationTable", "organization_id", "organization_alias", False),
}


def _fetch(sql: str, params) -> list[tuple]:
    # the replica when one is configured and usable (config/replica.py), else the primary
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def logs_refusal(start: date, end: date) -> str:
    """Why SpendLogs is not read for this range ("" when it is)."""
    days = (end - start).days + 1
    if not catalog().has_index("SpendLogs", ("startTime",)):
        name = f"{table_name('SpendLogs')}_startTime_idx"
        return f'SpendLogs has no ("startTime") index here, so logs are not read: manage.py indexes --create {name}'
    if days > MAX_LOG_DAYS:
        return f"The range is {days} days: spend logs are read for {MAX_LOG_DAYS} days or less (pick a shorter range)."
    return ""


def _counter_since(row_duration, reset_at, created_at) -> tuple[datetime | None, bool]:
    """(when the counter started counting, whether that was a budget reset)."""
    if row_duration and reset_at:
        try:
            return reset_at - timedelta(seconds=duration_in_seconds(row_duration, now=reset_at)), True
        except ValueError:
            pass
    return created_at, False


def reconcile(kind: str, start: date, end: date, *, threshold: float = DEFAULT_THRESHOLD, today: date | None = None):
    today = today or now_utc().date()
    table, entity_sql, join = _daily_source(kind)
    lines: dict[str, Line] = {}
    daily = _fetch(
        f"""SELECT {entity_sql}, SUM(d.spend), SUM(d.spend) FILTER (WHERE d.date = %s), MIN(d.date)
            FROM "{table_name(table)}" d {join}
            WHERE d.date >= %s AND d.date <= %s GROUP BY 1""",
        [today.isoformat(), start.isoformat(), end.isoformat()],
    )
    for entity, spend, spend_today, first_day in daily:
        lines[entity] = Line(entity, daily=float(spend or 0), daily_today=float(spend_today or 0), first_day=first_day)

    refusal = logs_refusal(start, end)
    earliest = None
    if not refusal:
        log_entity, log_join = _logs_source(kind)
        logs_table = table_name("SpendLogs")
        earliest = _fetch(f'SELECT MIN("startTime") FROM "{logs_table}"', [])[0][0]  # the index's first entry
        first, after = (
            datetime.combine(start, datetime.min.time()),
            datetime.combine(end + timedelta(days=1), datetime.min.time()),
        )
        day0 = datetime.combine(today, datetime.min.time())
        rows = _fetch(
            f"""SELECT {log_entity}, SUM(l.spend), SUM(l.spend) FILTER (WHERE l."startTime" >= %s)
                FROM "{logs_table}" l {log_join}
                WHERE l."startTime" >= %s AND l."startTime" < %s GROUP BY 1""",
            [day0, first, after],
        )
        for line in lines.values():
            line.logs = 0.0
        for entity, spend, spend_today in rows:
            line = lines.setdefault(entity, Line(entity))
            line.logs, line.logs_today = float(spend or 0), float(spend_today or 0)

    _load_counters(kind, lines)
    if kind == "key":
        _find_rotations(lines, threshold)
    for line in lines.values():
        _name_causes(kind, line, start, end, today, threshold, earliest, refusal)
    shown = sorted((ln for ln in lines.values() if ln.drift > threshold), key=lambda ln: (-ln.drift, ln.entity))
    return Reconciliation(kind, start, end, threshold, shown, not refusal, refusal, earliest, len(lines))


def _load_counters(kind: str, lines: dict[str, Line]) -> None:
    table, id_col, label_sql, budgeted = _ENTITIES[kind]
    ids = [e for e in lines if e]
    if not ids:
        return
    budget_cols = "budget_duration, budget_reset_at" if budgeted else "NULL, NULL"
    rows = _fetch(
        f"SELECT {id_col}, {label_sql}, spend, {budget_cols}, created_at"
        f' FROM "{table_name(table)}" WHERE {id_col} = ANY(%s)',
        [ids],
    )
    for entity, label, spend, duration, reset_at, created_at in rows:
        line = lines[entity]
        line.label = label or entity
        line.counter = float(spend or 0)
        line.counter_since, line.reset_inside = _counter_since(duration, reset_at, created_at)
    with_since = [ln for ln in lines.values() if ln.counter is not None and ln.counter_since is not None]
    for ln in lines.values():
        if ln.counter is not None and ln.counter_since is None:
            ln.daily_since_counter = ln.counter  # no start known: nothing to compare with
    if not with_since:
        return
    daily_table, entity_sql, join = _daily_source(kind)
    sums = _fetch(
        f"""SELECT s.entity, SUM(d.spend)
            FROM unnest(%s::text[], %s::text[]) AS s(entity, since)
            JOIN (SELECT {entity_sql} AS entity, d.date, d.spend FROM "{table_name(daily_table)}" d {join}) d
              ON d.entity = s.entity AND d.date >= s.since
            GROUP BY 1""",
        [[ln.entity for ln in with_since], [ln.counter_since.date().isoformat() for ln in with_since]],
    )
    for entity, spend in sums:
        lines[entity].daily_since_counter = float(spend or 0)


def _find_rotations(lines: dict[str, Line], threshold: float) -> None:
    """Keys whose counter is above their daily rows: is the rest under an old hash? (A
    regenerated key keeps its row and spend under a new hash: keys/rotations.py.)"""
    from keys.rotations import rotated_to

    drifted = [
        ln for ln in lines.values() if ln.counter is not None and ln.counter_since and ln.counter_drift > threshold
    ]
    if not drifted:
        return
    since = min(ln.counter_since for ln in drifted).date().isoformat()
    daily, keys = table_name("DailyTeamSpend"), table_name("VerificationToken")
    orphans = _fetch(
        f"""SELECT d.api_key, SUM(d.spend) FROM "{daily}" d
            WHERE d.date >= %s AND NOT EXISTS (SELECT 1 FROM "{keys}" k WHERE k.token = d.api_key)
            GROUP BY 1 ORDER BY 2 DESC LIMIT %s""",
        [since, MAX_ROTATION_LOOKUPS],
    )
    by_token = {ln.entity: ln for ln in drifted}
    for old, spend in orphans:
        new = rotated_to(old)
        if new in by_token:
            by_token[new].old_hashes.append(old)
            by_token[new].old_hash_daily += float(spend or 0)
        if old in lines:
            lines[
                old
            ].label = f"…{old[-8:]} (old hash of {lines[new].label if new in lines else '…' + (new or '')[-8:]})"


def _name_causes(kind, line: Line, start, end, today, threshold, earliest, refusal) -> None:
    causes = line.causes
    if line.counter is None and line.entity:
        causes.append(CAUSE_NO_ENTITY.format(kind=KIND_LABELS[kind].lower()))
        if not line.label:
            line.label = line.entity if kind != "key" else f"…{line.entity[-8:]}"
    if not line.label:
        line.label = line.entity or "(none)"
    if not refusal and abs(line.logs_drift) > threshold:
        lag = start <= today <= end and abs(line.logs_today - line.daily_today) >= abs(line.logs_drift) - threshold
        if lag:
            causes.append(CAUSE_FLUSH_LAG)
        elif line.logs < line.daily and earliest is not None and line.first_day < earliest.date().isoformat():
            # its requests are older than the oldest log kept
            causes.append(CAUSE_LOGS_PURGED.format(earliest=dates.when(earliest)))
        elif line.logs < line.daily:
            # logs were kept then, yet not for these requests
            causes.append(CAUSE_LOGS_MISSING)
    drift = line.counter_drift
    if line.counter is None or abs(drift) <= threshold:
        return
    since = line.counter_since
    if line.old_hashes and drift > 0:
        causes.append(CAUSE_ROTATED.format(old=", ".join(f"…{h[-8:]}" for h in line.old_hashes)))
        if abs(drift - line.old_hash_daily) <= threshold:
            return
    if line.reset_inside and since and since.date() >= start and drift < 0:
        causes.append(CAUSE_RESET.format(moment=dates.when(since)))
    elif start <= today <= end and drift > 0 and drift <= abs(line.logs_today - line.daily_today) + threshold:
        causes.append(CAUSE_FLUSH_LAG)
    else:
        when = dates.day(since) if since else "its creation"
        causes.append((CAUSE_BY_HAND_UP if drift > 0 else CAUSE_BY_HAND_DOWN).format(since=when))
