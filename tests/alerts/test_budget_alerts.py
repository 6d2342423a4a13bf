"""Budget threshold alerts, end to end: a real SMTP server and a real webhook receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings
from werkzeug import Response

from alerts.evaluate import evaluate
from alerts.models import Alert, AlertOverride, Delivery
from config.writes import now_utc
from jobs.models import JobFailure
from keys.models import VerificationToken
from tests import factories


def _set_key(token: str, **values) -> None:
    VerificationToken.objects.using("litellm").filter(token=token).update(**values)


def _budget_key(cast, spend: float):
    return factories.make_key(
        user_id=cast.member["user_id"],
        team_id=cast.team["team_id"],
        alias="research-bot",
        spend=spend,
        max_budget=100.0,
        budget_duration="30d",
        budget_reset_at=now_utc() + timedelta(days=10),
    )


def _signed(request) -> bool:
    stamp = request.headers["X-Console-Timestamp"]
    digest = hmac.new(b"hook-secret", stamp.encode() + b"." + request.data, hashlib.sha256).hexdigest()
    return request.headers["X-Console-Signature"] == f"sha256={digest}"


@pytest.mark.django_db(databases=["default", "litellm"])
def test_a_key_at_85_percent_gets_one_80_alert_then_95_and_rearms_after_reset(cast, smtp, webhook):
    webhook.expect_request("/hook", method="POST").respond_with_data("ok")
    key = _budget_key(cast, 85.0)

    first = evaluate(deliver_now=True).created
    assert [(a.kind, a.threshold, a.status) for a in first] == [("key", 80.0, "sent")]
    for _ in range(3):
        assert evaluate(deliver_now=True).created == []

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    # owner, team admin, org admin; the subject and text say what matters
    assert set(message.rcpt_tos) == {"member@example.com", "teamadmin@example.com", "orgadmin@example.com"}
    body = message.content.decode()
    assert "research-bot" in body and "80% threshold" in body
    assert "proxy blocks" in body and "resets at" in body and "spend counter" in body
    hooks = [r for r, _ in webhook.log]
    assert len(hooks) == 1 and _signed(hooks[0])
    sent = json.loads(hooks[0].data)
    assert sent["entity"] == {"kind": "key", "id": key["token"], "name": "research-bot"}
    assert sent["budget_percentage_used"] == 85.0 and sent["threshold"] == 80.0
    assert sent["litellm_ids"]["team_id"] == cast.team["team_id"] and sent["url"].endswith(f"/keys/{key['token']}/")

    _set_key(key["token"], spend=96.0)
    second = evaluate(deliver_now=True).created
    assert [(a.threshold, a.status) for a in second] == [(95.0, "sent")]
    assert evaluate(deliver_now=True).created == []

    # the proxy resets it: spend 0, next reset moved on; nothing until it crosses again
    _set_key(key["token"], spend=0.0, budget_reset_at=now_utc() + timedelta(days=40))
    assert evaluate(deliver_now=True).created == []
    _set_key(key["token"], spend=81.0)
    again = evaluate(deliver_now=True).created
    assert [(a.threshold, a.status) for a in again] == [(80.0, "sent")]
    assert len(smtp.messages) == 3


@pytest.mark.django_db(databases=["default", "litellm"])
def test_a_jump_past_several_thresholds_sends_the_highest_and_a_mute_suppresses(cast, smtp, settings):
    key = _budget_key(cast, 101.0)
    muted = factories.make_key(user_id=cast.member["user_id"], spend=90.0, max_budget=100.0, alias="quiet")
    AlertOverride.objects.create(kind="key", object_id=muted["token"], muted=True)
    created = {(a.object_id, a.threshold): a.status for a in evaluate(deliver_now=True).created}
    assert created == {
        (key["token"], 80.0): "superseded",
        (key["token"], 95.0): "superseded",
        (key["token"], 100.0): "sent",
        (muted["token"], 80.0): "muted",
    }
    assert len(smtp.messages) == 1


def _run_worker():
    from procrastinate.contrib.django import app

    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


@pytest.mark.django_db(transaction=True, databases=["default", "litellm"])
def test_two_concurrent_evaluations_send_one_alert(cast, smtp, webhook, clean_litellm, empty_queue):
    webhook.expect_request("/hook", method="POST").respond_with_data("ok")
    _budget_key(cast, 85.0)
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(len(evaluate().created))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in ([0, 1], [1, 1]) and Alert.objects.count() == 1
    _run_worker()
    assert len(smtp.messages) == 1 and len(webhook.log) == 1
    assert Alert.objects.get().status == "sent"


@pytest.mark.django_db(transaction=True, databases=["default", "litellm"])
def test_a_failing_webhook_is_retried_by_the_queue_and_shown_failed(
    cast, smtp, webhook, settings, clean_litellm, empty_queue
):
    settings.ALERT_DELIVERY_ATTEMPTS = 3
    webhook.expect_request("/hook", method="POST").respond_with_response(Response("down", status=503))
    _budget_key(cast, 85.0)
    evaluate()
    _run_worker()
    assert len(webhook.log) == 3  # three attempts
    alert = Alert.objects.get()
    hook = Delivery.objects.get(alert=alert, channel="webhook")
    assert (hook.status, hook.attempts) == ("failed", 3) and "503" in hook.error
    assert Delivery.objects.get(alert=alert, channel="email").status == "sent"
    assert alert.status == "partial"
    assert JobFailure.objects.filter(task_name="alerts.deliver").count() == 3


@pytest.mark.django_db(databases=["default", "litellm"])
def test_the_slack_webhook_gets_the_text_with_a_link(cast, webhook, settings):
    settings.ALERT_WEBHOOK_URL = ""
    settings.ALERT_SLACK_WEBHOOK_URL = webhook.url_for("/slack")
    webhook.expect_request("/slack", method="POST").respond_with_data("ok")
    team = factories.make_team(alias="no-admins", metadata={"soft_budget_alerting_emails": "a@x.example, b@x.example"})
    factories.make_key(team_id=team["team_id"], alias="lonely", spend=9.0, max_budget=10.0)
    (alert,) = evaluate(deliver_now=True).created
    assert alert.status == "sent" and alert.recipients == ["a@x.example", "b@x.example"]
    (request, _), *_ = webhook.log
    text = json.loads(request.data)["text"]
    assert text.startswith("*Budget alert: Key lonely at 90% of $10.00 (80% threshold)*")
    assert "does not reset" in text and "|Open in the console>" in text


@pytest.mark.django_db(databases=["default", "litellm"])
def test_one_person_over_their_member_budget_in_two_teams_gets_an_alert_for_each(cast, smtp):
    budget = factories.make_budget(max_budget=10.0)
    teams = [factories.make_team(alias=f"squad-{i}", members=[(cast.team_admin, "admin")]) for i in (1, 2)]
    for team in teams:
        factories.add_membership(team["team_id"], cast.member["user_id"], spend=8.5, budget_id=budget["budget_id"])
    created = evaluate(deliver_now=True).created
    assert sorted((a.kind, a.team_id, a.threshold) for a in created) == sorted(
        ("member", t["team_id"], 80.0) for t in teams
    )
    assert all(set(a.recipients) == {"member@example.com", "teamadmin@example.com"} for a in created)
    assert evaluate(deliver_now=True).created == []


@pytest.mark.django_db(databases=["default", "litellm"])
def test_nobody_with_an_email_means_webhooks_only_and_the_skipped_people_are_named(cast, smtp, webhook):
    webhook.expect_request("/hook", method="POST").respond_with_data("ok")
    no_email = factories.make_user(user_email=None)
    team = factories.make_team(alias="quiet-team")
    factories.make_key(user_id=no_email["user_id"], team_id=team["team_id"], alias="ghost", spend=9.0, max_budget=10.0)
    (alert,) = evaluate(deliver_now=True).created
    assert (alert.status, alert.recipients, alert.skipped) == ("sent", [], [no_email["user_id"]])
    assert [d.channel for d in alert.deliveries.all()] == ["webhook"] and smtp.messages == []
    Alert.objects.all().delete()
    webhook.clear()
    with override_settings(ALERT_WEBHOOK_URL=""):
        (alert,) = evaluate(deliver_now=True).created
    assert alert.status == "no_recipient" and not alert.deliveries.exists()
