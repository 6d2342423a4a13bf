"""Closing a month: the daily tables' figures of one UTC month, frozen into the console's tables.

The figures are grouped in SQL (GROUPING SETS over DailyTeamSpend, one GROUP BY each over
DailyUserSpend and DailyTagSpend), all three read in one REPEATABLE READ snapshot of the LiteLLM
database, so the totals, the teams and the keys of one version add up to each other. The grouped
rows (one per entity, not per daily row) are then written into the `default` database in
batches; the two may be different databases (CONSOLE_DATABASE_URL), so the copy cannot be a
single INSERT ... SELECT.

A closed version is never updated: a proxy that flushes a late row into the month (its batch
writer upserts the daily tables up to `proxy_batch_write_at` late, and an older proxy may flush
much later) changes the daily tables, not the report. Closing again adds version N+1.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connections, transaction

from config.dates import zone_name
from config.litellm import table_name
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

from .local_months import Span, check_boundaries, entity_rows, local_bounds, local_span, method_local, team_rows
from .models import COUNTERS, MonthClose, MonthFigure

logger = logging.getLogger(__name__)
BATCH = 5000
METHOD_UTC = (
    "UTC months: the sum of the daily tables' UTC days {first} to {last} "
    "(DailyTeamSpend for the proxy, organizations, teams, keys and models; DailyUserSpend for users; "
    "DailyTagSpend for tags, where a request with several tags counts once per tag). "
    "Teams are placed in the organization they belonged to at close time."
)

# GROUPING(org, team, api_key, model) -> (kind, parent column, entity column)
_SETS = {
    15: ("total", None, None),
    7: ("org", None, "org"),
    3: ("team", "org", "team"),
    13: ("key", None, "api_key"),
    14: ("model", None, "model"),
    9: ("team_key", "team", "api_key"),
    10: ("team_model", "team", "model"),
    6: ("org_model", "org", "model"),
}


class MonthNotClosable(ValueError):
    """A month that cannot be closed yet (the current or a future one) or a malformed name."""


@dataclass(frozen=True)
class Month:
    first: date

    @property
    def last(self) -> date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"

    def previous(self) -> Month:
        return Month((self.first - timedelta(days=1)).replace(day=1))

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year, month = (int(part) for part in text.strip().split("-"))
            return cls(date(year, month, 1))
        except (ValueError, TypeError):
            raise MonthNotClosable(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-11.") from None


def previous_month(today: date | None = None) -> Month:
    today = today or now_utc().date()
    return Month(today.replace(day=1)).previous()


def _sums(prefix: str = "") -> str:
    return ", ".join(f"SUM({prefix}{c})" for c in COUNTERS)


def _none(col: str) -> str:
    return f"COALESCE(NULLIF({col}, ''), '')"


def _team_sets(cursor, span: Span):
    logs_sql, logs_params = team_rows(span) if span.logs else ("", [])
    cursor.execute(
        f"""
        SELECT GROUPING(org, team, api_key, model), org, team, api_key, model, {_sums()}, COUNT(*)
        FROM (
            SELECT {_none("d.team_id")} AS team, COALESCE(t.organization_id, '') AS org,
                   COALESCE(d.api_key, '') AS api_key, {_none("d.model")} AS model,
                   {", ".join(f"d.{c}" for c in COUNTERS)}
            FROM "{table_name("DailyTeamSpend")}" d
            LEFT JOIN "{table_name("TeamTable")}" t ON t.team_id = d.team_id
            WHERE d.date >= %s AND d.date <= %s
            {logs_sql}
        ) s
        GROUP BY GROUPING SETS ((), (org), (org, team), (api_key), (model), (team, api_key), (team, model),
                                (org, model))
        """,
        [span.first_day.isoformat(), span.last_day.isoformat(), *logs_params],
    )
    names = {"org": 1, "team": 2, "api_key": 3, "model": 4}
    for row in cursor.fetchall():
        kind, parent, entity = _SETS[row[0]]
        counters = row[5:13]
        yield (
            (
                kind,
                row[names[parent]] if parent else "",
                row[names[entity]] if entity else "",
                counters,
            ),
            (row[13] if kind == "total" else 0),
        )


def _entity_sums(cursor, span: Span, table: str, column: str, kind: str):
    logs_sql, logs_params = entity_rows(span, kind) if span.logs else ("", [])
    cursor.execute(
        f"""
        SELECT entity, {_sums()}, COUNT(*) FROM (
            SELECT {_none(column)} AS entity, {", ".join(COUNTERS)}
            FROM "{table_name(table)}"
            WHERE date >= %s AND date <= %s
            {logs_sql}
        ) s
        GROUP BY 1
        """,
        [span.first_day.isoformat(), span.last_day.isoformat(), *logs_params],
    )
    for row in cursor.fetchall():
        yield (kind, "", row[0], row[1:9]), row[9]


_ENTITY_BASE = {"team_key": "key", "team_model": "model", "org_model": "model"}


def _labels(cursor, figures) -> dict[tuple[str, str], str]:
    """Names at close time: team alias, organization alias, user email, key alias (or name)."""
    wanted: dict[str, set[str]] = {"team": set(), "org": set(), "user": set(), "key": set()}
    for kind, _parent, entity, _ in figures:
        base = _ENTITY_BASE.get(kind, kind)
        if base in wanted and entity:
            wanted[base].add(entity)
    queries = {
        "team": ("TeamTable", "team_id", "team_alias"),
        "org": ("OrganizationTable", "organization_id", "organization_alias"),
        "user": ("UserTable", "user_id", "user_email"),
        "key": ("VerificationToken", "token", "COALESCE(NULLIF(key_alias, ''), key_name)"),
    }
    labels = {}
    for base, (table, id_col, label_sql) in queries.items():
        ids = sorted(wanted[base])
        if ids:
            cursor.execute(f'SELECT {id_col}, {label_sql} FROM "{table_name(table)}" WHERE {id_col} = ANY(%s)', [ids])
            labels.update({(base, i): label or "" for i, label in cursor.fetchall()})
    return labels


_NO_ENTITY = {"total": "Whole proxy", "team": "(no team)", "org": "(no organization)", "user": "(no user)"}


def _label(labels, kind: str, entity: str) -> str:
    base = _ENTITY_BASE.get(kind, kind)
    if not entity:
        return _NO_ENTITY.get(base, "(none)")
    if base in ("model", "tag"):
        return entity
    label = labels.get((base, entity))
    if label is None:
        return f"…{entity[-8:]} (deleted)" if base == "key" else f"{entity} (deleted)"
    return label or (f"…{entity[-8:]}" if base == "key" else entity)


def read_month(month: Month, span: Span | None = None) -> tuple[list[tuple], int]:
    """Every figure of the month (kind, parent, entity, counters) from one snapshot, and the
    number of daily rows (and, for a local month's boundary hours, spend logs) summed."""
    span = span or Span(month.first, month.last)
    outermost = not connections[LITELLM_ALIAS].in_atomic_block
    with transaction.atomic(using=LITELLM_ALIAS):
        with connections[LITELLM_ALIAS].cursor() as cursor:
            if outermost:  # (inside a caller's transaction, that transaction is the snapshot)
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            if span.logs:
                check_boundaries(cursor, span)  # notes only: an empty window adds nothing to the sums
            figures, rows = [], 0
            for reader in (
                _team_sets(cursor, span),
                _entity_sums(cursor, span, "DailyUserSpend", "user_id", "user"),
                _entity_sums(cursor, span, "DailyTagSpend", "tag", "tag"),
            ):
                for figure, count in reader:
                    figures.append(figure)
                    rows += count
            if not any(f[0] == "total" for f in figures):
                figures.append(("total", "", "", (0.0, 0, 0, 0, 0, 0, 0, 0)))
            labels = _labels(cursor, figures)
    return [(k, p, e, _label(labels, k, e), c) for k, p, e, c in figures], rows


def months_setting(months: str | None = None) -> str:
    """'utc' or 'local': the argument, else REPORTS_MONTHS (default utc)."""
    value = (months or getattr(settings, "REPORTS_MONTHS", "utc") or "utc").strip().lower()
    if value not in ("utc", "local"):
        raise MonthNotClosable(f"Months must be 'utc' or 'local', not {value!r} (REPORTS_MONTHS or --months).")
    return value


def close_month(
    month: Month | str, *, closed_by: str = "console", today: date | None = None, months: str | None = None
) -> MonthClose:
    """Freeze `month` (a Month or 'YYYY-MM') as a new version: a past UTC month, or with
    months='local' (REPORTS_MONTHS) a past month of CONSOLE_TIME_ZONE (reports/local_months.py)."""
    month = Month.parse(month) if isinstance(month, str) else month
    today = today or now_utc().date()
    local = months_setting(months) == "local" and zone_name() != "UTC"
    if local:
        span = local_span(month.first, zone_name())
        last_moment = local_bounds(month.first, zone_name())[1] - timedelta(microseconds=1)
    else:
        span, last_moment = Span(month.first, month.last), None
    if (last_moment.date() if last_moment else month.last) >= today:
        raise MonthNotClosable(f"{month.label} is not over yet (today is {today:%Y-%m-%d} UTC): close a past month.")
    figures, rows = read_month(month, span)
    if local:
        method = method_local(month.first, zone_name(), span)
    else:
        method = METHOD_UTC.format(first=month.first.isoformat(), last=month.last.isoformat())
    with transaction.atomic(using="default"):
        with connections["default"].cursor() as cursor:
            # one closer at a time per month, so two closes never take the same version number
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reports.close:{month.label}"])
        last = MonthClose.objects.filter(month=month.first).order_by("-version").values_list("version", flat=True)
        close = MonthClose.objects.create(
            month=month.first,
            version=(last.first() or 0) + 1,
            closed_at=now_utc(),
            closed_by=closed_by[:255],
            method=method,
            first_day=month.first,
            last_day=month.last,
            source_rows=rows,
        )
        batch = []
        for kind, parent, entity, label, counters in figures:
            batch.append(
                MonthFigure(
                    close=close,
                    kind=kind,
                    parent=parent or "",
                    entity=entity or "",
                    label=label,
                    **_counter_values(counters),
                )
            )
            if len(batch) >= BATCH:
                MonthFigure.objects.bulk_create(batch)
                batch = []
        MonthFigure.objects.bulk_create(batch)
    return close


def _counter_values(counters) -> dict:
    values = dict(zip(COUNTERS, counters, strict=True))
    return {name: float(v or 0) if name == "spend" else int(v or 0) for name, v in values.items()}


def latest_close(month: Month) -> MonthClose | None:
    return MonthClose.objects.filter(month=month.first).order_by("-version").first()


def close_previous_month(today: date | None = None) -> MonthClose | None:
    """What the periodic job calls (at the start of each UTC month): close the month that just
    ended, once. A month already closed is left as it is (re-closing is `manage.py close_month`)
    and its latest version returned, so a job that runs twice adds no version."""
    month = previous_month(today)
    existing = latest_close(month)
    if existing is not None:
        return existing
    try:
        close = close_month(month, closed_by="periodic job", today=today)
    except MonthNotClosable as exc:  # a local month west of UTC ends later on the 1st: the run on the 2nd closes it
        logger.warning("Not closing %s now: %s", month.label, exc)
        return None
    send_report_quietly(close)
    return close


def send_report_quietly(close: MonthClose) -> list:
    """Email the close (reports/mail.py); a mail server that refuses is logged, the close stays."""
    from .mail import email_report

    try:
        return email_report(close)
    except Exception:  # noqa: BLE001 - SMTP and socket errors of any kind: the close is done
        logger.exception("Emailing the report of %s v%s failed", close.label, close.version)
        return []
