"""Reconciliation finds each planted kind of drift between the daily tables, the spend logs and
the spend counters, names its cause, and leaves agreeing entities out."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse

from config import writes
from config.litellm import table_name
from config.writes import now_utc
from keys import services as key_services
from reports import reconcile as rec
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

TODAY = now_utc().date()
START = TODAY - timedelta(days=6)


def day(offset: int) -> str:
    return (TODAY - timedelta(days=offset)).isoformat()


def at(offset: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=offset), time(hour))


def spent(
    key, offset: int, spend: float, *, log: bool = True, hour: int = 12, team_id=None, user_id=None, model="gpt-4o"
):
    """One request as the proxy books it: the daily rows and (unless logs are off) a spend log."""
    factories.make_daily_spend(
        user_id or key["user_id"],
        team_id or key["team_id"],
        day(offset),
        api_key=key["token"],
        spend=spend,
        api_requests=1,
        model=model,
    )
    if log:
        factories.make_spend_log(
            api_key=key["token"],
            spend=spend,
            start_time=at(offset, hour),
            user=user_id or key["user_id"],
            team_id=team_id or key["team_id"],
        )


def make_key(cast, alias, spend, **values):
    return factories.make_key(
        alias=alias,
        user_id=cast.member["user_id"],
        team_id=cast.team["team_id"],
        spend=spend,
        created_at=at(20),
        **values,
    )


def lines(kind="key", start=START, end=TODAY, threshold=rec.DEFAULT_THRESHOLD):
    result = rec.reconcile(kind, start, end, threshold=threshold, today=TODAY)
    return result, {ln.label: ln for ln in result.lines}


def test_agreeing_keys_are_left_out_and_each_planted_drift_is_named(cast):
    agree = make_key(cast, "agree", 1.0)
    spent(agree, 2, 1.0)
    no_logs = make_key(cast, "no-logs", 2.0)
    spent(no_logs, 3, 2.0, log=False)
    lag = make_key(cast, "lag", 1.5)
    spent(lag, 1, 0.5)
    factories.make_spend_log(api_key=lag["token"], spend=1.0, start_time=datetime.combine(TODAY, time(0, 0, 5)))
    reset = make_key(cast, "reset", 3.0, budget_duration="30d", budget_reset_at=at(3, 15) + timedelta(days=30))
    spent(reset, 3, 3.0, hour=10)  # before the reset at 15:00
    spent(reset, 3, 1.0, hour=16, model="claude-3")  # after it
    spent(reset, 2, 2.0)
    by_hand = make_key(cast, "by-hand", 10.0)
    spent(by_hand, 4, 1.0)

    result, found = lines()
    assert "agree" not in found
    assert rec.CAUSE_LOGS_MISSING in found["no-logs"].causes and found["no-logs"].logs == 0
    assert found["lag"].causes == [rec.CAUSE_FLUSH_LAG, rec.CAUSE_FLUSH_LAG]
    assert found["reset"].drift == pytest.approx(3.0)
    assert found["reset"].causes == [rec.CAUSE_RESET.format(moment=f"{at(3, 15):%Y-%m-%d} 15:00 UTC")]
    assert found["by-hand"].counter_drift == pytest.approx(9.0)
    assert found["by-hand"].causes == [rec.CAUSE_BY_HAND_UP.format(since=f"{at(20):%Y-%m-%d}")]
    assert [ln.label for ln in result.lines] == ["by-hand", "reset", "no-logs", "lag"]  # largest drift first
    _, above = lines(threshold=2.5)
    assert sorted(above) == ["by-hand", "reset"]


def test_the_page_judges_only_the_largest_drifts_it_shows_and_counts_the_rest(cast):
    for n, counter in enumerate((4.0, 9.0, 6.0, 1.0)):  # each counter above one dollar of daily spend
        spent(make_key(cast, f"drift-{n}", counter), 2, 1.0)
    spent(make_key(cast, "agree", 1.0), 2, 1.0)
    result = rec.reconcile("key", START, TODAY, today=TODAY, limit=2)
    assert [ln.label for ln in result.lines] == ["drift-1", "drift-2"]  # the two largest, in order
    assert result.drifted == 3 and result.entities_compared == 5  # drift-3's 0.0 is not a drift
    assert all(ln.causes for ln in result.lines)


def test_a_regenerated_keys_history_under_its_old_hash_is_named(cast):
    key = make_key(cast, "rotated", 5.0)
    spent(key, 5, 3.0)
    actor = writes.Actor(changed_by=cast.proxy_admin["user_id"], writer_id=cast.proxy_admin["user_id"])
    issued = key_services.key_regenerate(actor=actor, token=key["token"])
    spent({**key, "token": issued.token}, 1, 2.0)

    _, found = lines()
    line = found["rotated"]
    assert line.counter == 5.0 and line.daily_since_counter == pytest.approx(2.0)
    assert line.causes == [rec.CAUSE_ROTATED.format(old=f"…{key['token'][-8:]}")]


def test_purged_logs_are_named_with_the_oldest_log(cast):
    old = make_key(cast, "before-purge", 4.0)
    spent(old, 5, 4.0, log=False)
    recent = make_key(cast, "after-purge", 1.0)
    spent(recent, 1, 1.0)
    _, found = lines()
    assert found["before-purge"].causes == [rec.CAUSE_LOGS_PURGED.format(earliest=f"{at(1):%Y-%m-%d} 12:00 UTC")]
    assert "after-purge" not in found


def test_a_range_too_wide_for_the_logs_says_so_and_still_compares_counters(cast):
    by_hand = make_key(cast, "by-hand", 10.0)
    spent(by_hand, 4, 1.0)
    result, found = lines(start=TODAY - timedelta(days=40))
    assert not result.logs_read and "41 days" in result.logs_note
    assert found["by-hand"].logs is None and found["by-hand"].counter_drift == pytest.approx(9.0)


def test_teams_users_and_orgs(cast):
    key = make_key(cast, "team-key", 0.0)
    spent(key, 2, 2.0)
    writes_by_hand = {
        "TeamTable": ("team_id", cast.team["team_id"], 7.0),
        "UserTable": ("user_id", cast.member["user_id"], 2.0),
    }
    from django.db import connections

    with connections["litellm"].cursor() as cursor:
        writes_by_hand["OrganizationTable"] = ("organization_id", cast.org["organization_id"], 0.0)
        for table, (col, value, spend) in writes_by_hand.items():
            cursor.execute(
                f'UPDATE "{table_name(table)}" SET spend = %s, created_at = %s WHERE {col} = %s', [spend, at(20), value]
            )
    _, teams = lines("team")
    assert teams["Research"].counter_drift == pytest.approx(5.0)
    _, users = lines("user")
    assert "member@example.com" not in users  # its counter matches the daily tables
    _, orgs = lines("org")
    assert orgs["Acme"].daily == pytest.approx(2.0) and orgs["Acme"].counter == 0.0
    assert orgs["Acme"].causes == [rec.CAUSE_BY_HAND_DOWN.format(since=f"{at(20):%Y-%m-%d}")]


def test_the_page_and_its_csv_for_admins_only(cast, client_for):
    by_hand = make_key(cast, "by-hand", 10.0)
    spent(by_hand, 4, 1.0)
    url = reverse("reports:reconcile")
    params = {"kind": "key", "start": START.isoformat(), "end": TODAY.isoformat(), "threshold": "0.01"}
    client = client_for(cast.admin_viewer)
    html = client.get(url, params).content.decode()
    assert "by-hand" in html and "spend written by hand" in html and "$9.00" in html
    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(url, {**params, "export": "csv"}).streaming_content).decode()))
    )
    assert rows[1][2] == "by-hand" and float(rows[1][9]) == pytest.approx(9.0)
    bad = client.get(url, {**params, "start": TODAY.isoformat(), "end": START.isoformat()})
    assert bad.status_code == 200 and "must not be before" in bad.content.decode()
    assert client.get(url).status_code == 200  # the defaults: the last 7 days of keys
    assert client_for(cast.team_admin).get(url, params).status_code == 403
