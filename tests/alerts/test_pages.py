"""/alerts/ and /jobs/: role-scoped history, per-channel status, the test button, the retry button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug import Response

from alerts.evaluate import evaluate
from config.writes import now_utc
from tests import factories
from tests.conftest import login_litellm_user

pytestmark = pytest.mark.django_db(databases=["default", "litellm"])


def _key(user, team, alias, spend):
    return factories.make_key(
        user_id=user["user_id"], team_id=team["team_id"], alias=alias, spend=spend, max_budget=100.0,
        budget_duration="30d", budget_reset_at=now_utc() + timedelta(days=3),
    )  # fmt: skip


def test_history_is_role_scoped_and_shows_each_channel(cast, client, smtp, webhook):
    webhook.expect_request("/hook").respond_with_response(Response("no", status=500))
    _key(cast.member, cast.team, "ours-bot", 85.0)
    _key(cast.outsider, cast.other_team, "theirs-bot", 90.0)
    evaluate(deliver_now=True)

    client.force_login(cast.ops)
    page = client.get("/alerts/").content.decode()
    assert "ours-bot" in page and "theirs-bot" in page
    assert "Email: Sent" in page and "JSON webhook: Failed" in page and "HTTP 500" in page
    csv = client.get("/alerts/?_export=csv")
    assert csv.status_code == 200

    lead = login_litellm_user(client.__class__(), cast.team_admin)
    page = lead.get("/alerts/").content.decode()
    assert "ours-bot" in page and "theirs-bot" not in page
    assert "Send a test alert" not in page
    assert lead.get("/jobs/").status_code == 403
    assert login_litellm_user(client.__class__(), cast.member).get("/alerts/").status_code == 403


def test_the_test_button_shows_the_delivery_error(cast, client, smtp, webhook):
    webhook.expect_request("/hook").respond_with_response(Response("no", status=502))
    client.force_login(cast.ops)
    page = client.post("/alerts/test/webhook/", follow=True).content.decode()
    assert "failed: HTTP 502" in page
    page = client.post("/alerts/test/email/", follow=True).content.decode()
    assert "Test alert sent through Email" in page and len(smtp.messages) == 1
    assert login_litellm_user(client.__class__(), cast.team_admin).post("/alerts/test/email/").status_code == 403


def test_jobs_page_shows_a_failed_job_with_its_error_and_retries_it(cast, client):
    from django.db import connections

    from jobs.models import JobFailure

    with connections["default"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts) "
            "VALUES ('default', 'alerts.deliver', '{}', 'failed', 5) RETURNING id"
        )
        job_id = cursor.fetchone()[0]
    JobFailure.objects.create(job_id=job_id, task_name="alerts.deliver", attempt=5, error="DeliveryFailed: HTTP 503")
    client.force_login(cast.ops)
    page = client.get("/jobs/").content.decode()
    assert "DeliveryFailed: HTTP 503" in page and "alerts.evaluate" in page and "usage.usage_warm" in page
    assert f"/jobs/{job_id}/retry/" in page
    assert "queued again" in client.post(f"/jobs/{job_id}/retry/", follow=True).content.decode()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id])
        assert cursor.fetchone()[0] == "todo"
    viewer = login_litellm_user(client.__class__(), cast.admin_viewer)
    assert viewer.get("/jobs/").status_code == 200
    assert viewer.post(f"/jobs/{job_id}/retry/").status_code == 403
