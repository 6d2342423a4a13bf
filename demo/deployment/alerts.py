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
    from alerts.evaluate import SYSTEM, evaluate
    from alerts.models import Alert, AlertOverride
    from budgets.selectors import budget_union

    if Alert.objects.exists():
        return None
    base, params = budget_union(SYSTEM)
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            f"SELECT kind, object_id, pct FROM ({base}) b WHERE kind = 'key' AND pct > 5 AND pct < 80 "
            "ORDER BY pct DESC LIMIT 1",
            params,
        )
        quiet = cursor.fetchone()
    if quiet:  # its owner lowered its first threshold, then muted it: recorded, not sent
        AlertOverride.objects.get_or_create(
            kind=quiet[0], object_id=quiet[1], defaults={"muted": True, "thresholds": [5.0 * int(quiet[2] // 5)]}
        )
    _spike_today()
    return evaluate(deliver_now=True).counts
