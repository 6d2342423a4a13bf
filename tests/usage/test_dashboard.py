"""The usage dashboard: figures equal sums taken straight from SQL, on both schemas, with
duplicate rows and NULL/'' "none" values; exports match the page; scopes follow roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse

from config.writes import now_utc
from tests import factories
from usage import selectors
from usage.models import DailyTeamSpend

pytestmark = pytest.mark.django_db(databases="__all__")

URL = reverse("usage:dashboard")


def day(offset: int) -> str:
    return (now_utc().date() - timedelta(days=offset)).isoformat()


def sql_sum(table: str, where: str = "TRUE", params=()) -> dict:
    """Sums taken straight from the table, no console code involved."""
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(spend), 0), COALESCE(SUM(api_requests), 0), COALESCE(SUM(successful_requests), 0),"
            f" COALESCE(SUM(failed_requests), 0), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0),"
            f" COALESCE(SUM(cache_read_input_tokens + cache_creation_input_tokens), 0)"
            f' FROM "LiteLLM_{table}" WHERE {where}',
            list(params),
        )
        keys = ["spend", "requests", "successful", "failed", "prompt_tokens", "completion_tokens", "cache_tokens"]
        values = cursor.fetchone()
        return {k: float(v) if k == "spend" else int(v) for k, v in zip(keys, values, strict=True)}


def rows(**values):
    base = dict(
        spend=1.25,
        api_requests=10,
        successful_requests=9,
        failed_requests=1,
        prompt_tokens=1000,
        completion_tokens=200,
        cache_read_input_tokens=30,
        cache_creation_input_tokens=5,
    )
    return {**base, **values}


@pytest.fixture
def spend(cast):
    """Team rows as proxies of several ages leave them: duplicates per key/day/model (a NULL
    provider slips past the unique index on both schemas; an endpoint on the newest), and
    '' as well as NULL for "none"."""
    team = cast.team["team_id"]
    other = cast.other_team["team_id"]
    newest = DailyTeamSpend.has_column("endpoint")
    made = []
    for offset in (0, 1, 5):
        made.append(factories.make_daily_team_spend(team, day(offset), api_key="k1", **rows()))
        made.append(
            factories.make_daily_team_spend(
                team, day(offset), api_key="k1", custom_llm_provider=None, **rows(spend=0.5)
            )
        )
        made.append(
            factories.make_daily_team_spend(
                team, day(offset), api_key="k1", custom_llm_provider=None, **rows(spend=0.25)
            )
        )
    if newest:
        made.append(factories.make_daily_team_spend(team, day(2), api_key="k1", endpoint="/v1/embeddings", **rows()))
        made.append(factories.make_daily_team_spend(None, day(2), api_key="k9", model=None, **rows(spend=3.0)))
    made.append(factories.make_daily_team_spend("", day(2), api_key="k9", model="", **rows(spend=2.0)))
    made.append(factories.make_daily_team_spend(other, day(3), api_key="k2", model="claude", **rows(spend=7.0)))
    # the previous 30-day period
    made.append(factories.make_daily_team_spend(team, day(40), api_key="k1", **rows(spend=4.0, api_requests=4)))
    return made


def page_figures(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'data-figure="(\w+)">\s*<div class="label">[^<]*</div>\s*<div class="value">([^<]*)<', html)
    )


def test_it_sums_the_whole_proxy_like_sql(cast, client_for, spend):
    period = selectors.period_for("30d")
    where, params = "date >= %s AND date <= %s", [period.start.isoformat(), period.end.isoformat()]
    expected = sql_sum("DailyTeamSpend", where, params)
    got = {f.key: f.value for f in selectors.figures(selectors.Scope("proxy"), period)}
    assert got["spend"] == pytest.approx(float(expected["spend"]))
    for key in ("requests", "successful", "failed", "prompt_tokens", "completion_tokens", "cache_tokens"):
        assert got[key] == expected[key], key
    assert got["success_rate"] == pytest.approx(expected["successful"] / (expected["successful"] + expected["failed"]))
    assert got["avg_cost"] == pytest.approx(float(expected["spend"]) / expected["requests"])

    response = client_for(cast.proxy_admin).get(URL, {"range": "30d"})
    assert response.status_code == 200
    shown = page_figures(response.content.decode())
    assert shown["spend"] == f"${float(expected['spend']):,.2f}"
    assert shown["requests"] == f"{expected['requests']:,}"
    assert shown["failed"] == f"{expected['failed']:,}"


def test_it_compares_with_the_previous_period_of_equal_length(cast, spend):
    period = selectors.period_for("30d")
    prev = period.previous()
    assert prev.days == period.days == 30
    assert prev.end == period.start - timedelta(days=1)
    expected = sql_sum("DailyTeamSpend", "date >= %s AND date <= %s", [prev.start.isoformat(), prev.end.isoformat()])
    got = {f.key: f for f in selectors.figures(selectors.Scope("proxy"), period)}
    assert got["spend"].previous == pytest.approx(float(expected["spend"])) == pytest.approx(4.0)
    assert got["requests"].previous == 4


def test_it_sums_one_team_including_duplicate_rows(cast, spend):
    team = cast.team["team_id"]
    period = selectors.period_for("7d")
    expected = sql_sum(
        "DailyTeamSpend",
        "team_id = %s AND date >= %s AND date <= %s",
        [team, period.start.isoformat(), period.end.isoformat()],
    )
    scope = selectors.resolve_scope(_admin(cast), "team", team)
    got = {f.key: f.value for f in selectors.figures(scope, period)}
    assert got["spend"] == pytest.approx(float(expected["spend"]))
    assert got["requests"] == expected["requests"]
    series = selectors.daily_series(scope, period)
    assert sum(series.spend) == pytest.approx(float(expected["spend"]))
    assert sum(series.successful) == expected["successful"]


def test_it_treats_null_and_empty_as_the_same_none(cast, spend):
    period = selectors.period_for("30d")
    teams = selectors.breakdown(selectors.Scope("proxy"), period, "teams")
    nones = [r for r in teams if r.label == selectors.NONE_LABEL]
    assert len(nones) == 1  # NULL and '' team ids land in one bucket
    expected = sql_sum(
        "DailyTeamSpend",
        "COALESCE(team_id, '') = '' AND date >= %s AND date <= %s",
        [period.start.isoformat(), period.end.isoformat()],
    )
    assert nones[0].spend == pytest.approx(float(expected["spend"]))
    models = selectors.breakdown(selectors.Scope("proxy"), period, "models")
    assert len([r for r in models if r.label == selectors.NONE_LABEL]) == 1
    assert sum(r.share for r in teams) == pytest.approx(1.0)
    providers = {r.label: r for r in selectors.breakdown(selectors.Scope("proxy"), period, "providers")}
    assert "unknown" in providers  # NULL provider


def test_it_sums_users_and_tags_from_their_own_tables(cast, client_for):
    user = cast.member["user_id"]
    factories.make_daily_user_spend(user, day(0), api_key="k1", **rows(spend=2.0))
    factories.make_daily_user_spend(user, day(0), api_key="k1", custom_llm_provider=None, **rows(spend=1.0))
    factories.make_daily_user_spend(cast.outsider["user_id"], day(0), api_key="k3", **rows(spend=9.0))
    factories.make_daily_tag_spend("prod", day(1), api_key="k1", **rows(spend=5.0))
    factories.make_daily_tag_spend("", day(1), api_key="k1", **rows(spend=6.0))
    period = selectors.period_for("7d")
    mine = {f.key: f.value for f in selectors.figures(selectors.resolve_scope(_admin(cast), "user", user), period)}
    assert mine["spend"] == pytest.approx(3.0)
    tag = {f.key: f.value for f in selectors.figures(selectors.Scope("tag", "prod", "prod"), period)}
    assert tag["spend"] == pytest.approx(5.0)
    tags = selectors.breakdown(selectors.Scope("proxy"), period, "tags")
    assert {r.label: r.spend for r in tags} == {"(none)": pytest.approx(6.0), "prod": pytest.approx(5.0)}
    users = selectors.breakdown(selectors.Scope("proxy"), period, "users")
    assert users[0].label == "outsider@example.com" and users[0].spend == pytest.approx(9.0)

    # an internal user lands on their own figures
    response = client_for(cast.member).get(URL, {"range": "7d"})
    assert response.status_code == 200
    assert page_figures(response.content.decode())["spend"] == "$3.00"


def test_it_sums_an_organization_through_its_teams(cast, spend):
    period = selectors.period_for("30d")
    scope = selectors.resolve_scope(_admin(cast), "org", cast.org["organization_id"])
    assert scope.budget == 1000.0
    got = {f.key: f.value for f in selectors.figures(scope, period)}
    expected = sql_sum(
        "DailyTeamSpend",
        "team_id = %s AND date >= %s AND date <= %s",
        [cast.team["team_id"], period.start.isoformat(), period.end.isoformat()],
    )
    assert got["spend"] == pytest.approx(float(expected["spend"]))


def test_it_draws_every_chart_with_a_text_alternative_and_a_budget_line(cast, client_for, spend):
    response = client_for(cast.proxy_admin).get(URL, {"scope": "org", "id": cast.org["organization_id"]})
    html = response.content.decode()
    assert html.count("<svg") == 4  # spend, tokens, requests, cumulative vs budget
    assert 'role="img"' in html and "<title>" in html
    assert html.count("<details") == 4
    assert "Budget (max_budget)" in html
    assert "UTC" in html


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


@pytest.mark.parametrize("chart", ["spend", "tokens", "requests", "budget"])
def test_each_chart_export_holds_exactly_what_the_chart_shows(cast, client_for, spend, chart):
    client = client_for(cast.proxy_admin)
    params = {"scope": "team", "id": cast.team["team_id"], "range": "7d"}
    if chart == "budget":
        factories_team_budget(cast.team["team_id"], 100.0)
    page = client.get(URL, params)
    exported = csv_rows(client.get(URL, {**params, "export": chart}))
    shown = next(c for c in page.context["charts"] if c.id == chart)
    assert exported[0] == shown.header
    assert exported[1:] == [[str(v) for v in row] for row in shown.rows]
    assert len(exported) == 1 + 7
    # the data table on the page shows the same rows
    assert shown.rows[-1][0] in page.content.decode()


def factories_team_budget(team_id, amount):
    from accounts.models import TeamTable
    from config import writes

    writes.update_row(TeamTable, team_id, {"max_budget": amount})


@pytest.mark.parametrize("table", ["teams", "users", "keys", "models", "providers", "tags"])
def test_each_breakdown_export_matches_its_table(cast, client_for, spend, table):
    client = client_for(cast.proxy_admin)
    page = client.get(URL, {"range": "30d"})
    shown = dict((name, rows) for name, _title, rows in page.context["breakdowns"])[table]
    exported = csv_rows(client.get(URL, {"range": "30d", "export": table}))
    assert exported[0] == ["name", "spend", "tokens", "requests", "share"]
    assert [r[0] for r in exported[1:]] == [r.label for r in shown]
    assert [float(r[1]) for r in exported[1:]] == pytest.approx([r.spend for r in shown])
    assert [int(r[3]) for r in exported[1:]] == [r.requests for r in shown]
    html = page.content.decode()
    for r in shown:
        assert r.label in html


def test_figures_export_matches_the_page(cast, client_for, spend):
    client = client_for(cast.proxy_admin)
    page = client.get(URL, {"range": "30d"})
    exported = csv_rows(client.get(URL, {"range": "30d", "export": "figures"}))
    assert [r[0] for r in exported[1:]] == [f.label for f in page.context["figures"]]
    assert [float(r[1]) for r in exported[1:]] == pytest.approx([f.value for f in page.context["figures"]])


@pytest.mark.parametrize("range_key", ["7d", "30d", "90d", "this_month", "last_month"])
def test_it_offers_every_period(cast, client_for, range_key):
    response = client_for(cast.proxy_admin).get(URL, {"range": range_key})
    assert response.status_code == 200
    period = response.context["period"]
    assert period == selectors.period_for(range_key)


def test_a_custom_period_is_checked(cast, client_for):
    client = client_for(cast.proxy_admin)
    ok = client.get(URL, {"range": "custom", "start": day(10), "end": day(3)})
    assert ok.context["period"].days == 8
    bad = client.get(URL, {"range": "custom", "start": day(3), "end": day(10)})
    assert bad.status_code == 200
    assert "The end date is before the start date." in bad.content.decode()


def test_it_queries_the_database_a_fixed_number_of_times(cast, client_for, spend, django_assert_max_num_queries):
    client = client_for(cast.proxy_admin)
    client.get(URL)
    with django_assert_max_num_queries(20):
        client.get(URL, {"range": "90d"})


# -- scopes follow roles ----------------------------------------------------------------------------


def _admin(cast):
    from config import policy

    return policy.principal_for_litellm_user(cast.proxy_admin["user_id"])


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("kind", ["proxy", "org", "team", "tag", "model"])
def test_an_internal_user_may_not_look_beyond_themselves(cast, client_for, kind):
    response = client_for(cast.member).get(URL, {"scope": kind, "id": cast.team["team_id"]})
    assert response.status_code == 403


def test_an_internal_user_may_not_see_another_user(cast, client_for):
    response = client_for(cast.member).get(URL, {"scope": "user", "id": cast.outsider["user_id"]})
    assert response.status_code == 404


def test_a_team_admin_sees_their_team_but_not_another(cast, client_for):
    client = client_for(cast.team_admin)
    assert client.get(URL, {"scope": "team", "id": cast.team["team_id"]}).status_code == 200
    assert client.get(URL, {"scope": "team", "id": cast.other_team["team_id"]}).status_code == 404
    assert client.get(URL, {"scope": "org", "id": cast.org["organization_id"]}).status_code == 403


def test_an_org_admin_sees_their_org_and_its_teams_only(cast, client_for):
    client = client_for(cast.org_admin)
    assert client.get(URL).context["scope"].kind == "org"
    assert client.get(URL, {"scope": "team", "id": cast.team["team_id"]}).status_code == 200
    assert client.get(URL, {"scope": "org", "id": cast.other_org["organization_id"]}).status_code == 404
    assert client.get(URL, {"scope": "team", "id": cast.other_team["team_id"]}).status_code == 404
    assert client.get(URL, {"scope": "proxy"}).status_code == 403


def test_keys_scope_is_limited_to_keys_one_may_see(cast, client_for):
    mine = factories.make_key(user_id=cast.member["user_id"], alias="mine")
    theirs = factories.make_key(user_id=cast.outsider["user_id"], alias="theirs")
    client = client_for(cast.member)
    assert client.get(URL, {"scope": "key", "id": mine["token"]}).status_code == 200
    assert client.get(URL, {"scope": "key", "id": theirs["token"]}).status_code == 404


def test_the_scope_tabs_follow_the_role(cast, client_for):
    kinds = [k for k, _ in client_for(cast.member).get(URL).context["scope_kinds"]]
    assert kinds == ["user", "key"]
    kinds = [k for k, _ in client_for(cast.proxy_admin).get(URL).context["scope_kinds"]]
    assert kinds == ["proxy", "org", "team", "user", "key", "tag", "model"]


def test_spend_can_be_stacked_by_team(cast, client_for, spend):
    response = client_for(cast.proxy_admin).get(URL, {"range": "30d", "stack": "team"})
    chart = next(c for c in response.context["charts"] if c.id == "spend")
    assert chart.title == "Spend per day by team"
    assert {"Research", "Other"} <= set(chart.header)  # the cast's two team aliases
    period = selectors.period_for("30d")
    expected = sql_sum(
        "DailyTeamSpend", "date >= %s AND date <= %s", [period.start.isoformat(), period.end.isoformat()]
    )
    assert sum(row[-1] for row in chart.rows) == pytest.approx(expected["spend"])


def test_a_scope_tab_without_a_value_asks_for_one(cast, client_for):
    response = client_for(cast.proxy_admin).get(URL, {"scope": "tag"})
    assert response.status_code == 200
    assert "Enter a tag above" in response.content.decode()
    response = client_for(cast.proxy_admin).get(URL, {"scope": "team"})
    assert response.context["scope"].kind == "team"  # the first team one may see


def test_a_scope_without_requests_shows_no_rate_instead_of_zero_percent(cast, client_for, spend):
    # A model nobody called in the period: no success rate or average cost, not "0.0%" / "$0".
    client = client_for(cast.proxy_admin)
    params = {"scope": "model", "id": "claude", "range": "custom", "start": day(20), "end": day(10)}
    page = client.get(URL, params)
    html = page.content.decode()
    for key in ("success_rate", "avg_cost"):
        card = re.search(
            rf'data-figure="{key}">.*?<div class="value">(.*?)</div>\s*<div class="small">(.*?)</div>', html, re.S
        )
        assert card, key
        assert card.group(1) == "—"
        assert "no requests" in card.group(2)
    exported = csv_rows(client.get(URL, {**params, "export": "figures"}))
    assert dict((r[0], r[1]) for r in exported[1:])["Success rate"] == ""
