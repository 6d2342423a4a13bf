"""The demo's alert history: a few alerts already sent (to files in .demo/emails/), one muted
key and one spend spike today. Written once, on the first run that finds no alert."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connections

from config import litellm
from config.routers import LITELLM_ALIAS
from keys.models import VerificationToken


def _spike_today() -> str | None:
    """A burst today on the busiest key of the last 14 days: 12x its usual daily spend, booked
    as the proxy books it, on its today's row in the user, team and tag daily tables alike (so
    their totals keep agreeing) and on the key's, its user's and its team's spend counters. (The
    burst's requests get no spend logs.) Returns the key's hash, or None when it has no row
    today."""
    tables = [litellm.table_name(t) for t in ("DailyUserSpend", "DailyTeamSpend", "DailyTagSpend")]
    keys, users, teams = (litellm.table_name(t) for t in ("VerificationToken", "UserTable", "TeamTable"))
    today = datetime.now(UTC).date().isoformat()
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute(
            f"""SELECT d.api_key, sum(d.spend) / 14 FROM "{tables[0]}" d
                 WHERE d.date >= to_char(%s::date - 14, 'YYYY-MM-DD') AND d.date < %s
                   AND EXISTS (SELECT 1 FROM "{tables[0]}" t WHERE t.api_key = d.api_key AND t.date = %s)
                 GROUP BY d.api_key ORDER BY 2 DESC LIMIT 1""",
            [today, today, today],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        key, daily = row
        extra = round(max(50.0, 12 * float(daily or 0)), 6)
        cursor.execute(
            f"""SELECT model, custom_llm_provider FROM "{tables[0]}" WHERE api_key = %s AND date = %s
                 ORDER BY spend DESC LIMIT 1""",
            [key, today],
        )
        model, provider = cursor.fetchone()
        for table in tables:
            cursor.execute(
                f"""UPDATE "{table}" SET spend = spend + %s WHERE id = (
                      SELECT id FROM "{table}" WHERE api_key = %s AND date = %s AND model IS NOT DISTINCT FROM %s
                         AND custom_llm_provider IS NOT DISTINCT FROM %s ORDER BY id LIMIT 1)""",
                [extra, key, today, model, provider],
            )
        # total_spend exists on newer schemas only (the seed's has just spend)
        total = ", total_spend = total_spend + %s" if VerificationToken.has_column("total_spend") else ""
        cursor.execute(
            f'UPDATE "{keys}" SET spend = spend + %s{total} WHERE token = %s RETURNING user_id, team_id',
            [extra, *([extra] if total else []), key],
        )
        user_id, team_id = cursor.fetchone()
        cursor.execute(f'UPDATE "{users}" SET spend = spend + %s WHERE user_id = %s', [extra, user_id])
        cursor.execute(f'UPDATE "{teams}" SET spend = spend + %s WHERE team_id = %s', [extra, team_id])
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
