"""Filters take what the pages show (a team's name, a user's email, a key's alias, a model
group, an actor's email), offer only values the viewer may see, and say what matched nothing
next to the field (issue 11, "Filters want internal ids")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from config import writes
from config.writes import now_utc
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")

LOGS = reverse("usage:spendlog_list")
ERRORS = reverse("usage:errorlog_list")
USAGE = reverse("usage:dashboard")
AUDIT = reverse("audit:audit_list")


@pytest.fixture
def logs(cast):
    key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="member-key")
    other = factories.make_key(user_id=cast.outsider["user_id"], team_id=cast.other_team["team_id"])
    now = now_utc().replace(microsecond=0)
    mine = [
        factories.make_spend_log(
            api_key=key["token"],
            user=cast.member["user_id"],
            team_id=cast.team["team_id"],
            start_time=now - timedelta(minutes=5 + i),
            model="claude-3-5-sonnet-20241022",
            model_group="claude-3-5-sonnet",
            end_user="cust-northwind",
        )
        for i in range(3)
    ]
    # the proxy books each request in the daily tables too (that is where models are looked up)
    factories.make_daily_spend(
        cast.member["user_id"],
        cast.team["team_id"],
        now.date().isoformat(),
        api_key=key["token"],
        model="claude-3-5-sonnet-20241022",
        model_group="claude-3-5-sonnet",
    )
    theirs = factories.make_spend_log(
        api_key=other["token"], user=cast.outsider["user_id"], team_id=cast.other_team["team_id"], start_time=now
    )
    return {"mine": {r["request_id"] for r in mine}, "theirs": theirs["request_id"]}


def request_ids(response) -> set[str]:
    return {r.request_id for r in response.context["table"].data}


def field_errors(response, name) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def test_request_logs_filter_by_team_name_and_user_email(cast, client_for, logs):
    client = client_for(cast.proxy_admin)
    assert request_ids(client.get(LOGS, {"team": "Research"})) == logs["mine"]
    assert request_ids(client.get(LOGS, {"team": "research"})) == logs["mine"]  # any case, when unambiguous
    assert request_ids(client.get(LOGS, {"user": "Member@Example.com"})) == logs["mine"]
    assert request_ids(client.get(LOGS, {"key": "member-key"})) == logs["mine"]
    assert request_ids(client.get(LOGS, {"end_user": "cust-northwind"})) == logs["mine"]
    # the ids still work
    assert request_ids(client.get(LOGS, {"team": cast.other_team["team_id"]})) == {logs["theirs"]}


def test_request_logs_filter_by_model_group_or_model_name(cast, client_for, logs):
    client = client_for(cast.proxy_admin)
    assert request_ids(client.get(LOGS, {"model": "claude-3-5-sonnet"})) == logs["mine"]
    assert request_ids(client.get(LOGS, {"model": "claude-3-5-sonnet-20241022"})) == logs["mine"]


def test_a_name_that_matches_nothing_says_what_was_looked_for(cast, client_for, logs):
    client = client_for(cast.proxy_admin)
    response = client.get(LOGS, {"team": "foo"})
    assert response.status_code == 200
    assert field_errors(response, "team") == ["No team matches “foo”."]
    assert "No team matches “foo”." in response.content.decode()
    assert request_ids(response) == set()
    assert field_errors(client.get(LOGS, {"user": "nobody@example.com"}), "user") == [
        "No user matches “nobody@example.com”."
    ]
    assert field_errors(client.get(LOGS, {"model": "gpt-9"}), "model") == ["No model or model group matches “gpt-9”."]


def test_names_outside_what_one_sees_match_nothing(cast, client_for, logs):
    """A team admin typing another team's name learns nothing about it: no rows, the same
    message as for a name that does not exist."""
    response = client_for(cast.team_admin).get(LOGS, {"team": "Other"})
    assert field_errors(response, "team") == ["No team matches “Other”."]
    response = client_for(cast.member).get(LOGS, {"user": "outsider@example.com"})
    assert field_errors(response, "user") == ["No user matches “outsider@example.com”."]


def _datalist_choices(client, html: str, field: str) -> list[str]:
    """The options a field's datalist gets when focused: the page names the URL, console.js
    fetches it (tests/browser/test_filters.py drives that in Chromium)."""
    match = re.search(rf'<datalist id="id_{field}-choices" data-choices="([^"]+)"></datalist>', html)
    assert match, f"no lazily filled datalist for {field}"
    response = client.get(match.group(1))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    return [value for value, _hint in response.json()["choices"]]


def test_the_datalists_offer_only_what_the_viewer_may_see(cast, client_for, logs):
    client = client_for(cast.team_admin)
    html = client.get(LOGS).content.decode()
    assert "<option" not in html.split('id="id_team-choices"')[1].split("</datalist>")[0]  # not inline
    assert _datalist_choices(client, html, "team") == ["Research"]
    assert "outsider@example.com" not in _datalist_choices(client, html, "user")
    client = client_for(cast.proxy_admin)
    html = client.get(LOGS).content.decode()
    assert {"Research", "Other"} <= set(_datalist_choices(client, html, "team"))
    assert "outsider@example.com" in _datalist_choices(client, html, "user")
    assert "member-key" in _datalist_choices(client, html, "key")


def test_the_choices_urls_serve_only_the_scoped_lists(cast, client_for, logs):
    """Only kinds whose lists are scoped by the viewer are served: the audit log's actors (every
    user's email) are not, nor a made-up kind; signed out, nothing."""
    for kind in ("actor", "user_search", "password"):
        assert client_for(cast.proxy_admin).get(f"/choices/{kind}.json").status_code == 404
    member = client_for(cast.member)
    assert [v for v, _ in member.get("/choices/user.json").json()["choices"]] == ["member@example.com"]
    assert member.get("/choices/end_user.json").json()["choices"] == []
    assert member.post("/choices/team.json").status_code == 405
    from django.test import Client

    assert Client().get("/choices/team.json").status_code == 302


def test_usage_by_model_group_counts_the_groups_rows(cast, client_for):
    today = now_utc().date().isoformat()
    for model in ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20240620"):
        factories.make_daily_spend(
            None,
            cast.team["team_id"],
            today,
            model=model,
            model_group="claude-3-5-sonnet",
            spend=2.0,
            api_requests=4,
            successful_requests=4,
        )
    response = client_for(cast.proxy_admin).get(USAGE, {"scope": "model", "id": "claude-3-5-sonnet"})
    assert response.status_code == 200
    figures = {f.key: f.value for f in response.context["figures"]}
    assert figures["spend"] == pytest.approx(4.0)
    assert figures["requests"] == 8
    # one deployment's model name still narrows to that model
    response = client_for(cast.proxy_admin).get(USAGE, {"scope": "model", "id": "claude-3-5-sonnet-20240620"})
    assert {f.key: f.value for f in response.context["figures"]}["spend"] == pytest.approx(2.0)


def test_usage_scopes_take_emails_and_say_what_matched_nothing(cast, client_for):
    client = client_for(cast.proxy_admin)
    response = client.get(USAGE, {"scope": "user", "id": "MEMBER@example.com"})
    assert response.context["scope"].value == cast.member["user_id"]
    response = client.get(USAGE, {"scope": "model", "id": "gpt-9"})
    assert "No model or model group matches “gpt-9”." in response.content.decode()
    response = client.get(USAGE, {"scope": "key", "id": "no-such-key"})
    assert "No key matches “no-such-key”." in response.content.decode()


def test_error_logs_filter_by_model_group_or_model(cast, client_for):
    from usage.models import ErrorLogs

    now = now_utc()
    writes.insert_as_proxy(
        ErrorLogs,
        {
            "request_id": "err-1",
            "start_time": now - timedelta(minutes=1),
            "end_time": now,
            "api_base": "https://api.anthropic.com",
            "model_group": "claude-3-5-sonnet",
            "litellm_model_name": "anthropic/claude-3-5-sonnet-20241022",
            "model_id": "m1",
            "request_kwargs": {},
            "exception_type": "RateLimitError",
            "exception_string": "slow down",
            "status_code": "429",
        },
    )
    factories.make_daily_spend(None, None, now.date().isoformat(), model="claude-3-5-sonnet-20241022")
    client = client_for(cast.proxy_admin)
    assert request_ids(client.get(ERRORS, {"model": "claude-3-5-sonnet-20241022"})) == {"err-1"}
    factories.make_daily_spend(None, None, now.date().isoformat(), model_group="claude-3-5-sonnet")
    assert request_ids(client.get(ERRORS, {"model": "claude-3-5-sonnet"})) == {"err-1"}


def test_the_audit_actor_filter_takes_the_email_it_shows(cast, client_for):
    mine = writes.audit(writes.Actor(cast.member["user_id"]), writes.UPDATED, "TeamTable", "t-1", {}, {"a": 1})
    writes.audit(writes.Actor(cast.outsider["user_id"]), writes.UPDATED, "TeamTable", "t-2", {}, {"a": 2})
    client = client_for(cast.proxy_admin)
    response = client.get(AUDIT, {"changed_by": "member@example.com"})
    assert {row.record.id for row in response.context["table"].page.object_list} == {mine}
    response = client.get(AUDIT, {"changed_by": "nobody@example.com"})
    assert "No user or ops login matches “nobody@example.com”." in response.content.decode()
    assert not list(response.context["table"].page.object_list)
    assert '<option value="member@example.com"' in response.content.decode()


def test_the_key_list_owner_filter_says_what_matched_nothing(cast, client_for, logs):
    body = client_for(cast.proxy_admin).get(reverse("keys:key_list"), {"user": "nobody@example.com"}).content.decode()
    assert "No user matches “nobody@example.com”." in body and "member-key" not in body


def test_each_resolver_is_scoped_by_the_policy(cast):
    from config import lookups, policy

    member = policy.principal_for_litellm_user(cast.member["user_id"])
    assert lookups.resolve_team(member, "Research")
    assert not lookups.resolve_team(member, "Other")
    assert not lookups.resolve_user(member, "outsider@example.com")
    assert [v for v, _ in lookups.team_choices(member)] == ["Research"]
    assert [v for v, _ in lookups.user_choices(member)] == ["member@example.com"]
