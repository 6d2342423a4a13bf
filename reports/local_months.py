"""Local months (REPORTS_MONTHS=local): a month of the reporting time zone (CONSOLE_TIME_ZONE).

The daily tables hold UTC days, so a local month is the UTC days wholly inside it, from the daily
tables as a UTC close reads them, plus the hours of the two boundary UTC days that fall inside it,
from LiteLLM_SpendLogs, read through its ("startTime") index (half-open windows on "startTime").

A spend log is mapped to the daily tables' columns as the proxy's writer does when it books the
same request (litellm/proxy/db/db_spend_update_writer.py,
DBSpendUpdateWriter._common_add_spend_log_transaction_to_daily_transaction): `model` is the log's
`model` (not model_group), the user the log's "user", the team its team_id, the tag each element of
request_tags (add_spend_log_transaction_to_daily_tag_transaction), api_requests 1, and a request is
failed when the log's metadata says status "failure" (litellm/proxy/utils.py,
PrismaClient.get_request_status), or the `status` column, where the schema has it, says so. The
logs carry no cache-token columns, so the boundary hours add 0 cache tokens (the method says so).
The organization is the team's TeamTable.organization_id at close time, as for the daily rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from config.dates import _zone_named
from config.litellm import catalog, table_name
from usage.models import SpendLogs


@dataclass(frozen=True)
class Span:
    """What a close reads: the daily tables' UTC days first_day..last_day (inclusive; none when
    first_day > last_day) and SpendLogs' half-open UTC windows."""

    first_day: date
    last_day: date
    logs: tuple[tuple[datetime, datetime], ...] = ()
    notes: list[str] = field(default_factory=list)


def local_bounds(month_first: date, zone: str) -> tuple[datetime, datetime]:
    """The local month's first and next month's first local midnight, as naive UTC moments."""
    tz = _zone_named(zone)
    nxt = (month_first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return tuple(
        datetime.combine(d, time(), tzinfo=tz).astimezone(UTC).replace(tzinfo=None) for d in (month_first, nxt)
    )


def local_span(month_first: date, zone: str) -> Span:
    start, end = local_bounds(month_first, zone)
    first_whole = start.date() if start.time() == time() else start.date() + timedelta(days=1)
    end_whole = end.date()  # the first UTC day not wholly inside
    logs = []
    if start < datetime.combine(first_whole, time()):
        logs.append((start, datetime.combine(first_whole, time())))
    if datetime.combine(end_whole, time()) < end:
        logs.append((datetime.combine(end_whole, time()), end))
    return Span(first_whole, end_whole - timedelta(days=1), tuple(logs))


def _failed() -> str:
    meta = "l.metadata->>'status'"
    if SpendLogs.has_column("status"):
        return f"COALESCE(l.status, {meta}, '') = 'failure'"
    return f"COALESCE({meta}, '') = 'failure'"


def _where(span: Span) -> tuple[str, list]:
    parts, params = [], []
    for start, end in span.logs:
        parts.append('(l."startTime" >= %s AND l."startTime" < %s)')
        params += [start, end]
    return " OR ".join(parts), params


def _counters() -> str:
    failed = _failed()
    return (
        f"l.spend, 1, CASE WHEN {failed} THEN 0 ELSE 1 END, CASE WHEN {failed} THEN 1 ELSE 0 END, "
        "COALESCE(l.prompt_tokens, 0), COALESCE(l.completion_tokens, 0), 0, 0"
    )


def team_rows(span: Span) -> tuple[str, list]:
    """SpendLogs rows shaped as the close's DailyTeamSpend subquery (team, org, api_key, model, counters)."""
    where, params = _where(span)
    sql = f"""
        UNION ALL
        SELECT COALESCE(NULLIF(l.team_id, ''), '') AS team, COALESCE(t.organization_id, '') AS org,
               COALESCE(l.api_key, '') AS api_key, COALESCE(NULLIF(l.model, ''), '') AS model, {_counters()}
        FROM "{table_name("SpendLogs")}" l
        LEFT JOIN "{table_name("TeamTable")}" t ON t.team_id = l.team_id
        WHERE {where}"""
    return sql, params


def entity_rows(span: Span, kind: str) -> tuple[str, list]:
    """SpendLogs rows shaped as (entity, counters) for the user or tag sums."""
    where, params = _where(span)
    if kind == "user":
        source, entity = f'"{table_name("SpendLogs")}" l', "COALESCE(NULLIF(l.\"user\", ''), '')"
    else:
        source = (
            f'"{table_name("SpendLogs")}" l CROSS JOIN LATERAL jsonb_array_elements_text('
            "CASE WHEN jsonb_typeof(l.request_tags::jsonb) = 'array' THEN l.request_tags::jsonb ELSE '[]'::jsonb END"
            ") AS tag(value)"
        )
        entity = "COALESCE(NULLIF(tag.value, ''), '')"
    return f"UNION ALL SELECT {entity}, {_counters()} FROM {source} WHERE {where}", params


def check_boundaries(cursor, span: Span) -> None:
    """A boundary window with no spend logs at all while the daily tables have spend on its UTC
    day (logs disabled or purged): left out, and said so in span.notes."""
    logs = table_name("SpendLogs")
    if span.logs and not catalog().has_index("SpendLogs", ("startTime",)):
        # still read (a close is a once-a-month job, bounded by time), but not fast: say how to fix it
        span.notes.append(
            f'SpendLogs has no ("startTime") index here, so the boundary hours were read by a scan: '
            f"manage.py indexes --create {logs}_startTime_idx"
        )
    for start, end in span.logs:
        cursor.execute(
            f'SELECT EXISTS (SELECT 1 FROM "{logs}" WHERE "startTime" >= %s AND "startTime" < %s)', [start, end]
        )
        if cursor.fetchone()[0]:
            continue
        cursor.execute(
            f'SELECT COALESCE(SUM(spend), 0) FROM "{table_name("DailyTeamSpend")}" WHERE date = %s',
            [start.date().isoformat()],
        )
        day_spend = cursor.fetchone()[0] or 0
        if day_spend:
            span.notes.append(
                f"boundary hours unavailable: spend logs empty for {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC "
                f"while the daily tables have {day_spend:.4f} spend on {start:%Y-%m-%d}; those hours are left out"
            )


def method_local(month_first: date, zone: str, span: Span) -> str:
    tz = _zone_named(zone)
    start, end = local_bounds(month_first, zone)

    def moment(value: datetime) -> str:
        return value.replace(tzinfo=UTC).astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")

    hours = ", ".join(f"{a:%Y-%m-%d %H:%M}..{b:%H:%M} UTC" for a, b in span.logs)
    text = (
        f"local months in {zone}: {moment(start)} .. {moment(end)}; "
        f"whole UTC days {span.first_day.isoformat()}..{span.last_day.isoformat()} from the daily tables"
    )
    text += f", the boundary hours ({hours}) from SpendLogs" if span.logs else ""
    text += (
        ". Boundary hours from SpendLogs: model is the log's model, a request failed when its status says failure, "
        "no cache tokens (the logs have no such columns)."
        if span.logs
        else "."
    )
    for note in span.notes:
        text += f" {note[0].upper()}{note[1:]}."
    return text
