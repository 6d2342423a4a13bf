"""The console's rollups of closed days (usage/rollup.py): the dashboard read from them shows
exactly what it shows read from LiteLLM's daily tables, for the whole proxy and an
organization, every figure, series and top table; a late flush to a closed day, a team moving
to another organization and a key changing team are caught by the next refresh; a range the
rollups do not cover is read from the daily tables."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections

from config.writes import now_utc
from tests import factories
from usage import rollup, selectors
from usage.models import RollupRow, RollupScope

pytestmark = pytest.mark.django_db(databases="__all__")


def day(offset: int) -> str:
    return (now_utc().date() - timedelta(days=offset)).isoformat()


def counters(spend: float, requests: int = 10, prompt: int = 100) -> dict:
    return dict(
        spend=spend,
        api_requests=requests,
        successful_requests=requests - 1,
        failed_requests=1,
        prompt_tokens=prompt,
        completion_tokens=10,
        cache_read_input_tokens=3,
        cache_creation_input_tokens=2,
    )


@pytest.fixture(autouse=True)
def no_cache(settings):
    """The closed-days cache off: each read below comes from the rollups or the daily tables."""
    settings.USAGE_CLOSED_DAYS_CACHE_SECONDS = 0


@pytest.fixture
def spread(cast):
    """Spend over 40 days (closed and open) on two teams of the org and one outside it, keys
    with and without an owner, several models, providers and tags."""
    teams = [cast.team["team_id"], cast.other_team["team_id"]]
    third = factories.make_team(alias="third", organization_id=cast.org["organization_id"])["team_id"]
    teams.append(third)
    owners = [cast.member["user_id"], cast.team_admin["user_id"], None]
    keys = []
    for i in range(9):
        key = factories.make_key(user_id=owners[i % 3], team_id=teams[i % 3], alias=f"key-{i}")
        keys.append(key)
    models = [("gpt-4o", "openai"), ("claude-3-haiku", "anthropic"), ("", "")]
    for offset in range(40):
        for i, key in enumerate(keys):
            if (offset + i) % 4 == 0:
                continue
            model, provider = models[(offset + i) % 3]
            spend = round(0.1 * ((offset * 7 + i * 3) % 11) + 0.01 * i, 4)
            values = counters(spend, requests=1 + (offset + i) % 5, prompt=10 * i + offset)
            common = dict(api_key=key["token"], model=model, custom_llm_provider=provider, **values)
            factories.make_daily_spend(owners[i % 3], teams[i % 3], day(offset), **common)
            factories.make_daily_tag_spend(f"tag-{(offset + i) % 4}", day(offset), **common)
    return cast


def _admin(cast):
    from config import policy

    return policy.principal_for_litellm_user(cast.proxy_admin["user_id"])


def everything(scope, period) -> dict:
    """What a dashboard view shows: figures, both stackings' series, every top table."""

    def rounded(value):
        return None if value is None else round(value, 6)

    out = {}
    for stack in scope.stack_choices():
        ov = selectors.overview(scope, period, stack=stack)
        out[stack] = {
            "figures": [(f.key, rounded(f.value), rounded(f.previous)) for f in ov.figures],
            "series": {k: [round(v, 6) for v in vs] for k, vs in ov.series.spend_by.items()},
            "tokens": (ov.series.prompt_tokens, ov.series.completion_tokens, ov.series.cache_tokens),
            "outcomes": (ov.series.successful, ov.series.failed),
        }
    for name in scope.breakdowns():
        rows = selectors.breakdown(scope, period, name, limit=4)
        out[name] = [(r.id, round(r.spend, 6), r.tokens, r.requests, round(r.share, 6)) for r in rows]
    return out


def scopes(cast):
    return [selectors.Scope("proxy"), selectors.resolve_scope(_admin(cast), "org", cast.org["organization_id"])]


@pytest.mark.parametrize("range_key", ["30d", "7d", "last_month"])
def test_the_dashboard_shows_the_same_from_the_rollups_as_from_the_daily_tables(spread, range_key):
    period = selectors.period_for(range_key)
    live = {s.kind: everything(s, period) for s in scopes(spread)}
    done = rollup.refresh()
    assert done.rows_written > 0 and set(done.scopes_rebuilt) >= {"proxy", f"org:{spread.org['organization_id']}"}
    assert RollupRow.objects.filter(scope="proxy", part="overview").exists()
    rolled = {s.kind: everything(s, period) for s in scopes(spread)}
    assert rolled == live
    assert live["proxy"]["model"]["figures"][0][1] > 0 and live["org"]["keys"]


def test_the_rollups_serve_the_closed_days_and_no_daily_table_statement_reads_them(spread):
    """Proof the figures above came from the rollups: no statement on LiteLLM's connection reads
    a closed day of the organization's range."""
    from django.test.utils import CaptureQueriesContext

    rollup.refresh()
    period = selectors.period_for("30d")
    closed, _opened = selectors._segments(period.start, period.end)
    for scope in scopes(spread):
        with CaptureQueriesContext(connections["litellm"]) as litellm:
            everything(scope, period)
        daily = [q["sql"] for q in litellm.captured_queries if "Daily" in q["sql"]]
        assert daily and all(closed[0] not in sql for sql in daily), (scope.kind, daily)


def test_a_late_flush_to_a_closed_day_shows_after_the_next_refresh(spread):
    rollup.refresh()
    org = scopes(spread)[1]
    period = selectors.period_for("30d")
    before = everything(org, period)
    factories.make_daily_spend(
        spread.member["user_id"], spread.team["team_id"], day(10), api_key="late-key", **counters(50.0)
    )
    assert everything(org, period) == before  # the rollups still hold the day as it was
    done = rollup.refresh()
    assert done.days_rebuilt == [day(10)] and done.scopes_rebuilt == []
    after = everything(org, period)
    assert after["keys"][0][:2] == ("late-key", 50.0)
    assert after["model"]["figures"][0][1] == pytest.approx(before["model"]["figures"][0][1] + 50.0)
    rollup.refresh()
    assert rollup.refresh().rows_written == 0  # nothing changed since: nothing written


def test_a_team_moving_to_another_organization_rebuilds_both(spread):
    rollup.refresh()
    org, other = spread.org["organization_id"], spread.other_org["organization_id"]
    period = selectors.period_for("30d")
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            'UPDATE "LiteLLM_TeamTable" SET organization_id = %s WHERE team_id = %s', [other, spread.team["team_id"]]
        )
    done = rollup.refresh()
    assert set(done.scopes_rebuilt) == {f"org:{org}", f"org:{other}"} and done.days_rebuilt == []
    rolled = everything(scopes(spread)[1], period)
    RollupScope.objects.all().delete()  # nothing covered: the daily tables again
    assert everything(scopes(spread)[1], period) == rolled


def test_a_key_changing_team_rebuilds_the_organizations(spread):
    """An organization's users and tags are matched through its teams' keys."""
    rollup.refresh()
    key = factories.make_key(team_id=spread.other_team["team_id"])
    factories.make_daily_user_spend(spread.member["user_id"], day(8), api_key=key["token"], **counters(3.0))
    rollup.refresh()
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            'UPDATE "LiteLLM_VerificationToken" SET team_id = %s WHERE token = %s',
            [spread.team["team_id"], key["token"]],
        )
    done = rollup.refresh()
    assert f"org:{spread.org['organization_id']}" in done.scopes_rebuilt


def test_a_range_the_rollups_do_not_cover_is_read_from_the_daily_tables(spread):
    rollup.refresh()
    RollupScope.objects.update(before_day=day(20))  # as if the last refresh ran 18 days ago
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    factories.make_daily_team_spend(spread.team["team_id"], day(12), api_key="new", **counters(7.0))
    figures = {f.key: f.value for f in selectors.figures(proxy, period)}
    with connections["litellm"].cursor() as cursor:
        cursor.execute('SELECT SUM(spend) FROM "LiteLLM_DailyTeamSpend" WHERE date >= %s', [day(29)])
        assert figures["spend"] == pytest.approx(float(cursor.fetchone()[0]))


def test_usage_warm_refreshes_the_rollups_first(spread, settings):
    settings.USAGE_CLOSED_DAYS_CACHE_SECONDS = 3600
    out = io.StringIO()
    call_command("usage_warm", "--ranges", "7d", stdout=out)
    assert "Rollups of closed days:" in out.getvalue()
    assert RollupScope.objects.filter(scope="proxy", before_day=rollup.first_open_day()).exists()


def test_ops_see_what_is_rolled_up_in_the_admin_and_cannot_change_it(spread, client):
    client.force_login(spread.ops)
    rollup.refresh()
    page = client.get("/admin/usage/rollupscope/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "proxy" in text and rollup.first_open_day() in text
    assert f"org:{spread.org['organization_id']}" in text
    assert client.get("/admin/usage/rollupscope/add/").status_code == 403
    days = client.get("/admin/usage/rollupday/")
    assert days.status_code == 200 and day(5) in days.content.decode()


def test_equal_spend_read_from_the_rollups_is_ranked_by_id(cast, monkeypatch):
    """The rollups' top keys are cut by spend in SQL and ranked in Python: 0.1 + 0.2 on two
    closed days (0.30000000000000004) ties a plain 0.3, and ties go by id, as on the daily tables."""
    monkeypatch.setattr(selectors.breakdowns, "CACHED_TOP", 2)
    team = cast.team["team_id"]
    factories.make_daily_team_spend(team, day(8), api_key="b", **counters(0.1))
    factories.make_daily_team_spend(team, day(5), api_key="b", **counters(0.2))
    for key in ("h", "g", "f", "e", "d", "c"):
        factories.make_daily_team_spend(team, day(8), api_key=key, **counters(0.3))
    # "a" is numbered last (it first appears on the later day): the ids' order is not the ranking
    factories.make_daily_team_spend(team, day(5), api_key="a", **counters(0.3))
    factories.make_daily_team_spend(team, day(5), api_key="small", **counters(0.01))
    period = selectors.period_for("30d")
    proxy = selectors.Scope("proxy")
    live = [r.id for r in selectors.breakdown(proxy, period, "keys", limit=2)]
    rollup.refresh()
    assert [r.id for r in selectors.breakdown(proxy, period, "keys", limit=2)] == live == ["a", "b"]
