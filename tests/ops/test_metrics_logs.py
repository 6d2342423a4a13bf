"""/metrics: refused unless from an allowed network or with the token; request latency by URL
name, statements per database alias, the replica and job gauges. LOG_FORMAT=json lines carry the
request id the response sends back in X-Request-ID."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from config import logs


@pytest.fixture
def production_like(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["console.example.com"]
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = "scrape-token-0123456789"


def sample(text: str, name: str, **labels) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{{want}" if labels else f"{name} ") or line == name:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name}{labels} not in metrics")


def test_metrics_refuse_strangers(production_like):
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics", HTTP_HOST="pod").status_code == 403
    wrong = Client(REMOTE_ADDR="192.0.2.7").get("/metrics", HTTP_HOST="pod", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403


@pytest.mark.django_db(databases=["default", "litellm"])
def test_metrics_count_requests_per_view_and_statements_per_alias(production_like, cast):
    from tests.conftest import login_litellm_user

    client = login_litellm_user(Client(), cast.proxy_admin)
    assert client.get("/keys/", HTTP_HOST="console.example.com", secure=True).status_code == 200
    scraper = Client(REMOTE_ADDR="10.1.2.3")
    response = scraper.get("/metrics", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    text = response.content.decode()
    labels = {"view": "keys:key_list", "method": "GET", "status": "200"}
    assert sample(text, "console_http_request_duration_seconds_count", **labels) >= 1
    assert sample(text, "console_db_query_duration_seconds_count", alias="litellm") >= 1
    assert sample(text, "console_db_query_duration_seconds_count", alias="default") >= 1
    assert "console_alerts_sent_total" in text
    by_token = Client(REMOTE_ADDR="192.0.2.7").get(
        "/metrics", HTTP_HOST="pod", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789"
    )
    assert by_token.status_code == 200


@pytest.mark.django_db(databases=["default", "litellm"])
def test_job_queue_depth_when_its_table_exists(production_like):
    from django.db import connections

    with connections["default"].cursor() as cursor:  # the queue's own table (jobs/); rolled back with the test
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) VALUES "
            "('default', 't', '{}', 'todo'), ('default', 't', '{}', 'todo'), ('default', 't', '{}', 'failed')"
        )
    text = Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_HOST="pod").content.decode()
    assert sample(text, "console_jobs", status="todo") == 2
    assert sample(text, "console_jobs", status="failed") == 1


def test_json_log_lines_carry_the_request_id():
    handler = logging.StreamHandler()
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    lines = []
    handler.emit = lambda record: lines.append(handler.format(record))
    logger = logging.getLogger("console.test")
    logger.addHandler(handler)
    try:
        response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-request-12345678")
        assert response["X-Request-ID"] == "lb-request-12345678"
        token = logs.request_id.set("lb-request-12345678")
        logger.warning("something happened")
        logs.request_id.reset(token)
        assert Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"
    finally:
        logger.removeHandler(handler)
    entry = json.loads(lines[0])
    assert entry["message"] == "something happened" and entry["request_id"] == "lb-request-12345678"
    assert entry["level"] == "WARNING"
