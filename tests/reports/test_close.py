"""Month close: the daily tables' month frozen per entity; a late flush changes the daily
tables, never a closed version; closing again makes a new version that says what moved."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from config.litellm import table_name
from reports.close import Month, close_month, close_previous_month
from reports.diff import version_changes
from reports.models import MonthClose
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

TODAY = date(2026, 12, 2)


@pytest.fixture
def november(cast):
    """Two teams in two orgs, two keys, spend on 3 November days and on 1 December (not November)."""
    key_a = factories.make_key(alias="research-key", user_id=cast.member["user_id"], team_id=cast.team["team_id"])
    key_b = factories.make_key(alias="other-key", user_id=cast.outsider["user_id"], team_id=cast.other_team["team_id"])
    rows = {}
    for day, spend_a, spend_b in (("2026-11-01", 1.0, 10.0), ("2026-11-15", 2.0, 0.0), ("2026-11-30", 4.0, 20.0)):
        common = dict(
            api_requests=3,
            successful_requests=2,
            failed_requests=1,
            prompt_tokens=100,
            completion_tokens=50,
            cache_read_input_tokens=7,
            cache_creation_input_tokens=3,
        )
        rows[day] = factories.make_daily_spend(
            cast.member["user_id"], cast.team["team_id"], day, api_key=key_a["token"], spend=spend_a, **common
        )
        if spend_b:
            factories.make_daily_spend(
                cast.outsider["user_id"],
                cast.other_team["team_id"],
                day,
                api_key=key_b["token"],
                spend=spend_b,
                model="claude-3",
                **common,
            )
        factories.make_daily_tag_spend("prod", day, api_key=key_a["token"], spend=spend_a, api_requests=3)
    factories.make_daily_spend(
        cast.member["user_id"], cast.team["team_id"], "2026-12-01", api_key=key_a["token"], spend=100.0, api_requests=9
    )
    factories.make_daily_spend(
        cast.member["user_id"], cast.team["team_id"], "2026-10-31", api_key=key_a["token"], spend=50.0, api_requests=9
    )
    return key_a, key_b, rows


def figure(close, kind, entity="", parent=None):
    qs = close.figures.filter(kind=kind, entity=entity)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.get()


def late_flush(table: str, day: str, api_key: str, spend: float, requests: int = 1):
    """The proxy's batch writer upserting a late request into an existing daily row (its
    ON CONFLICT ... DO UPDATE SET col = col + EXCLUDED.col)."""
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table_name(table)}" SET spend = spend + %s, api_requests = api_requests + %s'
            " WHERE date = %s AND api_key = %s",
            [spend, requests, day, api_key],
        )
        assert cursor.rowcount == 1


def test_close_freezes_every_entity_kind(cast, november):
    key_a, key_b, _ = november
    close = close_month("2026-11", today=TODAY)
    assert (close.version, close.first_day, close.last_day) == (1, date(2026, 11, 1), date(2026, 11, 30))
    total = figure(close, "total")
    assert total.spend == pytest.approx(37.0)
    assert (total.api_requests, total.successful_requests, total.failed_requests) == (15, 10, 5)
    assert (total.prompt_tokens, total.completion_tokens) == (500, 250)
    assert (total.cache_read_input_tokens, total.cache_creation_input_tokens) == (35, 15)
    team = figure(close, "team", cast.team["team_id"])
    assert (team.spend, team.parent, team.label) == (pytest.approx(7.0), cast.org["organization_id"], "Research")
    assert figure(close, "org", cast.other_org["organization_id"]).spend == pytest.approx(30.0)
    assert figure(close, "org", cast.other_org["organization_id"]).label == "Globex"
    assert figure(close, "user", cast.member["user_id"]).label == "member@example.com"
    assert figure(close, "key", key_a["token"]).label == "research-key"
    assert figure(close, "model", "claude-3").spend == pytest.approx(30.0)
    assert figure(close, "tag", "prod").spend == pytest.approx(7.0)
    assert figure(close, "team_key", key_a["token"], cast.team["team_id"]).spend == pytest.approx(7.0)
    assert figure(close, "team_model", "gpt-4o", cast.team["team_id"]).spend == pytest.approx(7.0)
    assert figure(close, "org_model", "claude-3", cast.other_org["organization_id"]).spend == pytest.approx(30.0)


def test_a_late_flush_leaves_the_closed_month_alone_and_a_reclose_shows_the_diff(cast, november):
    key_a, _, _ = november
    first = close_month("2026-11", today=TODAY)
    late_flush("DailyTeamSpend", "2026-11-30", key_a["token"], 5.0)
    late_flush("DailyUserSpend", "2026-11-30", key_a["token"], 5.0)
    factories.make_daily_spend(
        cast.member["user_id"],
        cast.team["team_id"],
        "2026-11-29",
        api_key=key_a["token"],
        model="gpt-4o-mini",
        spend=0.5,
        api_requests=1,
    )

    first.refresh_from_db()
    assert figure(first, "total").spend == pytest.approx(37.0)
    assert figure(first, "team", cast.team["team_id"]).spend == pytest.approx(7.0)
    assert not first.figures.filter(entity="gpt-4o-mini").exists()

    second = close_month("2026-11", today=TODAY)
    assert second.version == 2
    assert figure(second, "total").spend == pytest.approx(42.5)
    assert figure(first, "total").spend == pytest.approx(37.0)
    changes = {(c.kind, c.entity): c for c in version_changes(second)}
    assert changes[("total", "")].spend_delta == pytest.approx(5.5)
    assert changes[("team", cast.team["team_id"])].spend_before == pytest.approx(7.0)
    assert changes[("team", cast.team["team_id"])].spend_after == pytest.approx(12.5)
    assert changes[("model", "gpt-4o-mini")].spend_before == 0
    assert ("team", cast.other_team["team_id"]) not in changes
    assert list(changes)[0] == ("total", "")  # largest change first


def test_command_closes_and_refuses_unfinished_or_malformed_months(cast, november, capsys):
    call_command("close_month", "2026-11")
    out = capsys.readouterr().out
    assert "Closed 2026-11 as version 1" in out and "spend 37.00" in out
    call_command("close_month", "2026-11")
    assert "version 2" in capsys.readouterr().out
    this_month = Month.parse("2099-01")
    with pytest.raises(CommandError, match="not over yet"):
        call_command("close_month", this_month.label)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("close_month", "November")
    assert MonthClose.objects.count() == 2


def test_the_periodic_job_closes_the_month_that_ended_once(cast, november):
    first = close_previous_month(today=TODAY)
    again = close_previous_month(today=TODAY)
    assert (first.label, first.version, again.pk) == ("2026-11", 1, first.pk)


def test_an_empty_month_closes_with_zero_totals(cast):
    close = close_month("2020-02", today=TODAY)
    assert figure(close, "total").spend == 0 and close.source_rows == 0


def test_the_workers_run_the_close_on_the_first_of_each_month(cast, november, monkeypatch):
    from jobs.queue import PERIODIC_TASKS, app

    periodic = {p.name: p.cron for p in PERIODIC_TASKS}
    assert periodic.get("reports.close_month") == "10 0 1,2 * *"  # the 2nd: local months west of UTC
    import reports.tasks

    # the job closes "the month that ended": pin today so the test does not depend on the date
    monkeypatch.setattr(reports.tasks, "close_previous_month", lambda: close_previous_month(today=TODAY))
    app.tasks["reports.close_month"].func.__wrapped__(timestamp=0)  # the body, without the worker wrapper
    assert MonthClose.objects.filter(month=date(2026, 11, 1)).exists()
