"""Query shapes of issue 17 proved by their plans on a few thousand rows (EXPLAIN ANALYZE of
the statements a page really runs), on both schemas: a key's and a team's usage read their own
rows through the daily tables' api_key index, the home page reads only the open days live,
and the keys list filtered by a team reads that team's keys through the (team_id) index.
The rows come from the benchmark's generator (usage/benchdata.py) at a small size."""

from __future__ import annotations

import io
import re
import string
from datetime import timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import litellm
from config.selectors import month_bounds
from config.writes import now_utc
from usage import benchdata
from usage.selectors import OPEN_DAYS, Scope, breakdown, period_for

pytestmark = pytest.mark.django_db(databases="__all__")

SIZE = benchdata.Size(
    orgs=4, teams=40, users=2000, keys=5000, days=40, daily_rows_per_day=200, spend_logs=0, error_logs=0
)
TEAM = "team-7"  # 125 of the 5,000 keys (key i belongs to team (i % users) % teams)


def _sql(query: str, params=()) -> list[tuple]:
    with connections["litellm"].cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _key_token(i: int) -> str:
    return _sql("SELECT md5('key-' || %s) || md5('key2-' || %s)", [str(i), str(i)])[0][0]


@pytest.fixture
def deployment(cast):
    newest = litellm.catalog().has_column("SpendLogs", "status")
    ctx = {
        "models": benchdata._array(m for m, _ in benchdata.MODELS),
        "providers": benchdata._array(p for _, p in benchdata.MODELS),
        "tags": benchdata._array(benchdata.TAGS),
        "n_models": len(benchdata.MODELS),
        "n_tags": len(benchdata.TAGS),
        **SIZE.__dict__,
        "daily_rows": SIZE.days * SIZE.daily_rows_per_day,
    }
    with connections["litellm"].cursor() as cursor:
        for label, sql in benchdata._steps(newest):
            if label not in ("spend logs", "error logs"):
                cursor.execute(string.Template(sql).substitute(ctx))
        cursor.execute("ANALYZE")
    litellm.reset_catalog()
    yield cast
    litellm.reset_catalog()


def _index(table: str, column: str) -> None:
    """Build a recommended index for this test (rolled back with it), named as `manage.py
    indexes --create` names it, and analyze so the planner knows it."""
    name = litellm.table_name(table)
    _sql(f'CREATE INDEX "{name}_{column}_idx" ON "{name}" ({column})')
    _sql(f'ANALYZE "{name}"')
    litellm.reset_catalog()


def page_plans(client, path: str) -> list[tuple[str, str]]:
    """(statement, its EXPLAIN ANALYZE plan) for every read the page sends to LiteLLM's database."""
    with CaptureQueriesContext(connections["litellm"]) as captured:
        response = client.get(path)
        assert response.status_code == 200, path
    out = []
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        if sql.upper().startswith(("SELECT", "WITH")):
            plan = _sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
            out.append((sql, "\n".join(row[0] for row in plan)))
    return out


def on(table: str, plans) -> list[tuple[str, str]]:
    name = litellm.table_name(table)
    return [(sql, plan) for sql, plan in plans if f'FROM "{name}"' in sql]


def seq_scans(table: str, plans) -> list[str]:
    return [plan for _sql_, plan in plans if f'Seq Scan on "{litellm.table_name(table)}"' in plan]


# --- 1. usage of one key ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["hash", "alias"])
def test_one_keys_usage_reads_its_rows_through_the_api_key_index(deployment, client_for, typed):
    """The key is resolved to its token first (primary key, or its alias through the
    recommended VerificationToken(key_alias) index), then every daily table is read by api_key."""
    _index("VerificationToken", "key_alias")
    value = _key_token(7) if typed == "hash" else "key-7"
    path = reverse("usage:dashboard") + f"?range=30d&scope=key&id={value}"
    plans = page_plans(client_for(deployment.proxy_admin), path)
    daily = on("DailyTeamSpend", plans) + on("DailyTagSpend", plans)
    assert len(daily) >= 3  # closed and open days, tags
    for sql, plan in daily:
        assert "Seq Scan" not in plan and "api_key_idx" in plan, (sql, plan)
    # no statement reads every key: not the resolver (key_alias alone, not ORed with key_name),
    # not the key field's datalist (the first 500 aliases in the index's order)
    assert not seq_scans("VerificationToken", plans), seq_scans("VerificationToken", plans)


def test_a_typed_alias_is_looked_up_by_its_column_alone(deployment, client_for):
    from config import lookups

    with CaptureQueriesContext(connections["litellm"]) as captured:
        match = lookups.resolve_key(None, "key-7")
    assert match.ids == (_key_token(7),)
    assert [q["sql"] for q in captured.captured_queries if "key_name" in q["sql"].split("WHERE")[-1]] == []
    masked = _sql('SELECT key_name, token FROM "LiteLLM_VerificationToken" WHERE key_alias = %s', ["key-7"])[0]
    assert _key_token(7) in lookups.resolve_key(None, masked[0]).ids  # "sk-...abcd" still finds it


# --- 2. usage of one team ----------------------------------------------------------------------


def _old_top(table: str, column: str, start: str, stop: str) -> list[tuple[str, float]]:
    """The top 10 as the dashboard computed them before (its `api_key IN (subquery)` statement)."""
    rows = _sql(
        f"""SELECT k, spend FROM (
                SELECT COALESCE(NULLIF({column}, ''), '') AS k, SUM(spend) AS spend FROM "{litellm.table_name(table)}"
                WHERE date >= %s AND date < %s AND api_key IN (
                    SELECT token FROM "{litellm.table_name("VerificationToken")}" WHERE team_id = %s)
                GROUP BY 1) g
            ORDER BY round(spend::numeric, 9) DESC, k COLLATE "C" LIMIT 10""",
        [start, stop, TEAM],
    )
    return [(k, float(s)) for k, s in rows]


@pytest.mark.parametrize("team_index", [False, True])
def test_one_teams_top_users_read_only_that_teams_rows(deployment, client_for, team_index):
    """Top users (DailyUserSpend has no team column) and top tags: the rows of the team's keys,
    found through the api_key index, never the whole proxy's rows of the period; the same
    figures as the statement they replace."""
    if team_index and not litellm.catalog().has_index("VerificationToken", ("team_id",)):
        _index("VerificationToken", "team_id")  # `manage.py indexes` recommends it (seed schema)
    path = reverse("usage:dashboard") + f"?range=30d&scope=team&id={TEAM}"
    plans = page_plans(client_for(deployment.proxy_admin), path)
    for table in ("DailyUserSpend", "DailyTagSpend"):
        (sql, plan), *_ = on(table, plans)
        assert "api_key_idx" in plan and "Seq Scan" not in plan.split("InitPlan")[0], plan
        assert "_date_idx" not in plan, plan  # not the period's rows of every team
        if team_index:  # the keys themselves through the (team_id) index too
            assert "Seq Scan" not in plan, plan
    period = period_for("30d")
    start, stop = period.start.isoformat(), (period.end + timedelta(days=1)).isoformat()
    scope = Scope("team", TEAM, TEAM)
    for name, table, column in (("users", "DailyUserSpend", "user_id"), ("tags", "DailyTagSpend", "tag")):
        shown = [(row.id, row.spend) for row in breakdown(scope, period, name)]
        old = _old_top(table, column, start, stop)
        assert len(shown) == 10
        assert [k for k, _ in shown] == [k for k, _ in old]
        assert [s for _, s in shown] == pytest.approx([s for _, s in old], abs=1e-9)


# --- 3. home ---------------------------------------------------------------------------------


def test_home_reads_only_the_open_days_live_and_shows_the_databases_sums(deployment, client_for, settings):
    settings.HOME_FIGURES_SECONDS = 0  # how it counts (keeping the figures a minute is tested in test_home_audit)
    client = client_for(deployment.proxy_admin)
    client.get(reverse("home"))  # the first view of the day fills the closed days' entry
    plans = page_plans(client, reverse("home"))
    daily = on("DailyTeamSpend", plans)
    today = now_utc().date()
    first_open = (today - timedelta(days=OPEN_DAYS - 1)).isoformat()
    assert len(daily) == 1 and f"date >= '{first_open}'" in daily[0][0], daily
    assert "Seq Scan" not in daily[0][1] and "_date_idx" in daily[0][1], daily[0][1]
    figures = client.get(reverse("home")).context["figures"]
    first, last_first, last_end = month_bounds(today)
    table = litellm.table_name("DailyTeamSpend")
    between = f'SELECT COALESCE(SUM(spend), 0) FROM "{table}" WHERE date >= %s AND date <= %s'
    this_month = _sql(between, [first.isoformat(), today.isoformat()])[0][0]
    last_month = _sql(between, [last_first.isoformat(), last_end.isoformat()])[0][0]
    assert last_month > 0
    assert figures["spend_this_month"] == pytest.approx(float(this_month), abs=1e-9)
    assert figures["spend_last_month"] == pytest.approx(float(last_month), abs=1e-9)


def test_usage_warm_fills_the_homes_closed_days(deployment, client_for):
    from django.core.management import call_command

    call_command("usage_warm", "--ranges", "7d", stdout=io.StringIO())
    daily = on("DailyTeamSpend", page_plans(client_for(deployment.proxy_admin), reverse("home")))
    first_open = (now_utc().date() - timedelta(days=OPEN_DAYS - 1)).isoformat()
    assert len(daily) == 1 and f"date >= '{first_open}'" in daily[0][0], daily  # a first view, open days only


# --- 4. keys list filtered by a team -------------------------------------------------------------


def test_keys_of_one_team_are_read_through_the_team_index_and_labelled_after_the_limit(deployment, client_for):
    if not litellm.catalog().has_index("VerificationToken", ("team_id",)):
        _index("VerificationToken", "team_id")  # what `manage.py indexes` recommends on the seed schema
    client = client_for(deployment.proxy_admin)
    for page in (1, 3):
        plans = page_plans(client, reverse("keys:key_list") + f"?team_id={TEAM}&page={page}")
        (sql, plan), *_ = [(s, p) for s, p in on("VerificationToken", plans) if "LIMIT" in s and "ORDER BY" in s]
        assert "team_id_idx" in plan and "Seq Scan" not in plan, plan
        assert "SubPlan" not in plan, plan  # no per-row label subqueries, skipped rows included
        # the sort holds the team's 125 keys, not the proxy's 5,000
        assert "actual rows=125" in plan, plan
        for table in ("TeamTable", "UserTable"):
            labels = [s for s, _p in on(table, plans) if '"user_id" = ANY(' in s or '"team_id" = ANY(' in s]
            asked = [re.search(r"ANY\('\{([^}]*)\}'\)", s).group(1).split(",") for s in labels]
            assert labels and all(len(ids) <= 50 for ids in asked), labels  # the rows shown only
