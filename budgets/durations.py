"""LiteLLM's budget-duration grammar and reset rule, ported line for line.

The proxy computes `budget_reset_at` with a calendar-aligned rule, not `now + duration`
(litellm/litellm_core_utils/duration_parser.py::get_next_standardized_reset_time, called via
litellm/proxy/common_utils/timezone_utils.py::get_budget_reset_time). The console writes the
same value the proxy would, so this module keeps LiteLLM's quirks on purpose:

- "24h" and "48h" both land on the next midnight (hour values roll to the next day only);
- "7d"/"1w" land on the next Monday, "30d"/"1mo" on the 1st of the next month;
- any other "Nd" is today's midnight + N days;
- only "1mo" is a valid month *budget* ("2mo" raises in the reset rule), but "2mo" is a fine
  key *expiry*, which is plain `now + duration_in_seconds`;
- the duration regexes match a prefix, so LiteLLM accepts "1h30m" as "1h"; we accept what it
  accepts and store the string unchanged, exactly as the proxy would.

Settings: LITELLM_TIMEZONE (litellm_settings.timezone, default "UTC") and
LITELLM_BUDGET_RESET_TIME (litellm_settings.budget_reset_time, "HH:MM", default "00:00").
Everything returned is naive UTC, as Prisma stores TIMESTAMP(3).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError

# duration_parser.py::_BUDGET_DURATION_WORD_ALIASES
WORD_ALIASES = {"hourly": "1h", "daily": "24h", "weekly": "7d", "monthly": "30d"}

# Shown next to the field; the proxy's own message is "Use a format like '1h', '24h', '7d', or '30d'."
DURATION_HELP = (
    "A number and a unit: s, m, h, d, w, or 1mo (e.g. 1h, 24h, 1d, 7d, 30d, 1mo), "
    "or hourly / daily / weekly / monthly. Empty means the budget never resets."
)


def _normalize(duration: str) -> str:
    return WORD_ALIASES.get(duration.strip().lower(), duration)


def _extract(duration: str) -> tuple[int, str]:
    """duration_parser.py::_extract_from_regex (prefix match, the unit may be empty)."""
    match = re.match(r"(\d+)(mo|[smhdw]?)", duration)
    if not match:
        raise ValueError("Invalid duration format")
    value, unit = match.groups()
    return int(value), unit


def _last_day_of_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime(year, month + 1, 1) - timedelta(days=1)).day


def _shift_months(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 + months
    year, index = divmod(total, 12)
    month = index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _last_day_of_month(year, month)))


def _now_utc() -> datetime:
    return datetime.now(UTC)


def _aware_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return _now_utc()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _naive_utc(moment: datetime) -> datetime:
    """Naive UTC at millisecond precision, the way Prisma writes TIMESTAMP(3)."""
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)


def duration_in_seconds(duration: str, *, now: datetime | None = None) -> int:
    """duration_parser.py::duration_in_seconds. "Nmo" counts calendar months from `now`."""
    value, unit = _extract(_normalize(duration))
    if unit == "s":
        return value
    if unit == "m":
        return value * 60
    if unit == "h":
        return value * 3600
    if unit == "d":
        return value * 86400
    if unit == "w":
        return value * 604800
    if unit == "mo":
        # LiteLLM measures from now in the server's local zone; naive UTC is what we run in.
        start = _aware_utc(now)
        return int((_shift_months(start, value) - start).total_seconds())
    raise ValueError(f"Unsupported duration unit, passed duration: {duration}")


# --- The aligned reset rule (get_next_standardized_reset_time) --------------------------------


def reset_settings() -> tuple[str, time]:
    """The proxy's litellm_settings.timezone and budget_reset_time, from our settings."""
    return (
        getattr(settings, "LITELLM_TIMEZONE", "UTC") or "UTC",
        parse_reset_time(getattr(settings, "LITELLM_BUDGET_RESET_TIME", None)),
    )


def parse_reset_time(raw: str | None) -> time:
    """timezone_utils.py::parse_budget_reset_time ("HH:MM" or "HH:MM:SS", default midnight)."""
    if raw is None or raw == "":
        return time(0, 0)
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            parsed = datetime.strptime(raw, fmt)
            return time(parsed.hour, parsed.minute, parsed.second)
        except ValueError:
            continue
    raise ValueError(f"Invalid budget_reset_time {raw!r}; expected a 24-hour 'HH:MM' string, e.g. \"12:00\"")


def _zone(timezone_str: str | None) -> tzinfo:
    try:
        return UTC if timezone_str is None else ZoneInfo(timezone_str)
    except Exception:  # LiteLLM falls back to UTC on an unknown zone
        return UTC


def _parse_duration(duration: str) -> tuple[int | None, str | None]:
    match = re.match(r"(\d+)([a-z]+)", duration)
    if not match:
        return None, None
    value, unit = match.groups()
    return int(value), unit


def _at(moment: datetime, at: time) -> datetime:
    return moment.replace(hour=at.hour, minute=at.minute, second=at.second, microsecond=at.microsecond)


def _next_occurrence(boundary_midnight: datetime, at: time, current: datetime, period: timedelta) -> datetime:
    candidate = _at(boundary_midnight, at)
    return candidate + period if candidate <= current else candidate


def _first_of_next_month(first: datetime) -> datetime:
    if first.month == 12:
        return first.replace(year=first.year + 1, month=1)
    return first.replace(month=first.month + 1)


def _month_reset(current: datetime, base_midnight: datetime, value: int, at: time) -> datetime:
    if value != 1:
        raise ValueError("Monthly resets currently only support 1 month intervals")
    first = base_midnight.replace(day=1)
    candidate = _at(first, at)
    if candidate <= current:
        return _at(_first_of_next_month(first), at)
    return candidate


def _day_reset(current: datetime, base_midnight: datetime, value: int, at: time) -> datetime:
    if value == 0:
        return current
    if value == 1:
        return _next_occurrence(base_midnight, at, current, timedelta(days=1))
    if value == 7:  # next Monday
        upcoming_monday = base_midnight + timedelta(days=(7 - current.weekday()) % 7)
        return _next_occurrence(upcoming_monday, at, current, timedelta(days=7))
    if value == 30:  # the 1st of the month
        return _month_reset(current, base_midnight, 1, at)
    return _at(base_midnight + timedelta(days=value), at)


def _hour_reset(current: datetime, base_midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    hour = current.hour
    next_hour = hour + value - (hour % value) if hour % value != 0 else hour + value
    if next_hour >= 24:  # LiteLLM's quirk: always the *next* day, so 48h == 24h
        return (base_midnight + timedelta(days=1)).replace(hour=next_hour % 24)
    return current.replace(hour=next_hour, minute=0, second=0, microsecond=0)


def _minute_reset(current: datetime, base_midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    minute = current.minute
    next_minute = minute + value - (minute % value) if minute % value != 0 else minute + value
    next_hour = current.hour + next_minute // 60
    next_minute %= 60
    if next_hour >= 24:
        return (base_midnight + timedelta(days=1)).replace(
            hour=next_hour % 24, minute=next_minute, second=0, microsecond=0
        )
    return current.replace(hour=next_hour, minute=next_minute, second=0, microsecond=0)


def _second_reset(current: datetime, base_midnight: datetime, value: int) -> datetime:
    if value == 0:
        return current
    second = current.second
    next_second = second + value - (second % value) if second % value != 0 else second + value
    next_minute = current.minute + next_second // 60
    next_second %= 60
    next_hour = current.hour + next_minute // 60
    next_minute %= 60
    if next_hour >= 24:
        return (base_midnight + timedelta(days=1)).replace(
            hour=next_hour % 24, minute=next_minute, second=next_second, microsecond=0
        )
    return current.replace(hour=next_hour, minute=next_minute, second=next_second, microsecond=0)


def next_standardized_reset_time(
    duration: str, current_time: datetime, timezone_str: str = "UTC", reset_time_of_day: time = time(0, 0)
) -> datetime:
    """duration_parser.py::get_next_standardized_reset_time: an aware datetime in the zone."""
    zone = _zone(timezone_str)
    current = _aware_utc(current_time).astimezone(zone)
    value, unit = _parse_duration(_normalize(duration))
    base_midnight = current.replace(hour=0, minute=0, second=0, microsecond=0)
    if value is None:  # unparseable: next midnight
        return base_midnight + timedelta(days=1)
    if unit == "d":
        return _day_reset(current, base_midnight, value, reset_time_of_day)
    if unit == "w":
        return _day_reset(current, base_midnight, value * 7, reset_time_of_day)
    if unit == "h":
        return _hour_reset(current, base_midnight, value)
    if unit == "m":
        return _minute_reset(current, base_midnight, value)
    if unit == "s":
        return _second_reset(current, base_midnight, value)
    if unit == "mo":
        return _month_reset(current, base_midnight, value, reset_time_of_day)
    return base_midnight + timedelta(days=1)


def budget_reset_at(duration: str, now: datetime | None = None) -> datetime:
    """The `budget_reset_at` LiteLLM writes for `duration` at `now` (naive UTC, default: now),
    honouring settings.LITELLM_TIMEZONE and settings.LITELLM_BUDGET_RESET_TIME."""
    timezone_str, at = reset_settings()
    return _naive_utc(next_standardized_reset_time(duration, _aware_utc(now), timezone_str, at))


def next_reset_after(duration: str, reset_at: datetime) -> datetime:
    """The reset after `reset_at` (as the reset job advances it): the aligned time computed at
    that instant. Used for forecasts; never written."""
    return budget_reset_at(duration, reset_at)


# --- Validation and expiry -------------------------------------------------------------------


# Longer than this is a typo (3,000,000 days would overflow a datetime): refused everywhere.
MAX_DURATION_SECONDS = 100 * 366 * 86400
TOO_LONG = "A duration can be at most 100 years."


def _seconds(duration: str) -> int:
    """duration_in_seconds, with ValueError for anything out of datetime's range."""
    try:
        return duration_in_seconds(duration)
    except OverflowError:
        raise ValueError("out of range") from None


def budget_duration_error(duration: str | None) -> str | None:
    """timezone_utils.py::budget_duration_error: why LiteLLM would refuse it, or None."""
    if duration is None:
        return None
    try:
        seconds = _seconds(duration)
        if seconds > MAX_DURATION_SECONDS:
            return f"{duration!r} is too long. {TOO_LONG}"
        if seconds <= 0:
            raise ValueError("not positive")
        budget_reset_at(duration)
    except (ValueError, OverflowError):
        return f"Invalid budget duration {duration!r}. {DURATION_HELP}"
    return None


def validate_budget_duration(duration: str) -> str:
    """Return `duration` unchanged if LiteLLM accepts it as a budget_duration, else raise
    ValidationError. LiteLLM stores the string as sent, so we do not normalise it."""
    message = budget_duration_error(duration)
    if message:
        if _is_multi_month(duration):
            message = f"Only 1mo works as a monthly budget ({duration!r} is refused by LiteLLM's reset job)."
        raise ValidationError(message, code="invalid_budget_duration")
    return duration


def _is_multi_month(duration: str) -> bool:
    try:
        value, unit = _extract(_normalize(duration))
    except ValueError:
        return False
    return unit == "mo" and value > 1


def expiry_duration_error(duration: str) -> str | None:
    """A key `duration` (expiry) parses as LiteLLM's duration_in_seconds does, and must be
    longer than 0 (a key that expires as it is made) and at most 100 years (LiteLLM's own
    now + duration overflows a datetime past year 9999)."""
    try:
        seconds = _seconds(duration)
    except ValueError:
        return f"Invalid duration {duration!r}. Use a number and a unit: s, m, h, d, w or mo (e.g. 30d, 2mo)."
    if seconds <= 0:
        return f"{duration!r} would expire the key at once. Give a duration longer than 0 (e.g. 30d)."
    if seconds > MAX_DURATION_SECONDS:
        return f"{duration!r} is too long. {TOO_LONG} Leave it empty for a key that never expires."
    return None


def validate_expiry_duration(duration: str) -> str:
    message = expiry_duration_error(duration)
    if message:
        raise ValidationError(message, code="invalid_duration")
    return duration


def key_expires(duration: str | None, now: datetime | None = None) -> datetime | None:
    """generate_key_helper_fn: expires = now(UTC) + duration_in_seconds(duration), exact
    (no alignment); None means the key never expires. Naive UTC."""
    if duration is None or duration == "":
        return None
    start = _aware_utc(now)
    return _naive_utc(start + timedelta(seconds=duration_in_seconds(duration, now=start)))
