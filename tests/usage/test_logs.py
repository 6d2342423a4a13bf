"""Request-log and error-log explorers: time windows, keyset pages, visibility, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from config import policy
from config.litellm import table_name
from config.writes import insert_as_proxy, now_utc
from tests import factories
from usage import selectors
from usage.models import ErrorLogs, SpendLogs

pytestmark = pytest.mark.django_db(databases="__all__")

LIST = reverse("usage:spendlog_list")
ERRORS = reverse("usage:errorlog_list")


@pytest.fixture
def logs(cast):
    """Seven requests by the member's key (three share one start time, to test the tie-break
    on request_id), one by the outsider, one older than 24 hours."""
    key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="member-key")
    other = factories.make_key(user_id=cast.outsider["user_id"], team_id=cast.other_team["team_id"])
    now = now_utc().replace(microsecond=0)
    made = []
    for i in range(7):
        start = now - timedelta(minutes=10) if i < 3 else now - timedelta(minutes=20 + i)
        made.append(
            factories.make_spend_log(
                api_key=key["token"],
                user=cast.member["user_id"],
                team_id=cast.team["team_id"],
                start_time=start,
                spend=0.01 * (i + 1),
                metadata={"user_api_key_alias": "member-key"},
                request_tags=["prod"],
            )
        )
    outsider = factories.make_spend_log(
        api_key=other["token"], user=cast.outsider["user_id"], team_id=cast.other_team["team_id"], start_time=now
    )
    old = factories.make_spend_log(api_key=key["token"], start_time=now - timedelta(days=3))
    return {"key": key, "mine": made, "outsider": outsider, "old": old}


def request_ids(response) -> list[str]:
    return [r.request_id for r in response.context["table"].data]


def test_it_pages_by_keyset_returning_every_row_once(cast, client_for, logs, monkeypatch):
    monkeypatch.setattr(selectors.logs, "LOG_PAGE_SIZE", 3)
    client = client_for(cast.proxy_admin)
    seen, query = [], {}
    for _ in range(10):
        response = client.get(LIST, query)
        assert response.status_code == 200
        seen += request_ids(response)
        next_query = response.context["next_query"]
        if not next_query:
            break
        query = dict(re.findall(r"([^&=]+)=([^&]*)", next_query))
    expected = sorted([*logs["mine"], logs["outsider"]], key=lambda r: (r["start_time"], r["request_id"]), reverse=True)
    assert seen == [r["request_id"] for r in expected]
    assert len(seen) == len(set(seen)) == 8
    assert logs["old"]["request_id"] not in seen  # outside the default 24 h window


def test_the_query_has_no_offset_and_no_count(cast, client_for, logs):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.proxy_admin)
    first = client.get(LIST)
    cursor = first.context["next_query"] or ""
    with CaptureQueriesContext(connections["litellm"]) as captured:
        client.get(LIST + "?" + cursor)
    # the log queries themselves (the page's other statements, e.g. the navigation's pending
    # model-request count, are not about the logs)
    spend_logs = f'"{table_name("SpendLogs")}"'
    sql = " ".join(q["sql"] for q in captured.captured_queries if spend_logs in q["sql"]).upper()
    assert "OFFSET" not in sql and "COUNT(" not in sql
    assert "LIMIT" in sql  # the keyset page was read
    assert '"STARTTIME" >=' in sql  # bounded by the window


def test_an_internal_user_sees_only_their_own_keys_logs(cast, client_for, logs):
    response = client_for(cast.member).get(LIST)
    ids = request_ids(response)
    assert set(ids) == {r["request_id"] for r in logs["mine"]}
    assert request_ids(client_for(cast.outsider).get(LIST)) == [logs["outsider"]["request_id"]]


def test_a_request_page_shows_the_request(cast, client_for, logs):
    log = logs["mine"][0]
    response = client_for(cast.member).get(reverse("usage:spendlog_detail", args=[log["request_id"]]))
    assert response.status_code == 200
    html = response.content.decode()
    assert log["request_id"] in html and "member-key" in html and "prod" in html
    assert "850 ms" in html  # latency from start to end
    assert "Not stored" in html  # no prompt stored


def test_a_request_outside_ones_keys_is_not_found(cast, client_for, logs):
    url = reverse("usage:spendlog_detail", args=[logs["outsider"]["request_id"]])
    assert client_for(cast.member).get(url).status_code == 404
    assert client_for(cast.proxy_admin).get(url).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, logs):
    assert client.get(LIST).status_code == 302
    url = reverse("usage:spendlog_detail", args=[logs["outsider"]["request_id"]])
    assert "login" in client.get(url)["Location"]


def test_the_filters_narrow_the_rows(cast, client_for, logs):
    client = client_for(cast.proxy_admin)
    mine = {r["request_id"] for r in logs["mine"]}
    assert set(request_ids(client.get(LIST, {"key": logs["key"]["token"]}))) == mine
    assert set(request_ids(client.get(LIST, {"user": cast.member["user_id"]}))) == mine
    assert set(request_ids(client.get(LIST, {"team": cast.other_team["team_id"]}))) == {logs["outsider"]["request_id"]}
    rich = set(request_ids(client.get(LIST, {"min_spend": "0.05"})))
    assert rich == {r["request_id"] for r in logs["mine"] if r["spend"] >= 0.05}
    week = set(request_ids(client.get(LIST, {"window": "7d"})))
    assert logs["old"]["request_id"] in week


def test_the_organization_filter_takes_its_name_and_keeps_its_teams_requests(cast, client_for, logs):
    client = client_for(cast.proxy_admin)
    assert set(request_ids(client.get(LIST, {"org": "Globex"}))) == {logs["outsider"]["request_id"]}
    assert set(request_ids(client.get(LIST, {"org": cast.org["organization_id"]}))) == {
        r["request_id"] for r in logs["mine"]
    }
    nothing = client.get(LIST, {"org": "Initech"})
    assert request_ids(nothing) == []
    assert "No organization matches “Initech”" in nothing.content.decode()
    # an internal user sees no organizations, so gets no such filter
    assert "org" not in client_for(cast.member).get(LIST).context["form"].fields


def test_the_status_filter_exists_only_where_the_column_does(cast, client_for, logs):
    response = client_for(cast.proxy_admin).get(LIST)
    assert ("status" in response.context["form"].fields) == SpendLogs.has_column("status")


def test_a_window_longer_than_31_days_is_refused(cast, client_for):
    start = (now_utc() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(cast.proxy_admin).get(LIST, {"window": "custom", "start": start})
    assert response.status_code == 200
    assert "at most 31 days" in response.content.decode()
    assert list(response.context["table"].data) == []


def test_the_csv_export_holds_the_filtered_rows(cast, client_for, logs):
    client = client_for(cast.member)
    response = client.get(LIST, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    page = client.get(LIST)
    assert rows[0][0] == "Time (UTC)"
    ids_col = rows[0].index("Request id")
    assert [r[ids_col] for r in rows[1:]] == request_ids(page)
    # A computed column (no such attribute on the row) still exports: start to end, in ms.
    latency_col = rows[0].index("Latency")
    assert {r[latency_col] for r in rows[1:]} == {"850"}


# -- error logs ----------------------------------------------------------------------------------


@pytest.fixture
def errors():
    now = now_utc()
    made = []
    for i in range(4):
        row = {
            "request_id": f"err-{i}",
            "start_time": now - timedelta(minutes=i),
            "end_time": now - timedelta(minutes=i) + timedelta(seconds=1),
            "api_base": "https://api.example",
            "model_group": "gpt-4o",
            "litellm_model_name": "gpt-4o",
            "model_id": "m1",
            "request_kwargs": {},
            "exception_type": "RateLimitError" if i % 2 else "Timeout",
            "exception_string": "slow down",
            "status_code": "429",
        }
        insert_as_proxy(ErrorLogs, row)
        made.append(row)
    return made


def test_admins_page_through_error_logs(cast, client_for, errors, monkeypatch):
    monkeypatch.setattr(selectors.logs, "LOG_PAGE_SIZE", 3)
    client = client_for(cast.admin_viewer)
    first = client.get(ERRORS)
    assert request_ids(first) == ["err-0", "err-1", "err-2"]
    second = client.get(ERRORS + "?" + first.context["next_query"])
    assert request_ids(second) == ["err-3"]
    assert client.get(ERRORS, {"exception_type": "Timeout"}).context["table"].data.data[0].request_id == "err-0"
    detail = client.get(reverse("usage:errorlog_detail", args=["err-1"]))
    assert detail.status_code == 200 and "RateLimitError" in detail.content.decode()


def test_error_logs_are_for_admins_only(cast, client_for, errors):
    assert client_for(cast.member).get(ERRORS).status_code == 403
    assert client_for(cast.org_admin).get(reverse("usage:errorlog_detail", args=["err-1"])).status_code == 403


def test_visibility_rule_for_team_admins(cast, logs):
    principal = policy.principal_for_litellm_user(cast.team_admin["user_id"])
    qs = SpendLogs.objects.filter(selectors.spend_logs_visible_q(principal))
    # the team's logs (the old one carries no team and is not the team admin's key)
    assert set(qs.values_list("request_id", flat=True)) == {r["request_id"] for r in logs["mine"]}


def test_a_key_filter_accepts_the_raw_key_or_its_alias(cast, client_for, logs):
    client = client_for(cast.proxy_admin)
    mine = {r["request_id"] for r in logs["mine"]}
    assert set(request_ids(client.get(LIST, {"key": logs["key"]["raw"]}))) == mine
    assert set(request_ids(client.get(LIST, {"key": "member-key"}))) == mine


def test_an_org_admin_sees_their_orgs_teams_logs(cast, client_for, logs):
    ids = set(request_ids(client_for(cast.org_admin).get(LIST)))
    assert ids == {r["request_id"] for r in logs["mine"]}


def test_a_later_page_is_as_cheap_as_the_first(cast, client_for, logs, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(selectors.logs, "LOG_PAGE_SIZE", 2)
    client = client_for(cast.proxy_admin)
    first = client.get(LIST)
    deep = LIST + "?" + first.context["next_query"]
    client.get(deep)
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["litellm"]) as a:
        client.get(LIST)
    with CaptureQueriesContext(connections["litellm"]) as b:
        client.get(deep)
    assert len(a.captured_queries) == len(b.captured_queries)


def test_the_error_log_csv_holds_the_filtered_rows(cast, client_for, errors):
    response = client_for(cast.proxy_admin).get(ERRORS, {"export": "csv", "exception_type": "Timeout"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    ids = rows[0].index("Request id")
    assert sorted(r[ids] for r in rows[1:]) == ["err-0", "err-2"]
