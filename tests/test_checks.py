"""The schema check behind `manage.py check` and server start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

from accounts.models import UserTable
from config.checks import check_litellm_schema, schema_problems
from config.litellm import read_catalog
from demo import embedded, testdb
from keys.models import VerificationToken

ROOT = Path(__file__).resolve().parent.parent


def drop_column(model, column: str) -> None:
    with connections["litellm"].cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{column}"')


@pytest.mark.schema
@pytest.mark.django_db(databases="__all__")
class TestInProcess:
    """The test's transaction rolls the ALTERs back; read_catalog() reads the live catalog."""

    def test_it_passes_on_the_schema_litellm_built(self):
        assert check_litellm_schema() == []

    def test_it_names_a_dropped_seed_era_column(self):
        drop_column(UserTable, "user_alias")
        errors = check_litellm_schema()
        assert [e.id for e in errors] == ["litellm.E003"]
        assert f'"{UserTable._meta.db_table}"."user_alias" is missing' in errors[0].msg

    def test_it_names_every_missing_column_in_one_message(self):
        drop_column(UserTable, "user_alias")
        drop_column(VerificationToken, "key_alias")
        problems = schema_problems()
        assert f'column "{UserTable._meta.db_table}"."user_alias" is missing' in problems
        assert f'column "{VerificationToken._meta.db_table}"."key_alias" is missing' in problems

    def test_a_missing_newer_column_is_fine(self):
        # Newest schema: drop it; seed-era schema: it never existed. Either way the check passes.
        if VerificationToken.has_column("settings_updated_at"):
            drop_column(VerificationToken, "settings_updated_at")
        assert "settings_updated_at" not in read_catalog().columns[VerificationToken._meta.db_table]
        assert check_litellm_schema() == []


# --- `manage.py check` as an operator runs it, against other databases ------------------------


def manage_check(database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CONSOLE_DATABASE_URL"}
    env.update(
        CONSOLE_NO_BOOTSTRAP="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="check-test-secret",
        DEBUG="false",
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def scratch_databases():
    """Databases on the test session's embedded server, dropped afterwards."""
    server, made = testdb.server(), []

    def make(name: str, *, migrate: bool) -> str:
        embedded.create_database(server, name, drop=True)
        if migrate:
            upto = embedded.SEED_LAST_MIGRATION if os.environ.get("LITELLM_TEST_SCHEMA") == "seed" else None
            embedded.apply_litellm_migrations(server, name, upto=upto, table_prefix=PREFIX)
        made.append(name)
        return embedded.database_url(server, name)

    yield make
    import psycopg

    with psycopg.connect(embedded.conninfo(server), autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The run's table prefix (LiteLLM_, or LLM_ in the prefix run): scratch databases use it too.
PREFIX = os.environ.get("LITELLM_TABLE_PREFIX", "LiteLLM_")


def test_manage_check_passes_on_this_runs_litellm_schema(scratch_databases):
    result = manage_check(scratch_databases("check_ok", migrate=True))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_manage_check_fails_naming_a_dropped_column(scratch_databases):
    url = scratch_databases("check_dropped", migrate=True)
    import psycopg

    with psycopg.connect(embedded.conninfo(testdb.server(), "check_dropped"), autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{PREFIX}VerificationToken" DROP COLUMN "key_alias"')
    result = manage_check(url)
    assert result.returncode != 0
    assert f'"{PREFIX}VerificationToken"."key_alias" is missing' in result.stderr


def test_manage_check_says_plainly_when_the_database_is_not_litellms(scratch_databases):
    result = manage_check(scratch_databases("check_empty", migrate=False))
    assert result.returncode != 0
    assert f"holds no {PREFIX}* tables: it is not a LiteLLM database" in result.stderr


def test_manage_check_says_plainly_when_the_database_is_unreachable(tmp_path):
    result = manage_check(f"postgresql://postgres:@/nowhere?host={tmp_path}")
    assert result.returncode != 0
    assert "Cannot reach the LiteLLM database (DATABASE_URL)" in result.stderr
    assert "Traceback" not in result.stderr
