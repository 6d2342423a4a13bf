"""Local months (REPORTS_MONTHS=local): Europe/Berlin's March 2026, across the DST change of
29 March, equals a hand-written SQL sum of the daily tables' whole UTC days and the spend logs of
the boundary hours, per entity kind; the UTC default is unchanged."""

from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connections

from config.litellm import table_name
from reports.close import close_month
from reports.models import MonthClose
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

TODAY = date(2026, 4, 15)
# Worked out by hand: Berlin's March starts 2026-02-28 23:00 UTC (CET, +1) and ends 2026-03-31
# 22:00 UTC (CEST, +2). Whole UTC days 1..30 March; boundary hours 28 Feb 23:00-24:00 and 31 Mar 00:00-22:00.
HAND_WINDOWS = (
    "((l.\"startTime\" >= '2026-02-28 23:00' AND l.\"startTime\" < '2026-03-01 00:00') OR "
    "(l.\"startTime\" >= '2026-03-31 00:00' AND l.\"startTime\" < '2026-03-31 22:00'))"
)
HAND_DAYS = "d.date >= '2026-03-01' AND date <= '2026-03-30'"
METHOD = (
    "local months in Europe/Berlin: 2026-03-01 00:00 CET .. 2026-04-01 00:00 CEST; "
    "whole UTC days 2026-03-01..2026-03-30 from the daily tables, the boundary hours "
    "(2026-02-28 23:00..00:00 UTC, 2026-03-31 00:00..22:00 UTC) from SpendLogs"
)


@pytest.fixture
def berlin(settings):
    settings.CONSOLE_TIME_ZONE = "Europe/Berlin"
    return settings


@pytest.fixture
def march(cast):
    """Daily rows on 28 Feb, 1, 30, 31 March and 1 April; spend logs in and just outside the boundary hours."""
    key_a = factories.make_key(alias="a-key", user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    key_b = factories.make_key(alias="b-key", user_id=cast.outsider["user_id"], team_id=cast.other_team["team_id"])
    counters = dict(
        api_requests=2, successful_requests=2, prompt_tokens=10, completion_tokens=5, cache_read_input_tokens=1
    )
    for day, spend in (
        ("2026-02-28", 1000.0),
        ("2026-03-01", 1.0),
        ("2026-03-30", 2.0),
        ("2026-03-31", 300.0),
        ("2026-04-01", 5000.0),
    ):
        factories.make_daily_spend(
            cast.member["user_id"], cast.team["team_id"], day, api_key=key_a["token"], spend=spend, **counters
        )
        factories.make_daily_tag_spend("prod", day, api_key=key_a["token"], spend=spend, api_requests=2)
    logs = [
        (datetime(2026, 2, 28, 22, 59), 10000.0, key_a, "prod"),  # 23:59 CET on 28 Feb: February
        (datetime(2026, 2, 28, 23, 0), 0.5, key_b, "prod"),  # 00:00 CET on 1 March: in
        (datetime(2026, 3, 1, 12, 0), 20000.0, key_a, "prod"),  # a whole UTC day: the daily tables count it
        (datetime(2026, 3, 31, 9, 0), 0.25, key_a, "batch"),
        (datetime(2026, 3, 31, 21, 59), 0.125, key_b, "prod"),  # 23:59 CEST on 31 March: in
        (datetime(2026, 3, 31, 22, 0), 30000.0, key_b, "prod"),  # 00:00 CEST on 1 April: out
    ]
    owners = {key_a["token"]: (cast.member, cast.team), key_b["token"]: (cast.outsider, cast.other_team)}
    for i, (start, spend, key, tag) in enumerate(logs):
        user, team = owners[key["token"]]
        factories.make_spend_log(
            api_key=key["token"],
            spend=spend,
            start_time=start,
            user=user["user_id"],
            team_id=team["team_id"],
            model="gpt-4o" if i % 2 else "claude-3",
            model_group="group-alias",
            request_tags=[tag],
            prompt_tokens=7,
            completion_tokens=3,
            metadata={"status": "failure"} if i == 4 else {},
        )
    return key_a, key_b


def hand(sql_logs: str, sql_daily: str, table: str = "DailyTeamSpend") -> dict[str, tuple]:
    """{entity: (spend, requests, failed, prompt)} from a hand-written UNION of the two sources."""
    team_join = f'LEFT JOIN "{table_name("TeamTable")}" t ON t.team_id = d.team_id' if table == "DailyTeamSpend" else ""
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f"""SELECT e, SUM(spend), SUM(req), SUM(failed), SUM(prompt) FROM (
                SELECT {sql_daily} AS e, d.spend, d.api_requests AS req, d.failed_requests AS failed,
                       d.prompt_tokens AS prompt
                FROM "{table_name(table)}" d {team_join}
                WHERE {HAND_DAYS}
                UNION ALL
                SELECT {sql_logs}, l.spend, 1, CASE WHEN l.metadata->>'status' = 'failure' THEN 1 ELSE 0 END,
                       l.prompt_tokens
                FROM "{table_name("SpendLogs")}" l LEFT JOIN "{table_name("TeamTable")}" t ON t.team_id = l.team_id
                WHERE {HAND_WINDOWS}) s GROUP BY e""",
        )
        return {e: (round(s, 6), int(r), int(f), int(p)) for e, s, r, f, p in cursor.fetchall()}


def got(close, kind) -> dict[str, tuple]:
    return {
        f.entity: (round(f.spend, 6), f.api_requests, f.failed_requests, f.prompt_tokens)
        for f in close.figures.filter(kind=kind)
    }


def test_local_month_equals_hand_sql_per_entity_kind(berlin, march):
    close = close_month("2026-03", months="local", today=TODAY)
    assert got(close, "team") == hand("l.team_id", "d.team_id")
    assert got(close, "org") == hand("t.organization_id", "t.organization_id")
    assert got(close, "key") == hand("l.api_key", "d.api_key")
    assert got(close, "model") == hand("l.model", "d.model")
    assert got(close, "total") == {"": next(iter(hand("''", "''").values()))}
    assert got(close, "user") == {k: v for k, v in hand('l."user"', "d.user_id", "DailyUserSpend").items()}
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f"""SELECT tag, SUM(spend) FROM (
                SELECT d.tag, d.spend FROM "{table_name("DailyTagSpend")}" d WHERE {HAND_DAYS}
                UNION ALL SELECT tags.tag, l.spend FROM "{table_name("SpendLogs")}" l
                CROSS JOIN LATERAL jsonb_array_elements_text(l.request_tags::jsonb) AS tags(tag) WHERE {HAND_WINDOWS}
            ) s GROUP BY tag"""
        )
        assert {f.entity: round(f.spend, 6) for f in close.figures.filter(kind="tag")} == {
            t: round(s, 6) for t, s in cursor.fetchall()
        }
    # and in figures a reader can check: 1 + 2 from the daily days, 0.5 + 0.25 + 0.125 from the logs
    assert got(close, "total")[""][:3] == (3.875, 4 + 3, 1)
    assert close.method.startswith(METHOD)
    assert "boundary hours unavailable" not in close.method


def test_empty_logs_for_a_boundary_are_said_and_left_out(berlin, cast):
    factories.make_daily_spend(cast.member["user_id"], cast.team["team_id"], "2026-03-31", spend=7.0, api_requests=1)
    factories.make_daily_spend(cast.member["user_id"], cast.team["team_id"], "2026-03-15", spend=1.5, api_requests=1)
    factories.make_spend_log(spend=0.25, start_time=datetime(2026, 2, 28, 23, 30))  # the other boundary has its logs
    close = close_month("2026-03", months="local", today=TODAY)
    assert close.figures.get(kind="total").spend == 1.75
    assert "Boundary hours unavailable: spend logs empty for 2026-03-31 00:00..2026-03-31 22:00 UTC" in close.method


def test_command_months_local_and_the_utc_default(berlin, march, capsys):
    utc = close_month("2026-03", today=TODAY)  # REPORTS_MONTHS defaults to utc: the daily tables' UTC month
    assert utc.figures.get(kind="total").spend == 1.0 + 2.0 + 300.0
    assert utc.method.startswith("UTC months: the sum of the daily tables' UTC days 2026-03-01 to 2026-03-31")
    call_command("close_month", "2026-03", "--months", "local")
    out = capsys.readouterr().out
    assert "Closed 2026-03 as version 2: spend 3.88, 7 requests, from" in out
    assert "daily rows and spend logs." in out
    assert METHOD in out


def test_the_setting_chooses_local_months_and_the_page_states_the_method(berlin, march, cast, client_for):
    berlin.REPORTS_MONTHS = "local"
    close = close_month("2026-03", today=TODAY)
    assert close.figures.get(kind="total").spend == 3.875
    page = client_for(cast.proxy_admin).get(f"/reports/{close.label}/")
    assert page.status_code == 200
    assert "local months in Europe/Berlin: 2026-03-01 00:00 CET .. 2026-04-01 00:00 CEST" in page.content.decode()


def test_the_job_closes_a_local_month_west_of_utc_once_it_has_ended(berlin, cast):
    from reports.close import close_previous_month

    berlin.CONSOLE_TIME_ZONE, berlin.REPORTS_MONTHS = "America/New_York", "local"
    factories.make_daily_spend(cast.member["user_id"], cast.team["team_id"], "2026-03-15", spend=1.5, api_requests=1)
    assert close_previous_month(today=date(2026, 4, 1)) is None  # New York's March ends 1 April 04:00 UTC
    close = close_previous_month(today=date(2026, 4, 2))
    assert close.label == "2026-03" and close.figures.get(kind="total").spend == 1.5
    assert close.method.startswith("local months in America/New_York: 2026-03-01 00:00 EST .. 2026-04-01 00:00 EDT")
    assert "whole UTC days 2026-03-02..2026-03-31" in close.method


def test_without_the_starttime_index_the_method_says_how_to_create_it(berlin, march, monkeypatch):
    import reports.local_months

    monkeypatch.setattr(reports.local_months, "catalog", lambda: type("C", (), {"has_index": lambda *a: False})())
    close = close_month("2026-03", months="local", today=TODAY)
    assert close.figures.get(kind="total").spend == 3.875  # still read, bounded by time
    assert 'SpendLogs has no ("startTime") index here' in close.method
    assert "manage.py indexes --create" in close.method


def test_a_bad_setting_is_a_clear_command_error(berlin, march):
    from django.core.management import CommandError

    berlin.REPORTS_MONTHS = "lokal"
    with pytest.raises(CommandError, match="Months must be 'utc' or 'local', not 'lokal'"):
        call_command("close_month", "2026-03")
    assert not MonthClose.objects.exists()
