"""/database/: proxy admins and ops see every LiteLLM table with rows and sizes, whether spend and
error logs are written or switched off, the wanted indexes and duplicates, the sessions holding
locks on LiteLLM tables, growth from the daily snapshots, and a CSV; nobody else opens it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from config import litellm
from config.models import LiteLLMConfig
from config.writes import insert_as_proxy, now_utc
from database.models import TableSnapshot
from tests import factories

pytestmark = pytest.mark.django_db(databases="__all__")
URL = reverse("database:health")


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def row(response, key: str, attr: str = "row") -> str:
    html = response.content.decode()
    match = re.search(rf'<tr data-{attr}="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {key}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_only_proxy_admins_and_ops_open_it(cast, client_for):
    assert client_for(cast.proxy_admin).get(URL).status_code == 200
    for person in (cast.admin_viewer, cast.org_admin, cast.team_admin, cast.member):
        assert client_for(person).get(URL).status_code == 403
    ops = Client()
    ops.force_login(cast.ops)
    assert ops.get(URL).status_code == 200
    assert 'href="/database/"' in ops.get(reverse("home")).content.decode()


def test_tables_with_rows_sizes_and_what_the_seeds_say(cast, client_for):
    for i in range(3):
        factories.make_key(alias=f"k{i}")
    response = client_for(cast.proxy_admin).get(URL)
    keys = row(response, "VerificationToken")
    assert keys.startswith("LiteLLM_VerificationToken 3 ")
    assert "Medium - stores all Virtual Keys" in keys
    assert "Virtual keys (hashed)" in keys
    assert "High - every LLM API request" in row(response, "SpendLogs")


def test_spend_logs_newest_age_days_held_and_cannot_tell_if_disabled(cast, client_for):
    now = now_utc()
    factories.make_spend_log(start_time=now - timedelta(hours=2))
    factories.make_spend_log(start_time=now - timedelta(days=10, hours=2))
    logs = row(client_for(cast.proxy_admin).get(URL), "SpendLogs", "log")
    assert "(2 h 0 min ago)" in logs
    assert " 10.0 " in logs  # days held
    assert "cannot tell" in logs
    assert "request logs and their reconciliation" in logs
    errors = row(client_for(cast.proxy_admin).get(URL), "ErrorLogs", "log")
    assert "no rows: not being written" in errors


def test_disable_spend_logs_stored_in_litellm_config_is_read(cast, client_for):
    insert_as_proxy(LiteLLMConfig, {"param_name": "general_settings", "param_value": {"disable_spend_logs": True}})
    response = client_for(cast.proxy_admin).get(URL)
    assert "yes disable_spend_logs: true in LiteLLM_Config" in row(response, "SpendLogs", "log")
    assert "no (disable_error_logs: not set in LiteLLM_Config)" in row(response, "ErrorLogs", "log")


def test_wanted_indexes_and_a_duplicate_index(cast, client_for):
    table = litellm.table_name("VerificationToken")
    with connections["litellm"].cursor() as cursor:
        cursor.execute(f'CREATE INDEX "dup_a" ON "{table}" (key_alias)')
        cursor.execute(f'CREATE INDEX "dup_b" ON "{table}" (key_alias)')
    response = client_for(cast.proxy_admin).get(URL)
    assert "duplicate of dup_" in row(response, "dup_b", "index") or "duplicate of dup_" in row(
        response, "dup_a", "index"
    )
    assert row(response, f"{table}_key_alias_idx", "index").split()[1] == "present"  # dup_a leads with key_alias
    spend_user = f"{litellm.table_name('SpendLogs')}_user_startTime_idx"
    assert row(response, spend_user, "index").split()[1] == "missing"


def test_a_session_holding_a_lock_on_spend_logs_is_shown(cast, client_for):
    with psycopg.connect(**connections["litellm"].get_connection_params()) as other:
        other.execute(f'LOCK TABLE "{litellm.table_name("SpendLogs")}" IN SHARE MODE')
        pid = other.execute("SELECT pg_backend_pid()").fetchone()[0]
        page = client_for(cast.proxy_admin).get(URL).content.decode()
        other.rollback()
    match = re.search(rf'<tr data-pid="{pid}">(.*?)</tr>', page, re.S)
    assert match and "LiteLLM_SpendLogs ShareLock" in match.group(1)
    assert "idle in transaction" in match.group(1)


def test_growth_from_snapshots_and_the_csv(cast, client_for, capsys):
    factories.make_key(alias="one")
    call_command("db_snapshot")
    assert "Recorded sizes of" in capsys.readouterr().out
    table = litellm.table_name("VerificationToken")
    today = TableSnapshot.objects.get(table=table, taken_on=now_utc().date())
    assert today.rows == 1
    TableSnapshot.objects.create(
        **{
            **{f: getattr(today, f) for f in ("table", "rows_estimated", "table_bytes", "index_bytes", "toast_bytes")},
            "taken_on": today.taken_on - timedelta(days=4),
            "taken_at": today.taken_at - timedelta(days=4),
            "rows": 0,
            "total_bytes": today.total_bytes - 4096,
        }
    )
    for i in range(7):
        factories.make_key(alias=f"more{i}")
    response = client_for(cast.proxy_admin).get(URL)
    html = response.content.decode()
    cell = re.search(
        r'<tr data-row="VerificationToken">.*?data-cell="rows-per-day" title="([^"]*)">([^<]*)<', html, re.S
    )
    assert cell.groups() == (f"snapshots since {today.taken_on - timedelta(days=4):%Y-%m-%d}", "2.0")  # 8 rows / 4 days
    exported = client_for(cast.proxy_admin).get(URL + "?export=csv")
    lines = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    keys = next(r for r in lines if r["table"] == table)
    assert keys["rows"] == "8" and keys["rows_per_day"] == "2.0" and keys["insert_frequency"].startswith("Medium")
