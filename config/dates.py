"""The one way the console writes a moment: `2026-12-08 17:55 UTC`, in the reporting time zone.

LiteLLM stores naive UTC (Prisma TIMESTAMP(3)). Every moment the console shows or exports is put
in CONSOLE_TIME_ZONE (default UTC) and carries that zone's name (`2026-12-08 18:55 Europe/Berlin`).
Calendar days that are UTC days by nature (the daily tables' `date`, month closes) are `date`
values and stay as they are; the pages that show them say they are UTC days. Templates use the
`when` / `day` filters (config/templatetags/console.py), tables and messages call these functions;
nothing else formats a date for people. CSV exports write ISO values (`export_moment`): naive UTC
as stored when the zone is UTC, else the local moment with its offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.core.signals import setting_changed
from django.dispatch import receiver

DAY_FORMAT = "%Y-%m-%d"
WHEN_FORMAT = "%Y-%m-%d %H:%M"


@cache
def _zone_named(name: str):
    return UTC if name == "UTC" else ZoneInfo(name)


_zone_setting: dict[str, str] = {}  # read once: an export formats 100,000 moments


def zone_name() -> str:
    """The reporting time zone's name, as pages print it (CONSOLE_TIME_ZONE)."""
    try:
        return _zone_setting["name"]
    except KeyError:
        from django.conf import settings

        name = _zone_setting["name"] = getattr(settings, "CONSOLE_TIME_ZONE", "UTC") or "UTC"
        return name


@receiver(setting_changed)
def _forget_zone(*, setting, **kwargs):
    if setting == "CONSOLE_TIME_ZONE":
        _zone_setting.clear()


def zone():
    return _zone_named(zone_name())


def is_utc() -> bool:
    return zone_name() == "UTC"


def local(value: datetime) -> datetime:
    """A stored moment (naive UTC, or aware) as a naive moment in the reporting time zone."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(zone()).replace(tzinfo=None)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def export_moment(value: datetime) -> str:
    """A moment in a CSV: ISO, naive UTC as stored when the zone is UTC, else local with offset."""
    if is_utc():
        return value.isoformat(sep=" ")
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(zone()).isoformat(sep=" ")


def when(value, *, seconds: bool | str = False) -> str:
    """A moment with its zone ("2026-12-08 17:55 UTC"); `seconds=True` adds ":07", "ms" adds
    ":07.123" (spend logs, as LiteLLM stores them); a date alone as `day`; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = local(value)
        text = moment.strftime(WHEN_FORMAT + (":%S" if seconds else ""))
        if seconds == "ms":
            text += f".{moment.microsecond // 1000:03d}"
        return f"{text} {zone_name()}"
    if isinstance(value, date):
        return day(value)
    return str(value)


def day(value) -> str:
    """A calendar day ("2026-12-08"); a moment is first put in the reporting time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local(value)
    if isinstance(value, date):
        return value.strftime(DAY_FORMAT)
    return str(value)


def day_cell(value, default: str = "—"):
    """A table cell: the day on screen, the full moment (with its zone) on hover, so a dense
    list fits a 1024 px window and still says which zone it means."""
    from config.html import format_html

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
            return export_moment(value) if value else ""

    return DayColumn(**kwargs)
