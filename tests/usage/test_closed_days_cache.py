"""The whole-proxy and organization dashboards cache their closed days (older than yesterday)
in Django's cache and read yesterday and today live. The figures must stay equal to sums
taken straight from SQL whatever the open days add, and the top tables exact even when a
group from outside the cached list climbs into the top on the open days."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections

from config.writes import now_utc
from tests import factories
from usage import selectors

pytestmark = pytest.mark.django_db(databases="__all__")


def day(offset: int) -> str:
    return (now_utc().date() - timedelta(days=offset)).isoformat()


def counters(spend: float, requests: int = 10, prompt: int = 100) -> dict:
    return dict(
        spend=spend,
        api_requests=requests,
        successful_requests=requests,
        failed_requests=0,
        prompt_tokens=prompt,
        completion_tokens=10,
        cache_read_input_tokens=0,
        cache_creation_input_tokens=0,
    )


def sql_top_keys(since: str, limit: int) -> list[tuple]:
    """(key, spend, tokens, requests) of the top keys, straight from SQL."""
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            "SELECT api_key, SUM(spend), SUM(prompt_tokens) + SUM(completion_tokens), SUM(api_requests)"
            ' FROM "LiteLLM_DailyTeamSpend" WHERE date >= %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s',
            [since, limit],
        )
        return [(k, round(float(s), 6), int(t), int(r)) for k, s, t, r in cursor.fetchall()]


def shown(rows) -> list[tuple]:
    return [(r.id, round(r.spend, 6), r.tokens, r.requests) for r in rows]


def sql_spend(since: str, where: str = "TRUE", params=()) -> float:
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'SELECT COALESCE(SUM(spend), 0) FROM "LiteLLM_DailyTeamSpend" WHERE date >= %s AND {where}',
            [since, *params],
        )
        return float(cursor.fetchone()[0])


def test_the_period_splits_into_cached_closed_days_and_live_open_days():
    today = now_utc().date()
    period = selectors.period_for("30d")
    closed, opened = selectors._segments(period.start, period.end, today=today)
    first_open = (today - timedelta(days=2)).isoformat()  # today, yesterday and the day before are open
    assert selectors.OPEN_DAYS == 3
    assert closed == (period.start.isoformat(), first_open)
    assert opened == (first_open, (today + timedelta(days=1)).isoformat())
    last_month = selectors.period_for("last_month")
    closed, opened = selectors._segments(last_month.start, last_month.end, today=today)
    if last_month.end < today - timedelta(days=2):
        assert opened is None and closed == (
            last_month.start.isoformat(),
            (last_month.end + timedelta(days=1)).isoformat(),
        )
    seven = selectors.Period(today, today)
    assert selectors._segments(seven.start, seven.end, today=today)[0] is None


def test_new_rows_today_and_yesterday_show_at_once(cast):
    team = cast.team["team_id"]
    for offset in (3, 5, 9):
        factories.make_daily_team_spend(team, day(offset), api_key="k1", **counters(1.0))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    first = {f.key: f.value for f in selectors.figures(proxy, period)}
    assert first["spend"] == pytest.approx(sql_spend(day(29)))

    factories.make_daily_team_spend(team, day(0), api_key="k1", **counters(2.5))
    factories.make_daily_team_spend(team, day(2), api_key="k2", **counters(0.75))
    again = {f.key: f.value for f in selectors.figures(proxy, period)}
    assert again["spend"] == pytest.approx(sql_spend(day(29))) == pytest.approx(3.0 + 2.5 + 0.75)
    assert again["requests"] == 50
    series = selectors.daily_series(proxy, period)
    assert series.spend[-1] == pytest.approx(2.5) and series.spend[-3] == pytest.approx(0.75)


def test_an_organization_is_cached_and_stays_equal_to_sql(cast):
    team = cast.team["team_id"]
    org = cast.org["organization_id"]
    factories.make_daily_team_spend(team, day(4), api_key="k1", **counters(1.0))
    factories.make_daily_team_spend(cast.other_team["team_id"], day(4), api_key="k2", **counters(5.0))
    period = selectors.period_for("30d")
    scope = selectors.resolve_scope(_admin(cast), "org", org)
    selectors.figures(scope, period)
    factories.make_daily_team_spend(team, day(0), api_key="k1", **counters(0.5))
    got = {f.key: f.value for f in selectors.figures(scope, period)}
    teams_of_org = 'team_id IN (SELECT team_id FROM "LiteLLM_TeamTable" WHERE organization_id = %s)'
    assert got["spend"] == pytest.approx(sql_spend(day(29), teams_of_org, [org])) == pytest.approx(1.5)


@pytest.mark.parametrize("filled_with_open_rows", [False, True])
def test_top_keys_stay_exact_when_an_outside_key_climbs_on_the_open_days(cast, monkeypatch, filled_with_open_rows):
    """Cached list of 3 keys, top 2 shown: k5 (closed 5) and k3 (closed 7) sit outside the
    cached list; today k5 adds 20 and k3 adds 3 (tying k0). The page must show what SQL says."""
    monkeypatch.setattr(selectors.breakdowns, "CACHED_TOP", 3)
    team = cast.team["team_id"]
    for i, spend in enumerate([10, 9, 8, 7, 6, 5]):
        factories.make_daily_team_spend(team, day(3), api_key=f"k{i}", **counters(spend, requests=i + 1, prompt=i))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    if filled_with_open_rows:  # the open-day rows exist when the cache entry is made
        factories.make_daily_team_spend(team, day(0), api_key="k5", **counters(20, requests=4))
        factories.make_daily_team_spend(team, day(1), api_key="k3", **counters(3))
    assert shown(selectors.breakdown(proxy, period, "keys", limit=2)) == sql_top_keys(day(29), 2)
    if not filled_with_open_rows:  # they arrive after it was made
        factories.make_daily_team_spend(team, day(0), api_key="k5", **counters(20, requests=4))
        factories.make_daily_team_spend(team, day(1), api_key="k3", **counters(3))
    got = shown(selectors.breakdown(proxy, period, "keys", limit=2))
    assert got == sql_top_keys(day(29), 2)
    assert [k for k, *_ in got] == ["k5", "k0"]  # 25, then k0 and k3 tie at 10: by id
    assert got[0] == ("k5", 25.0, 5 + 10 + 100 + 10, 6 + 4)
    # and the lookup joined the cache entry: the next page needs none
    assert shown(selectors.breakdown(proxy, period, "keys", limit=2)) == got


def test_closed_days_are_read_again_when_the_cache_entry_expires(cast):
    """What is cached: the closed days' grouped figures, for closed_days_ttl() seconds. A row the
    proxy writes late for a closed day shows once the entry has expired (cleared here)."""
    team = cast.team["team_id"]
    factories.make_daily_team_spend(team, day(6), api_key="k1", **counters(1.0))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    assert selectors.figures(proxy, period)[0].value == pytest.approx(1.0)
    factories.make_daily_team_spend(team, day(6), api_key="k1", model="late", **counters(4.0))
    assert selectors.figures(proxy, period)[0].value == pytest.approx(1.0)  # cached
    cache.clear()
    assert selectors.figures(proxy, period)[0].value == pytest.approx(5.0)


def test_a_team_is_read_live(cast):
    team = cast.team["team_id"]
    factories.make_daily_team_spend(team, day(6), api_key="k1", **counters(1.0))
    period = selectors.period_for("30d")
    scope = selectors.resolve_scope(_admin(cast), "team", team)
    selectors.figures(scope, period)
    factories.make_daily_team_spend(team, day(6), api_key="k1", model="late", **counters(4.0))
    assert selectors.figures(scope, period)[0].value == pytest.approx(5.0)


def _admin(cast):
    from config import policy

    return policy.principal_for_litellm_user(cast.proxy_admin["user_id"])


def test_the_cache_can_be_turned_off(cast, settings):
    settings.USAGE_CLOSED_DAYS_CACHE_SECONDS = 0
    team = cast.team["team_id"]
    factories.make_daily_team_spend(team, day(6), api_key="k1", **counters(1.0))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    selectors.figures(proxy, period)
    factories.make_daily_team_spend(team, day(6), api_key="k1", model="late", **counters(4.0))
    assert selectors.figures(proxy, period)[0].value == pytest.approx(5.0)
    assert shown(selectors.breakdown(proxy, period, "keys")) == sql_top_keys(day(29), 10)


def test_a_climbing_key_keeps_its_closed_day_tokens_even_at_zero_spend(cast, monkeypatch):
    """A free model leaves spend 0 with tokens: the key's closed-day tokens still count."""
    monkeypatch.setattr(selectors.breakdowns, "CACHED_TOP", 2)
    team = cast.team["team_id"]
    for i, spend in enumerate([10, 9, 8]):
        factories.make_daily_team_spend(team, day(4), api_key=f"k{i}", **counters(spend))
    factories.make_daily_team_spend(team, day(4), api_key="free", **counters(0.0, requests=7, prompt=500))
    factories.make_daily_team_spend(team, day(0), api_key="free", **counters(30, requests=1, prompt=1))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    for _ in range(2):  # filling the cache, then from it
        got = shown(selectors.breakdown(proxy, period, "keys", limit=2))
        assert got == sql_top_keys(day(29), 2)
        assert got[0] == ("free", 30.0, 500 + 10 + 1 + 10, 8)


def test_equal_spend_is_ranked_by_id_whatever_the_float_rounding(cast):
    """0.1 + 0.2 is 0.30000000000000004 in floats: it must not rank above a plain 0.3."""
    team = cast.team["team_id"]
    factories.make_daily_team_spend(team, day(4), api_key="b", **counters(0.1))
    factories.make_daily_team_spend(team, day(0), api_key="b", **counters(0.2))
    factories.make_daily_team_spend(team, day(4), api_key="a", **counters(0.3))
    period = selectors.period_for("30d")
    for scope in (selectors.Scope("proxy"), selectors.resolve_scope(_admin(cast), "team", team)):
        assert [r.id for r in selectors.breakdown(scope, period, "keys", limit=1)] == ["a"]


def test_usage_warm_fills_the_cache_and_refresh_recomputes_it(cast):
    from django.core.management import call_command

    team = cast.team["team_id"]
    factories.make_daily_team_spend(team, day(6), api_key="k1", **counters(1.0))
    out = io.StringIO()
    call_command("usage_warm", "--ranges", "30d", "--orgs", stdout=out)
    assert "] proxy 30d: " in out.getvalue() and f"] org {cast.org['organization_id']} 30d: " in out.getvalue()
    factories.make_daily_team_spend(team, day(6), api_key="k1", model="late", **counters(4.0))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    assert selectors.figures(proxy, period)[0].value == pytest.approx(1.0)  # served from what usage_warm cached
    call_command("usage_warm", "--ranges", "30d", "--refresh", stdout=io.StringIO())
    assert selectors.figures(proxy, period)[0].value == pytest.approx(5.0)
    assert shown(selectors.breakdown(proxy, period, "keys")) == sql_top_keys(day(29), 10)


def test_usage_warm_refuses_unknown_ranges(cast):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Unknown range"):
        call_command("usage_warm", "--ranges", "30d,forever", stdout=io.StringIO())
