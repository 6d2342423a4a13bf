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
from datetime import date, datetime, time, timedelta

from django.db import connections

from budgets.durations import _extract, _normalize, duration_in_seconds
from budgets.kinds import BUDGET_KINDS
from config import dates
from config.litellm import catalog, table_name
from config.routers import read_alias
from config.writes import now_utc
from usage.selectors.sql import aggregation_session

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
    drifted: int = 0  # rows above the threshold; `lines` holds the first `limit` of them


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


def _duration_table(kind: str) -> tuple[list[str], list[int | None], list[int | None]]:
    """Each budget duration the entities use -> (seconds, months) as LiteLLM's
    duration_in_seconds reads it: a fixed number of seconds, or calendar months counted forward
    from the reset moment ("Nmo", which PostgreSQL's month arithmetic clamps to the month's last
    day as budgets/durations.py does). A duration it rejects is left out: that counter counts
    from the entity's creation."""
    table, _, _, budgeted = _ENTITIES[kind]
    if not budgeted:
        return [], [], []
    names, seconds, months = [], [], []
    for (duration,) in _fetch(
        f'SELECT DISTINCT budget_duration FROM "{table_name(table)}" WHERE budget_duration IS NOT NULL', []
    ):
        try:
            value, unit = _extract(_normalize(duration))
            fixed = None if unit == "mo" else duration_in_seconds(duration)
        except ValueError:
            continue
        names.append(duration)
        seconds.append(fixed)
        months.append(value if unit == "mo" else None)
    return names, seconds, months


def _counter_sql(kind: str) -> tuple[str, list]:
    """The entity's label, counter, when the counter started and whether that was a budget
    reset (its reset moment minus one budget duration), else its creation."""
    table, id_col, label_sql, budgeted = _ENTITIES[kind]
    if not budgeted:
        inner = (
            f"SELECT {id_col} AS id, {label_sql} AS label, spend::float8 AS counter, created_at AS since,"
            f' false AS reset_inside FROM "{table_name(table)}"'
        )
        params = []
    else:
        inner = f"""SELECT e.{id_col} AS id, {label_sql} AS label, e.spend::float8 AS counter,
                   CASE WHEN dur.name IS NULL OR e.budget_reset_at IS NULL THEN e.created_at
                        WHEN dur.months IS NULL THEN e.budget_reset_at - make_interval(secs => dur.seconds)
                        ELSE e.budget_reset_at - ((e.budget_reset_at + make_interval(months => dur.months))
                                                  - e.budget_reset_at) END AS since,
                   (dur.name IS NOT NULL AND e.budget_reset_at IS NOT NULL) AS reset_inside
            FROM "{table_name(table)}" e
            LEFT JOIN unnest(%s::text[], %s::float8[], %s::int[]) AS dur(name, seconds, months)
              ON dur.name = e.budget_duration"""
        params = list(_duration_table(kind))
    # since_day: the counter's start as the daily tables' text day, once per entity (not per daily row)
    return f"SELECT c.*, to_char(c.since, 'YYYY-MM-DD') AS since_day FROM ({inner}) c", params


def reconcile(
    kind: str,
    start: date,
    end: date,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    today: date | None = None,
    limit: int | None = None,
):
    """The entities whose sources disagree by more than `threshold`, largest drift first.

    The sums and the comparison run in one statement, so only the drifted rows come back
    (100,000 keys are compared in the database, not built and judged in Python); their causes
    are then named from batched lookups of those rows only. With `limit`, only the largest
    `limit` drifts are returned and judged (the page); `drifted` still counts them all."""
    today = today or now_utc().date()
    table, entity_sql, join = _daily_source(kind)
    daily_table = table_name(table)
    refusal = logs_refusal(start, end)
    earliest = None
    params: list = [today.isoformat(), start.isoformat(), end.isoformat()]
    if refusal:
        logs_cte = ""
        lines_sql = """SELECT a.entity, COALESCE(a.spend, 0)::float8 AS daily,
                              COALESCE(a.spend_today, 0)::float8 AS daily_today, a.first_day,
                              NULL::float8 AS logs, 0::float8 AS logs_today, a.since_spend
                       FROM daily a WHERE a.first_day IS NOT NULL"""
    else:
        log_entity, log_join = _logs_source(kind)
        logs_table = table_name("SpendLogs")
        earliest = _fetch(f'SELECT MIN("startTime") FROM "{logs_table}"', [])[0][0]  # the index's first entry
        logs_cte = f""",
            logs AS (
                SELECT {log_entity} AS entity, SUM(l.spend) AS spend,
                       SUM(l.spend) FILTER (WHERE l."startTime" >= %s) AS spend_today
                FROM "{logs_table}" l {log_join}
                WHERE l."startTime" >= %s AND l."startTime" < %s GROUP BY 1)"""
        params += [
            datetime.combine(today, time()),
            datetime.combine(start, time()),
            datetime.combine(end + timedelta(days=1), time()),
        ]
        lines_sql = """SELECT COALESCE(a.entity, b.entity) AS entity, COALESCE(a.spend, 0)::float8 AS daily,
                              COALESCE(a.spend_today, 0)::float8 AS daily_today, COALESCE(a.first_day, '') AS first_day,
                              COALESCE(b.spend, 0)::float8 AS logs, COALESCE(b.spend_today, 0)::float8 AS logs_today,
                              a.since_spend
                       FROM daily a FULL JOIN logs b ON b.entity = a.entity
                       WHERE a.first_day IS NOT NULL OR b.entity IS NOT NULL"""
    counter_sql, counter_params = _counter_sql(kind)
    # The daily rows read start at the earliest counter's start (or the period's): asked first
    # and passed as a value, so the planner sees how much of the table that is (a sequential
    # read of most of it, rather than the (date) index it picks for an unknown bound).
    since_first = _fetch(f"SELECT MIN(since_day) FROM ({counter_sql}) c", counter_params)[0][0]
    read_from = min(start.isoformat(), since_first) if since_first else start.isoformat()
    # counters first in the statement, so their parameters come first
    params = [
        *counter_params,
        *params[:1],
        start.isoformat(),
        end.isoformat(),
        start.isoformat(),
        end.isoformat(),
        read_from,
        *params[3:],
        threshold,
        threshold,
        limit,
    ]
    with aggregation_session():  # work_mem for 100,000 groups (spilled to disk at the default 4 MB)
        rows = _fetch(
            f"""WITH counters AS MATERIALIZED ({counter_sql}),
            daily AS (
                -- one read of the daily table: the period's sums and, for each entity, its sum
                -- since its counter started (the counters' start joined per row)
                SELECT {entity_sql} AS entity,
                       SUM(d.spend) FILTER (WHERE d.date = %s) AS spend_today,
                       SUM(d.spend) FILTER (WHERE d.date >= %s AND d.date <= %s) AS spend,
                       MIN(d.date) FILTER (WHERE d.date >= %s AND d.date <= %s) AS first_day,
                       SUM(d.spend) FILTER (WHERE d.date >= e.since_day) AS since_spend
                FROM "{daily_table}" d {join} LEFT JOIN counters e ON e.id = {entity_sql}
                WHERE d.date >= %s
                GROUP BY 1){logs_cte},
            lines AS ({lines_sql}),
            drifts AS (
                SELECT l.*, e.label, e.counter, e.since, e.reset_inside, j.daily_since_counter,
                       GREATEST(ABS(COALESCE(l.logs - l.daily, 0)),
                                ABS(COALESCE(e.counter - j.daily_since_counter, 0))) AS drift
                FROM lines l LEFT JOIN counters e ON e.id = l.entity
                CROSS JOIN LATERAL (SELECT CASE WHEN e.counter IS NULL THEN 0
                                                WHEN e.since IS NULL THEN e.counter
                                                ELSE COALESCE(l.since_spend, 0) END AS daily_since_counter) j)
            SELECT NULL AS entity, NULL AS label, NULL::float8 AS daily, NULL::float8 AS daily_today,
                   NULL AS first_day, NULL::float8 AS logs, NULL::float8 AS logs_today, NULL::float8 AS counter,
                   NULL::timestamp AS since, NULL::bool AS reset_inside, NULL::float8 AS daily_since_counter,
                   COUNT(*) AS compared, COUNT(*) FILTER (WHERE drift > %s)::float8 AS drift
            FROM drifts
            UNION ALL
            (SELECT entity, label, daily, daily_today, first_day, logs, logs_today, counter, since, reset_inside,
                    daily_since_counter, NULL, drift
             FROM drifts WHERE drift > %s ORDER BY drift DESC, entity LIMIT %s)""",
            params,
        )
    # the row that counts the entities compared and the drifted ones
    compared, drifted_count = next((row[-2], int(row[-1])) for row in rows if row[-2] is not None)
    lines: dict[str, Line] = {}
    drifted = (row for row in rows if row[-2] is None)
    for entity, label, daily, d_today, first, logs, l_today, counter, since, reset, since_sum, _, _ in drifted:
        lines[entity] = Line(
            entity,
            label=label or "",
            daily=daily,
            daily_today=d_today,
            first_day=first,
            logs=logs,
            logs_today=l_today,
            counter=counter,
            counter_since=since,
            reset_inside=bool(reset),
            daily_since_counter=since_sum,
        )
    if kind == "key":
        _find_rotations(lines, threshold)
    for line in lines.values():
        _name_causes(kind, line, start, end, today, threshold, earliest, refusal)
    shown = sorted(lines.values(), key=lambda ln: (-ln.drift, ln.entity))
    return Reconciliation(kind, start, end, threshold, shown, not refusal, refusal, earliest, compared, drifted_count)


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
