"""Helpers every builder uses: seeded ids and keys, LiteLLM's key hash, budget periods, and the
COPY that writes the rows (skipping columns a seed-era schema lacks)."""

from __future__ import annotations

import base64
import hashlib
import random
import uuid
from datetime import datetime, timedelta

from django.db import connections
from django.db.models import JSONField
from psycopg.types.json import Jsonb

from config.routers import LITELLM_ALIAS


class Ids:
    """uuid4-shaped ids and sk- keys from the seeded generator, so a seed always yields the same rows."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def raw_key(self) -> str:
        return "sk-" + base64.urlsafe_b64encode(self.rng.getrandbits(128).to_bytes(16, "big")).decode().rstrip("=")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def copy_rows(model, rows: list[dict]) -> int:
    """COPY `rows` (dicts keyed by field name) into `model`'s table, skipping columns the live
    table lacks (newer-schema columns on a seed-era database)."""
    if not rows:
        return 0
    names: list[str] = []
    for row in rows:
        for name in row:
            if name not in names:
                names.append(name)
    fields = [model._meta.get_field(n) for n in names]
    present = [(n, f) for n, f in zip(names, fields, strict=True) if model.has_column(f.column)]
    connection = connections[LITELLM_ALIAS]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for _, f in present)
    json_fields = {n for n, f in present if isinstance(f, JSONField)}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for name, _field in present:
                    value = row.get(name)
                    if name in json_fields and value is not None:
                        value = Jsonb(value)
                    values.append(value)
                copy.write_row(values)
    return len(rows)


def reset_at(duration: str | None, now: datetime) -> datetime | None:
    if not duration:
        return None
    from budgets.durations import budget_reset_at

    return budget_reset_at(duration, now)


def period_start(duration: str | None, now: datetime) -> datetime | None:
    """Start of the current budget period (spend counters restart there); None = lifetime."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if duration in ("1mo", "30d"):
        return midnight.replace(day=1)
    if duration in ("7d", "1w"):
        return midnight - timedelta(days=midnight.weekday())
    if duration in ("1d", "24h"):
        return midnight
    return None


def money(value: float) -> float:
    return round(value, 6)
