"""The one way the console writes a moment: `2026-12-08 17:55 UTC`.

LiteLLM stores naive UTC (Prisma TIMESTAMP(3)), so every page shows UTC and says so. Templates
use the `when` / `day` filters (config/templatetags/console.py), tables and messages call
these functions; nothing else formats a date for people (CSV exports keep ISO values).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

ZONE = "UTC"
DAY_FORMAT = "%Y-%m-%d"
WHEN_FORMAT = "%Y-%m-%d %H:%M"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def when(value, *, seconds: bool | str = False) -> str:
    """A moment with its zone ("2026-12-08 17:55 UTC"); `seconds=True` adds ":07", "ms" adds
    ":07.123" (spend logs, as LiteLLM stores them); a date alone as `day`; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = _utc(value)
        text = moment.strftime(WHEN_FORMAT + (":%S" if seconds else ""))
        if seconds == "ms":
            text += f".{moment.microsecond // 1000:03d}"
        return f"{text} {ZONE}"
    if isinstance(value, date):
        return day(value)
    return str(value)


def day(value) -> str:
    """A calendar day ("2026-12-08"); a moment is first put in UTC."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _utc(value)
    if isinstance(value, date):
        return value.strftime(DAY_FORMAT)
    return str(value)


def day_cell(value, default: str = "—"):
    """A table cell: the day on screen, the full moment (with its zone) on hover, so a dense
    list fits a 1024 px window and still says which zone it means."""
    from django.utils.html import format_html

    if value is None:
        return default
    if not isinstance(value, datetime):
        return day(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', _utc(value).isoformat(), when(value), day(value))


def day_column(**kwargs):
    """A django-tables2 column of `day_cell`s (ISO in the CSV)."""
    import django_tables2 as tables

    class DayColumn(tables.Column):
        def render(self, value):
            return day_cell(value)

        def value(self, value):
            return value.isoformat(sep=" ") if value else ""

    return DayColumn(**kwargs)
