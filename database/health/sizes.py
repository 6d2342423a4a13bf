"""Per LiteLLM table: rows (exact for small tables, pg_class.reltuples for big ones), sizes,
vacuum/analyze times, and growth per day from the console's snapshots and the tables' own
timestamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connections

from config import litellm
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

from ..catalog import info
from ..models import TableSnapshot

# Above this many estimated rows a table is not counted with count(*) (a full scan).
EXACT_COUNT_LIMIT = 200_000
# Tables with their own timestamp: rows per day over the last week come from it.
TIME_COLUMNS = {
    "SpendLogs": ('"startTime"', "timestamp"),
    "ErrorLogs": ('"startTime"', "timestamp"),
    "DailyUserSpend": ("date", "day"),
    "DailyTeamSpend": ("date", "day"),
    "DailyTagSpend": ("date", "day"),
    "AuditLog": ("updated_at", "timestamp"),
}
GROWTH_DAYS = 7


@dataclass
class TableStats:
    table: str
    logical: str
    rows: int
    estimated: bool
    total_bytes: int
    table_bytes: int
    index_bytes: int
    toast_bytes: int
    dead_rows: int | None = None
    last_vacuum: datetime | None = None
    last_analyze: datetime | None = None
    rows_per_day: float | None = None
    growth_source: str = ""
    bytes_per_day: float | None = None
    purpose: str = ""
    frequency: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def bytes_per_row(self) -> float | None:
        return self.total_bytes / self.rows if self.rows else None


def _like() -> str:
    return settings.LITELLM_TABLE_PREFIX.replace("_", r"\_") + "%"


def table_stats(*, growth: bool = True) -> list[TableStats]:
    """Every LiteLLM table, biggest first."""
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                   pg_indexes_size(c.oid),
                   CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END,
                   s.n_dead_tup, greatest(s.last_vacuum, s.last_autovacuum),
                   greatest(s.last_analyze, s.last_autoanalyze)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname LIKE %s
            ORDER BY pg_total_relation_size(c.oid) DESC, c.relname
            """,
            [_like()],
        )
        rows = cursor.fetchall()
        stats = []
        for name, reltuples, total, heap, idx, toast, dead, vacuumed, analyzed in rows:
            estimated = reltuples is not None and reltuples >= EXACT_COUNT_LIMIT
            if estimated:
                count = int(reltuples)
            else:
                cursor.execute(f"SELECT count(*) FROM {connections[LITELLM_ALIAS].ops.quote_name(name)}")
                count = cursor.fetchone()[0]
            logical = litellm.logical_name(name)
            about = info(logical)
            stats.append(
                TableStats(
                    name,
                    logical,
                    count,
                    estimated,
                    total,
                    heap,
                    idx,
                    toast,
                    dead,
                    vacuumed,
                    analyzed,
                    purpose=about.purpose if about else "",
                    frequency=about.frequency if about else "not on LiteLLM's page",
                )
            )
    if growth:
        add_growth(stats)
    return stats


def add_growth(stats: list[TableStats]) -> None:
    """Rows/day from the table's own timestamps (last 7 days) where it has one; else, and for
    bytes/day, from the two snapshots furthest apart within the last 30 days."""
    now = now_utc()
    since = now - timedelta(days=GROWTH_DAYS)
    qn = connections[LITELLM_ALIAS].ops.quote_name
    with connections[LITELLM_ALIAS].cursor() as cursor:
        for s in stats:
            column = TIME_COLUMNS.get(s.logical)
            if column is None:
                continue
            expr, kind = column
            bound = since.strftime("%Y-%m-%d") if kind == "day" else since
            cursor.execute(f"SELECT count(*) FROM {qn(s.table)} WHERE {expr} >= %s", [bound])
            s.rows_per_day = cursor.fetchone()[0] / GROWTH_DAYS
            s.growth_source = f"rows of the last {GROWTH_DAYS} days"
            if s.bytes_per_row is not None:
                s.bytes_per_day = s.rows_per_day * s.bytes_per_row
    first_day = (now - timedelta(days=30)).date()
    by_table: dict[str, list[TableSnapshot]] = {}
    for snap in TableSnapshot.objects.filter(taken_on__gte=first_day).order_by("taken_on"):
        by_table.setdefault(snap.table, []).append(snap)
    today = now.date()
    for s in stats:
        snaps = by_table.get(s.table, [])
        if not snaps:
            continue
        first = snaps[0]
        days = (today - first.taken_on).days
        if days < 1:
            continue
        if s.rows_per_day is None:
            s.rows_per_day = (s.rows - first.rows) / days
            s.growth_source = f"snapshots since {first.taken_on:%Y-%m-%d}"
        s.bytes_per_day = (s.total_bytes - first.total_bytes) / days


def snapshot(day: date | None = None) -> int:
    """Record today's sizes (replacing an earlier run of the same UTC day); returns the rows written."""
    from django.db import transaction

    now = now_utc()
    day = day or now.date()
    stats = table_stats(growth=False)
    with transaction.atomic(using="default"):
        TableSnapshot.objects.filter(taken_on=day).delete()
        TableSnapshot.objects.bulk_create(
            TableSnapshot(
                taken_on=day,
                taken_at=now,
                table=s.table,
                rows=s.rows,
                rows_estimated=s.estimated,
                total_bytes=s.total_bytes,
                table_bytes=s.table_bytes,
                index_bytes=s.index_bytes,
                toast_bytes=s.toast_bytes,
            )
            for s in stats
        )
    return len(stats)
