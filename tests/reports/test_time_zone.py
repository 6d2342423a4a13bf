"""CONSOLE_TIME_ZONE: moments shown and exported in the reporting zone and named; exact local
days from the spend logs agree with a hand-written SQL sum across a DST change."""

from datetime import date, datetime

import pytest
from django.db import connections
from django.urls import reverse

from config import dates
from config.litellm import table_name
from tests import factories
from usage import selectors
from usage.selectors.local_days import local_days

pytestmark = pytest.mark.django_db(databases="__all__")

BERLIN = "Europe/Berlin"  # CET (+1) until 2026-03-29 01:00 UTC, then CEST (+2)
# (UTC start, spend): around the local midnights of 28, 29 and 30 March 2026
LOGS = [
    (datetime(2026, 3, 27, 22, 59), 100.0),  # 27 Mar 23:59 CET: before the range
    (datetime(2026, 3, 27, 23, 0), 1.0),  # 28 Mar 00:00 CET
    (datetime(2026, 3, 28, 22, 59), 2.0),  # 28 Mar 23:59 CET
    (datetime(2026, 3, 28, 23, 0), 4.0),  # 29 Mar 00:00 CET (a 23-hour day)
    (datetime(2026, 3, 29, 1, 30), 8.0),  # 29 Mar 03:30 CEST
    (datetime(2026, 3, 29, 21, 59), 16.0),  # 29 Mar 23:59 CEST
    (datetime(2026, 3, 29, 22, 0), 32.0),  # 30 Mar 00:00 CEST
    (datetime(2026, 3, 30, 21, 59), 64.0),  # 30 Mar 23:59 CEST
    (datetime(2026, 3, 30, 22, 0), 200.0),  # 31 Mar 00:00 CEST: after the range
]


@pytest.fixture
def berlin(settings):
    settings.CONSOLE_TIME_ZONE = BERLIN
    return settings


@pytest.fixture
def logs(cast):
    for start, spend in LOGS:
        factories.make_spend_log(api_key="k", spend=spend, start_time=start)
    factories.make_daily_team_spend(cast.team["team_id"], "2026-03-29", spend=12.0, api_key="k")


def hand_sum(start: str, end: str) -> float:
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            f'SELECT COALESCE(SUM(spend), 0) FROM "{table_name("SpendLogs")}"'
            ' WHERE "startTime" >= %s AND "startTime" < %s',
            [start, end],
        )
        return cursor.fetchone()[0]


def test_moments_are_shown_and_exported_in_the_reporting_zone(berlin):
    assert dates.when(datetime(2026, 3, 29, 0, 30)) == "2026-03-29 01:30 Europe/Berlin"
    assert dates.when(datetime(2026, 3, 29, 1, 30)) == "2026-03-29 03:30 Europe/Berlin"
    assert dates.day(datetime(2026, 3, 28, 23, 30)) == "2026-03-29"
    assert dates.day(date(2026, 3, 28)) == "2026-03-28"  # a UTC day stays itself
    assert dates.export_moment(datetime(2026, 3, 29, 1, 30)) == "2026-03-29 03:30:00+02:00"


def test_utc_stays_the_default():
    assert dates.when(datetime(2026, 3, 29, 1, 30)) == "2026-03-29 01:30 UTC"
    assert dates.export_moment(datetime(2026, 3, 29, 1, 30)) == "2026-03-29 01:30:00"


def test_local_days_agree_with_hand_sql_across_the_dst_change(berlin, logs):
    result = local_days(selectors.Scope("proxy"), date(2026, 3, 28), date(2026, 3, 30), {date(2026, 3, 29): 12.0})
    got = {d.day.isoformat(): d.spend for d in result.days}
    # the local midnights in UTC, worked out by hand: CET is +1, CEST +2 from 29 Mar 01:00 UTC
    assert got == {
        "2026-03-28": hand_sum("2026-03-27 23:00", "2026-03-28 23:00"),
        "2026-03-29": hand_sum("2026-03-28 23:00", "2026-03-29 22:00"),
        "2026-03-30": hand_sum("2026-03-29 22:00", "2026-03-30 22:00"),
    }
    assert got == {"2026-03-28": 3.0, "2026-03-29": 28.0, "2026-03-30": 96.0}
    assert [d.utc_day_spend for d in result.days] == [0.0, 12.0, 0.0]


def test_the_dashboard_offers_local_days_and_labels_them(berlin, logs, cast, client_for):
    client = client_for(cast.proxy_admin)
    params = {"range": "custom", "start": "2026-03-28", "end": "2026-03-30"}
    html = client.get(reverse("usage:dashboard"), params).content.decode()
    assert "Show exact Europe/Berlin days from the spend logs" in html
    assert "Times are shown in Europe/Berlin" in html
    html = client.get(reverse("usage:dashboard"), {**params, "local": "1"}).content.decode()
    row = html.split('data-day="2026-03-29"')[1].split("</tr>")[0]
    assert "$28.00" in row and "$12.00" in row
    wide = client.get(reverse("usage:dashboard"), {"range": "90d", "local": "1"}).content.decode()
    assert "ranges of 31 days or less" in wide


def test_no_local_days_before_the_oldest_log(berlin, logs):
    result = local_days(selectors.Scope("proxy"), date(2026, 3, 20), date(2026, 3, 30))
    assert result.days == [] and "do not reach back" in result.note
