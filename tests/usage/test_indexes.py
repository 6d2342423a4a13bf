"""`manage.py indexes`: reports recommended indexes as present/missing; builds one only on request."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from config import litellm
from usage.management.commands.indexes import recommended, status_rows

pytestmark = pytest.mark.schema

API_KEY_INDEX = litellm.table_name("SpendLogs") + "_api_key_startTime_idx"


def run(*args) -> str:
    out = StringIO()
    call_command("indexes", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(databases="__all__")
def test_it_reports_each_recommended_index_as_present_or_missing():
    output = run()
    catalog = litellm.read_catalog()
    for ix, present in status_rows(catalog):
        line = next(line for line in output.splitlines() if f" {ix.name} " in f" {line} ")
        assert line.startswith("present" if present else "MISSING"), line
    # What each schema version holds (shared/litellm-schema.md): "startTime" everywhere;
    # (team_id, date) on both (on the seed, the unique key leads with those columns);
    # VerificationToken(team_id) only on the newest; (api_key, "startTime") on neither when
    # migrated by SQL alone.
    assert catalog.has_index("SpendLogs", ("startTime",))
    assert f"MISSING  {API_KEY_INDEX}" in output
    newest = catalog.has_column("SpendLogs", "status")
    assert catalog.has_index("DailyTeamSpend", ("team_id", "date"))
    assert catalog.has_index("VerificationToken", ("team_id",)) == newest
    assert "--create NAME" in output


@pytest.mark.django_db(databases="__all__")
def test_it_refuses_an_unknown_name():
    with pytest.raises(CommandError, match="not one of the recommended"):
        run("--create", "no_such_index")


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_it_builds_a_missing_index_concurrently_when_asked():
    assert API_KEY_INDEX in {ix.name for ix in recommended()}
    try:
        output = run("--create", API_KEY_INDEX)
        assert "CREATE INDEX CONCURRENTLY" in output and "built" in output
        assert litellm.read_catalog().has_index("SpendLogs", ("api_key", "startTime"))
        assert "already present" in run("--create", API_KEY_INDEX)
        assert f"present  {API_KEY_INDEX}" in run()
    finally:
        with connections["litellm"].cursor() as cursor:
            cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{API_KEY_INDEX}"')
        litellm.reset_catalog()
