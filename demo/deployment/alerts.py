"""The demo's alert history: a few alerts already sent (to files in .demo/emails/), one muted
key and one spend spike today. Written once, on the first run that finds no alert."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connections

from config import litellm
from config.routers import LITELLM_ALIAS


def _spike_today() -> str | None:
    """Add 12× its usual daily spend to today's row of the busiest key of the last 14 days (a
    copy of its latest row, dated today, when it has none yet)."""
    table = litellm.table_name("DailyUserSpend")
    today = datetime.now(UTC).date().isoformat()
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            f"""SELECT api_key, sum(spend) / 14 FROM "{table}"
                 WHERE date >= to_char(%s::date - 14, 'YYYY-MM-DD') AND date < %s
                 GROUP BY api_key ORDER BY 2 DESC LIMIT 1""",
            [today, today],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        key, daily = row
        extra = max(50.0, 12 * float(daily or 0))
        cursor.execute(
            f"""UPDATE "{table}" SET spend = spend + %s WHERE id = (
                  SELECT id FROM "{table}" WHERE api_key = %s AND date = %s ORDER BY spend DESC LIMIT 1)""",
            [extra, key, today],
        )
        if cursor.rowcount == 0:
            columns = [c for c in litellm.catalog().columns[table] if c not in ("id", "date", "spend")]
            names = ", ".join(f'"{c}"' for c in columns)
            cursor.execute(
                f"""INSERT INTO "{table}" (id, date, spend, {names})
                    SELECT gen_random_uuid()::text, %s, %s, {names} FROM "{table}"
                     WHERE api_key = %s ORDER BY date DESC LIMIT 1""",
                [today, extra, key],
            )
    return key


def build_demo_alerts() -> dict | None:
    """One evaluation pass over the demo, after muting the second most spent budgeted key and
    adding a spike; returns its counts (None when the demo already has alerts)."""
    from alerts.evaluate import _candidates, evaluate
    from alerts.models import Alert, AlertOverride

    if Alert.objects.exists():
        return None
    keys = sorted((r for r in _candidates(80.0) if r[0] == "key" and r[8] is not None), key=lambda r: -r[8])
    if len(keys) >= 2:
        AlertOverride.objects.get_or_create(kind="key", object_id=keys[1][1], defaults={"muted": True})
    _spike_today()
    return evaluate(deliver_now=True).counts
