"""When a budget resets next, and why, in words: the one place every page asks.

What LiteLLM 1.108.11 does (read in /work/notes/litellm, cited so the wording can be checked):

- The reset time is calendar-aligned, not `now + duration`:
  litellm/litellm_core_utils/duration_parser.py::get_next_standardized_reset_time
  (`_handle_day_reset`: 1d at the next `budget_reset_time`, 7d on the next Monday, 30d on the
  1st of the month; `_handle_month_reset`: 1mo on the 1st; `_handle_hour_reset`: Nh on the
  hour, 24h and more at a midnight), computed in `litellm_settings.timezone`
  (proxy/common_utils/timezone_utils.py::get_budget_reset_time / compute_budget_reset_at).
  budgets/durations.py ports it; this module only words its result.
- The reset job (proxy/common_utils/reset_budget_job.py::ResetBudgetJob.reset_budget) runs on a
  fixed interval of PROXY_BUDGET_RESCHEDULER_MIN_TIME (597 s) plus up to
  min(30, MAX - MIN) = 8 s (constants.py; proxy/proxy_server.py::ProxyStartupEvent
  .initialize_scheduled_background_jobs, `budget_interval`): about every 10 minutes, configurable
  with general_settings.proxy_budget_rescheduler_min_time / _max_time.
- Each run picks up rows whose `budget_reset_at` has passed (proxy/utils.py::PrismaClient.get_data,
  `reset_at` branches). Users, teams and budget rows (organizations, team members, end users,
  keys on a budget row) with a duration and an EMPTY reset time count as due too
  (`{"budget_reset_at": None}` in the OR). A key's own budget does not: the key query is
  `budget_reset_at < now` only, which never matches NULL, so such a key never resets.
- After a reset the job stores `compute_budget_reset_at(duration)` from the moment it ran
  (ResetBudgetJob._reset_budget_common): the next aligned time, so a 30d budget resets on the
  1st of every month, not every 30 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from config import writes

from . import durations

RUN_INTERVAL = "about every 10 minutes"
# Kinds whose budget lives in their own columns with a due-when-empty query (users, teams), or
# in a budget row (the rest). A key's *own* budget_duration is the exception: "key_own".
KEY_OWN = "key_own"


def _clock(at: time) -> str:
    return at.strftime("%H:%M") if not at.second else at.strftime("%H:%M:%S")


def _zone_name() -> str:
    return durations.reset_settings()[0]


def rule(duration: str | None) -> str:
    """How often `duration` resets, in words, with LiteLLM's alignment ("on the 1st of each
    month at 00:00 UTC"). Empty for no duration."""
    if not duration:
        return ""
    zone, at = durations.reset_settings()
    clock = f"{_clock(at)} {zone}"
    normalized = durations.WORD_ALIASES.get(duration.strip().lower(), duration)
    match = re.match(r"(\d+)([a-z]+)", normalized)
    if not match:
        return f"at the next midnight {zone}"
    value, unit = int(match.group(1)), match.group(2)
    if unit == "w":
        value, unit = value * 7, "d"
    if unit == "mo" or (unit == "d" and value == 30):
        return f"on the 1st of each month at {clock}"
    if unit == "d":
        if value == 1:
            return f"every day at {clock}"
        if value == 7:
            return f"every Monday at {clock}"
        return f"{value} days after the day of each reset, at {clock}"
    if unit == "h":
        if value % 24 == 0:
            return f"every day at 00:00 {zone}"
        if 24 % value == 0:
            return f"every {value} hour{'s' if value > 1 else ''}, on the hour ({zone})"
        return f"every {value} hours, on the hour ({zone})"
    if unit == "m":
        return f"every {value} minute{'s' if value > 1 else ''}"
    if unit == "s":
        return f"every {value} second{'s' if value > 1 else ''}"
    return f"at the next midnight {zone}"


def why(duration: str | None) -> str:
    """Why the reset lands where it does, for the durations people misread (30d is not
    "every 30 days")."""
    if not duration:
        return ""
    word = duration.strip().lower()
    normalized = durations.WORD_ALIASES.get(word, duration)
    named = f"{duration} means {normalized}, and " if normalized != duration else ""
    match = re.match(r"(\d+)([a-z]+)", normalized)
    if not match:
        return ""
    value, unit = int(match.group(1)), match.group(2)
    days = value * 7 if unit == "w" else value if unit == "d" else None
    if unit == "mo" or days == 30:
        aligned = "the 1st of the month"
    elif days == 7:
        aligned = "Monday"
    elif unit == "h" and value % 24 == 0:
        aligned = "midnight"  # hour resets ignore budget_reset_time (_handle_hour_reset)
    elif days == 1:
        aligned = "midnight" if durations.reset_settings()[1] == time(0, 0) else "the proxy's budget_reset_time"
    else:
        return ""
    return f"{named}LiteLLM aligns {normalized} to {aligned} in the proxy's time zone ({_zone_name()})."


def countdown(when: datetime, now: datetime) -> str:
    """ "in 30 days" for 30 days 6 hours (whole days, never rounded up), hours under a week."""
    seconds = int((when - now).total_seconds())
    if seconds <= 0:
        return "due now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 7:
        return f"in {days} days"
    if days:
        return f"in {days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"in {hours} h" + (f" {minutes} min" if minutes else "")
    return f"in {max(minutes, 1)} min"


@dataclass(frozen=True)
class Reset:
    """One budget's reset: `next_at` (naive UTC) or why there is none."""

    duration: str | None
    next_at: datetime | None
    state: str  # "scheduled", "due" (next reset run), "never" (no duration), "stuck" (key, empty time)
    now: datetime

    @property
    def rule(self) -> str:
        return rule(self.duration)

    @property
    def why(self) -> str:
        return why(self.duration)

    @property
    def countdown(self) -> str:
        return countdown(self.next_at, self.now) if self.next_at else ""

    @property
    def expected_at(self) -> datetime | None:
        """When spend is expected to drop: the stored time, or the next run (~now) when due.
        For forecasts; None when it never resets."""
        if self.state == "scheduled":
            return self.next_at
        if self.state == "due":
            return self.now
        return None

    @property
    def summary(self) -> str:
        """The short line for tables: "2027-01-01 00:00 UTC · in 30 days"."""
        from config.dates import when

        if self.state == "never":
            return "never"
        if self.state == "stuck":
            return "never (no reset time)"
        if self.state == "due":
            return f"at the next reset run ({RUN_INTERVAL})"
        return f"{when(self.next_at)} · {self.countdown}"

    @property
    def sentence(self) -> str:
        """The full words: when next, how often, and why."""
        from config.dates import when

        if self.state == "never":
            return "Never resets (a one-time budget)."
        if self.state == "stuck":
            return (
                f"Never resets: the key's own budget ({self.duration}) has no reset time, and LiteLLM's "
                "reset job only resets keys whose reset time has passed. Save the budget again to set one."
            )
        how = f"Then resets {self.rule}." if self.rule else ""
        if self.state == "due":
            head = f"Resets at the proxy's next reset run ({RUN_INTERVAL}): its reset time is empty or past."
        else:
            head = f"Resets next on {when(self.next_at)} ({self.countdown})."
        return " ".join(part for part in (head, how, self.why) if part)


def reset_of(duration: str | None, reset_at: datetime | None, *, kind: str = "", now: datetime | None = None) -> Reset:
    """The reset of a budget with `duration` and stored `budget_reset_at`. `kind=KEY_OWN` for
    a key's own budget columns (an empty reset time never resets there)."""
    now = now or writes.now_utc()
    if not duration:
        return Reset(duration, None, "never", now)
    if reset_at is None:
        return Reset(duration, None, "stuck" if kind == KEY_OWN else "due", now)
    if reset_at <= now:
        return Reset(duration, reset_at, "due", now)
    return Reset(duration, reset_at, "scheduled", now)


def reset_after(duration: str, reset_at: datetime) -> datetime:
    """The reset after `reset_at`: the job stores the aligned time from when it ran."""
    return durations.next_reset_after(duration, reset_at)
