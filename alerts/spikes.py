"""Spend spikes: today's spend (UTC day, from LiteLLM's daily tables) per key, user, team and
model against that entity's previous 14 UTC days (a day without rows counts as 0).

A spike is a day at or above ALERT_SPIKE_MIN_SPEND whose spend exceeds
median + ALERT_SPIKE_SENSITIVITY × max(1.4826 × MAD, 10 % of the median, 1 cent) of those 14
days (MAD: the median absolute deviation; 1.4826 × MAD estimates a standard deviation and resists
the outliers a plain mean and deviation would absorb). One statement per entity kind, only for
the entities whose day already reaches the minimum; one alert per entity per day."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connections

from config.routers import LITELLM_ALIAS
from usage.models import DailyTeamSpend, DailyUserSpend

from .models import Alert

BASELINE_DAYS = 14
SOURCES = [("key", DailyUserSpend, "api_key"), ("user", DailyUserSpend, "user_id"), ("team", DailyTeamSpend, "team_id"),
           ("model", DailyUserSpend, "model")]  # fmt: skip


def _sql(model, column: str) -> str:
    table = connections[LITELLM_ALIAS].ops.quote_name(model._meta.db_table)
    return f"""
    WITH today AS (
        SELECT {column} AS e, sum(spend) AS s FROM {table}
         WHERE date = %(day)s AND {column} IS NOT NULL AND {column} <> '' GROUP BY 1 HAVING sum(spend) >= %(min)s),
    days AS (SELECT to_char(%(day)s::date - i, 'YYYY-MM-DD') AS d FROM generate_series(1, {BASELINE_DAYS}) AS i),
    hist AS (
        SELECT today.e, days.d, COALESCE(sum(t.spend), 0) AS s
          FROM today CROSS JOIN days LEFT JOIN {table} t ON t.{column} = today.e AND t.date = days.d
         GROUP BY 1, 2),
    med AS (SELECT e, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS m FROM hist GROUP BY e),
    mad AS (SELECT h.e, percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.s - med.m)) AS mad
              FROM hist h JOIN med USING (e) GROUP BY h.e)
    SELECT today.e, today.s, med.m FROM today JOIN med USING (e) JOIN mad USING (e)
     WHERE today.s > med.m + %(k)s * greatest(1.4826 * mad.mad, 0.1 * med.m, 0.01)"""


def detect(day) -> list[tuple[str, str, float, float]]:
    """(kind, entity, spend that day, median) of every spike on `day` (a date)."""
    found = []
    params = {
        "day": day.isoformat(),
        "min": settings.ALERT_SPIKE_MIN_SPEND,
        "k": settings.ALERT_SPIKE_SENSITIVITY,
    }
    with connections[LITELLM_ALIAS].cursor() as cursor:
        for kind, model, column in SOURCES:
            cursor.execute(_sql(model, column), params)
            found += [(kind, e, s, m) for e, s, m in cursor.fetchall()]
    return found


def spikes_between(kind: str, object_id: str, start, end) -> list[Alert]:
    """The spike alerts of one entity on the UTC days start..end (dates), oldest first."""
    return list(
        Alert.objects.filter(
            kind=kind, object_id=object_id, rule="spike", period__gte=start.isoformat(), period__lte=end.isoformat()
        ).order_by("period")[:100]
    )


def recent_spike_days(kind: str, object_id: str, days: int = 30) -> list[Alert]:
    """This entity's spike alerts of the last `days` UTC days (an entity page's marks)."""
    from config.writes import now_utc

    today = now_utc().date()
    return spikes_between(kind, object_id, today - timedelta(days=days - 1), today)


def _names(rows) -> dict[tuple[str, str], str]:
    """Key aliases, user emails and team aliases of the spiking entities (up to 3 statements)."""
    from accounts.models import TeamTable, UserTable
    from keys.models import VerificationToken

    out = {}
    ids = {kind: [e for k, e, _, _ in rows if k == kind] for kind in ("key", "user", "team")}
    if ids["key"]:
        for token, name in VerificationToken.objects.filter(token__in=ids["key"]).values_list("token", "key_alias"):
            out[("key", token)] = name
    if ids["user"]:
        for user_id, email in UserTable.objects.filter(user_id__in=ids["user"]).values_list("user_id", "user_email"):
            out[("user", user_id)] = email
    if ids["team"]:
        for team_id, alias in TeamTable.objects.filter(team_id__in=ids["team"]).values_list("team_id", "team_alias"):
            out[("team", team_id)] = alias
    return out


def spike_alerts(defaults, overrides, now, rules_for, existing_for) -> list:
    day = now.date()
    rows = detect(day)
    existing = existing_for([(k, e) for k, e, _, _ in rows], ("spike",))
    names = _names(rows)
    out = []
    for kind, entity, spend, median in rows:
        rules = rules_for(kind, entity, defaults, overrides, now)
        if not rules.spikes or (kind, entity, "spike", 0.0, day.isoformat()) in existing:
            continue
        name = names.get((kind, entity)) or (entity if kind != "key" else f"…{entity[-8:]}")
        alert = Alert(
            kind=kind,
            object_id=entity,
            name=name,
            rule="spike",
            threshold=0.0,
            period=day.isoformat(),
            spend=spend,
            baseline=median,
            team_id=None,
        )
        out.append((alert, rules))
    return out
