"""Are spend and error logs being written, did the proxy switch them off, how many days are
held, and how big they will be in 30/90 days at the current rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connections

from config import litellm
from config.routers import LITELLM_ALIAS
from config.writes import now_utc

from .sizes import TableStats

# The proxy's general_settings flags (seeds 002-004, "Disable LiteLLM_SpendLogs") and what
# switching each off costs the console.
FLAGS = {
    "SpendLogs": (
        "disable_spend_logs",
        "Usage pages still work (they read the daily spend tables); request logs and their "
        "reconciliation against the daily tables do not.",
    ),
    "ErrorLogs": ("disable_error_logs", "The error log page shows nothing new."),
}
PROJECTION_DAYS = (30, 90)


@dataclass
class LogState:
    logical: str
    present: bool
    newest: datetime | None = None
    oldest: datetime | None = None
    disabled: bool | None = None  # None: cannot tell
    disabled_note: str = ""
    consequence: str = ""
    size: int = 0
    bytes_per_day: float | None = None

    @property
    def newest_age(self):
        return now_utc() - self.newest if self.newest else None

    @property
    def days_held(self) -> float | None:
        if self.newest and self.oldest:
            return (self.newest - self.oldest).total_seconds() / 86400
        return None

    def projection(self, days: int) -> int | None:
        if self.bytes_per_day is None:
            return None
        return int(self.size + max(self.bytes_per_day, 0) * days)


def general_settings() -> dict | None:
    """The proxy's general_settings when it stores its config in LiteLLM_Config (STORE_MODEL_IN_DB
    and /config/update write param_name 'general_settings'); None when it does not."""
    if not litellm.catalog().has_table("Config"):
        return None
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            f'SELECT param_value FROM "{litellm.table_name("Config")}" WHERE param_name = %s', ["general_settings"]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    value = row[0]
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def log_states(stats: list[TableStats]) -> list[LogState]:
    by_logical = {s.logical: s for s in stats}
    settings_row = general_settings()
    states = []
    for logical, (flag, consequence) in FLAGS.items():
        s = by_logical.get(logical)
        state = LogState(logical, s is not None, consequence=consequence)
        if settings_row is None:
            state.disabled_note = (
                "cannot tell: the proxy does not store its general_settings in LiteLLM_Config "
                "(they live in its config.yaml)"
            )
        else:
            state.disabled = _truthy(settings_row.get(flag))
            state.disabled_note = f"{flag}: {'true' if state.disabled else 'not set'} in LiteLLM_Config"
        if s is not None:
            with connections[LITELLM_ALIAS].cursor() as cursor:
                cursor.execute(f'SELECT max("startTime"), min("startTime") FROM "{s.table}"')
                state.newest, state.oldest = cursor.fetchone()
            state.size = s.total_bytes
            state.bytes_per_day = s.bytes_per_day
        states.append(state)
    return states
