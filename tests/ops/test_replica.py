"""A real streaming replica: the embedded PostgreSQL's own pg_basebackup makes a standby of the
test server (demo/replica.py). The usage dashboard and request logs read from it (statements on
the replica's connection, which is the standby: in recovery, our application_name in its
pg_stat_activity), say how far behind it is, fall back to the primary when it is too far
behind, stopped, or fails mid-page, and a person who just wrote reads the primary."""

from __future__ import annotations

import copy
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config import replica
from config.routers import LITELLM_ALIAS, REPLICA_ALIAS
from config.writes import now_utc
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", LITELLM_ALIAS, REPLICA_ALIAS])


@pytest.fixture(scope="module")
def standby(django_db_setup):
    from demo import testdb
    from demo.replica import Standby

    base = Path(tempfile.mkdtemp(prefix="litellm-console-standby-"))
    node = Standby(testdb.server(), base).create()
    config = copy.deepcopy(settings.DATABASES[LITELLM_ALIAS])
    config["HOST"] = str(node.socket_dir)
    config["OPTIONS"]["application_name"] = "litellm-console-replica"
    settings.DATABASES[REPLICA_ALIAS] = config
    connections.settings[REPLICA_ALIAS] = connections.configure_settings(settings.DATABASES)[REPLICA_ALIAS]
    yield node
    connections[REPLICA_ALIAS].close()
    connections.settings.pop(REPLICA_ALIAS, None)
    settings.DATABASES.pop(REPLICA_ALIAS, None)
    node.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def on_replica(standby, settings, clean_litellm):
    settings.REPLICA_MAX_LAG_SECONDS = 30
    settings.REPLICA_LAG_CHECK_SECONDS = 0  # measure on every page here
    replica.forget()
    yield standby
    replica.forget()


def standby_sql(node, sql: str):
    with psycopg.connect(node.conninfo(settings.DATABASES[LITELLM_ALIAS]["NAME"]), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def wait_for(node, *, replayed: bool) -> None:
    """Until the standby has received (and, if `replayed`, replayed) all the primary wrote."""
    with connections[LITELLM_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    fn = "pg_last_wal_replay_lsn()" if replayed else "pg_last_wal_receive_lsn()"
    for _ in range(600):
        if standby_sql(node, f"SELECT {fn} >= '{target}'::pg_lsn")[0][0]:
            return
        standby_sql(node, "SELECT pg_sleep(0.05)")
    raise AssertionError(f"standby never reached {target}")


def ops_client(django_user_model) -> Client:
    django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password")
    client = Client()
    client.login(username="ops", password="ops-password")
    return client


def get_counting(client, path: str):
    with CaptureQueriesContext(connections[REPLICA_ALIAS]) as on_standby:
        with CaptureQueriesContext(connections[LITELLM_ALIAS]) as on_primary:
            response = client.get(path)
            # A streamed export is read inside the capture, as the WSGI server would, then closed.
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            response.close()
            body = raw.decode()
    spend_sql = lambda queries: [q["sql"] for q in queries if "SpendLogs" in q["sql"] or "Daily" in q["sql"]]  # noqa: E731
    return response, body, spend_sql(on_standby.captured_queries), spend_sql(on_primary.captured_queries)


def test_usage_and_logs_read_the_standby_and_say_how_far_behind(on_replica, django_user_model):
    client = ops_client(django_user_model)
    factories.make_spend_log(model="replicated-model-one")
    factories.make_daily_user_spend("someone", "2026-01-01")
    wait_for(on_replica, replayed=True)
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # the alias is the standby, not the primary

    response, body, standby_reads, primary_reads = get_counting(client, "/usage/logs/")
    assert response.status_code == 200
    assert "replicated-model-one" in body  # it reached the page through replication
    assert standby_reads and not primary_reads
    assert 'data-reads-from="replica"' in body and "s behind the primary" in body
    apps = [r[0] for r in standby_sql(on_replica, "SELECT application_name FROM pg_stat_activity")]
    assert "litellm-console-replica" in apps

    response, body, standby_reads, primary_reads = get_counting(client, "/usage/")
    assert response.status_code == 200 and standby_reads and not primary_reads
    response, body, standby_reads, primary_reads = get_counting(client, "/usage/logs/?export=csv")
    assert response.status_code == 200 and standby_reads and not primary_reads
    today = now_utc().date()
    reconcile = f"/reports/reconcile/?kind=key&start={today - timedelta(days=6)}&end={today}&threshold=0"
    response, body, standby_reads, primary_reads = get_counting(client, reconcile)
    assert response.status_code == 200 and standby_reads and not primary_reads  # reconciliation too
    # Pages that are not heavy reads stay on the primary.
    response, body, standby_reads, _ = get_counting(client, "/keys/")
    assert response.status_code == 200 and not standby_reads and "data-reads-from" not in body


def test_a_standby_too_far_behind_is_shown_then_left_for_the_primary(on_replica, django_user_model, settings):
    client = ops_client(django_user_model)
    factories.make_spend_log(model="replayed-model")
    wait_for(on_replica, replayed=True)
    standby_sql(on_replica, "SELECT pg_wal_replay_pause()")
    try:
        factories.make_spend_log(model="not-yet-replayed-model")
        wait_for(on_replica, replayed=False)  # received, not applied: the standby is behind
        response, body, standby_reads, _ = get_counting(client, "/usage/logs/")
        assert "replayed-model" in body and "not-yet-replayed-model" not in body
        assert 'data-reads-from="replica"' in body
        settings.REPLICA_MAX_LAG_SECONDS = 0  # any lag is now too much
        response, body, standby_reads, primary_reads = get_counting(client, "/usage/logs/")
        assert "not-yet-replayed-model" in body
        assert primary_reads and not standby_reads
        assert "Read from the primary database" in body and "behind (limit 0" in body
    finally:
        standby_sql(on_replica, "SELECT pg_wal_replay_resume()")


def test_after_a_change_the_person_reads_their_own_writes_on_the_primary(on_replica, django_user_model):
    client = ops_client(django_user_model)
    other = ops_client_named(django_user_model, "ops2")
    response = client.post("/users/new/", {"user_email": "fresh@example.com", "user_role": "internal_user"})
    assert response.status_code in (200, 302)
    _, body, standby_reads, primary_reads = get_counting(client, "/usage/logs/")
    assert primary_reads and not standby_reads
    assert "you changed something a moment ago" in body
    _, body, standby_reads, primary_reads = get_counting(other, "/usage/logs/")  # someone else: replica
    assert standby_reads and not primary_reads


def ops_client_named(django_user_model, name: str) -> Client:
    django_user_model.objects.create_superuser(name, f"{name}@example.com", "ops-password")
    client = Client()
    client.login(username=name, password="ops-password")
    return client


def test_a_stopped_standby_falls_back_to_the_primary(on_replica, django_user_model):
    client = ops_client(django_user_model)
    factories.make_spend_log(model="only-model")
    wait_for(on_replica, replayed=True)
    get_counting(client, "/usage/logs/")  # a connection to the standby is open and reused
    on_replica.stop()
    try:
        replica.forget()
        response, body, standby_reads, primary_reads = get_counting(client, "/usage/logs/")
        assert response.status_code == 200 and "only-model" in body
        assert primary_reads and not standby_reads
        assert "Read from the primary database (unreachable" in body
        ready = Client().get("/readyz").json()
        assert ready["status"] == "ready"  # the console still serves, from the primary
        assert ready["checks"]["replica"]["ok"] is False and ready["checks"]["replica"]["reads"] == "primary"
        # Stopped after its state was measured as fine: the page is served from the primary anyway.
        on_replica.start()
        replica.forget()
        with connections[REPLICA_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        settings.REPLICA_LAG_CHECK_SECONDS = 3600
        assert replica.state().usable
        on_replica.stop()
        response, body, _, primary_reads = get_counting(client, "/usage/logs/")
        assert response.status_code == 200 and "only-model" in body and primary_reads
        assert "replica unreachable" in body
    finally:
        on_replica.start()


def test_the_benchmark_times_the_replicas_pages_on_the_standby(on_replica, django_user_model):
    """`bench --replica`'s measuring pass: it picks the pages the middleware lets read the replica
    (not the keys list), and each one's LiteLLM statements ran on the standby, none on the primary."""
    from usage.bench.measure import measure_pages
    from usage.bench.report import _replica_section

    factories.make_spend_log(model="benched-model")
    factories.make_daily_user_spend("someone", now_utc().date().isoformat())
    wait_for(on_replica, replayed=True)
    lines = []
    results = measure_pages(runs=1, log=lines.append, only="", over_http=False, replica_only=True)
    labels = {page["label"] for page in results}
    assert "usage, whole proxy, 30 days" in labels and "spend logs, first page (7 days)" in labels
    assert not any(label.startswith(("keys list", "users list", "home")) for label in labels)
    measured = [page for page in results if page.get("status") == "ok"]
    assert {"usage, whole proxy, 30 days", "error logs, first page"} <= {page["label"] for page in measured}
    for page in measured:
        counts = page["statements_by_alias"]
        assert counts[REPLICA_ALIAS] > 0 and counts[LITELLM_ALIAS] == 0, (page["label"], counts)
        assert page["replica"]["usable"] is True
    table = "\n".join(_replica_section("newest", [], {"pages": results, "load": (0.0, 0.0)}, over_http=False))
    assert "| usage, whole proxy, 30 days |" in table and " / 0 / " in table
