"""/healthz and /readyz: answered without sign-in, over plain http, for any Host header (a kubelet
probes the pod's IP), and /readyz says 503 when LiteLLM's schema is not what the console needs."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client

from config import litellm


@pytest.fixture
def production_like(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["console.example.com"]


def test_healthz_answers_anyone_without_touching_the_database(production_like):
    # No django_db mark: any database access would raise here.
    response = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies


@pytest.mark.django_db(databases=["default", "litellm"])
def test_readyz_checks_both_databases_and_the_schema(production_like):
    response = Client().get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["console_db"] == {"ok": True}
    assert body["checks"]["litellm_db"] == {"ok": True}
    assert body["checks"]["litellm_schema"] == {"ok": True}
    assert "replica" not in body["checks"]  # not configured


@pytest.mark.django_db(databases=["default", "litellm"])
def test_readyz_is_503_when_litellm_schema_misses_a_column(production_like):
    with connections["litellm"].cursor() as cursor:  # rolled back with the test's transaction
        table = litellm.table_name("VerificationToken")
        cursor.execute(f'ALTER TABLE "{table}" RENAME COLUMN key_alias TO key_alias_gone')
    response = Client().get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["litellm_schema"]["ok"] is False
    assert any("key_alias" in p for p in body["checks"]["litellm_schema"]["problems"])


def test_other_pages_still_need_the_allowed_host_and_https(production_like):
    response = Client().get("/keys/", HTTP_HOST="console.example.com")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Client().get("/healthzz", HTTP_HOST="10.1.2.3", secure=True).status_code == 400
