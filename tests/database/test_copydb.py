"""copydb from the test database (seed or newest schema, as the run says) into a fresh
newest-schema database: rows of every table arrive with equal checksums and a key still
authenticates by its hash; a rerun skips what is there; conflicts are listed and kept unless
--overwrite; an interrupted run resumes; --since-last-run tops up what the proxy wrote since;
a target without LiteLLM's schema, or with an older one, is refused and named."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from config import litellm
from config.writes import now_utc
from database.copy import engine, verify
from demo import embedded, testdb
from tests import factories
from tests.conftest import litellm_tables
from usage.models import SpendLogs

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
SOURCE_SCHEMA = os.environ.get("LITELLM_TEST_SCHEMA", "newest")


def fresh_database(name: str, upto: str | None = "newest") -> str:
    server = testdb.server()
    embedded.create_database(server, name, drop=True)
    if upto is not None:
        embedded.apply_litellm_migrations(
            server, name, upto=None if upto == "newest" else upto, table_prefix=litellm.table_name("")
        )
    return embedded.database_url(server, name)


@pytest.fixture(scope="module")
def newest_url():
    return fresh_database("copy_target_newest")


@pytest.fixture
def target(newest_url, clean_litellm):
    """The newest-schema target, emptied after each test."""
    yield newest_url
    with psycopg.connect(embedded.conninfo(testdb.server(), "copy_target_newest"), autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE %s",
            [litellm.table_name("") + "%"],
        )]  # fmt: skip
        conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


def on_target(sql: str, params=()):
    with psycopg.connect(embedded.conninfo(testdb.server(), "copy_target_newest")) as conn:
        return conn.execute(sql, params).fetchall()


def copydb(capsys, *args) -> str:
    capsys.readouterr()
    try:
        call_command("copydb", *args)
    finally:
        out = capsys.readouterr().out
    return out


def line(out: str, logical: str) -> list[str]:
    match = re.search(rf"^{re.escape(litellm.table_name(logical))} +(.*)$", out, re.M)
    assert match, f"{logical} not in report:\n{out}"
    return match.group(1).split()


def every_table(cast):
    """Rows in every table the console knows, plus spend logs spread over days."""
    factories.make_proxy_shaped_rows()
    key = factories.make_key(user_id=cast.member["user_id"], team_id=cast.team["team_id"], alias="prod", spend=2.5)
    factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    factories.make_end_user()
    factories.make_proxy_model("m-1", "gpt-4o")
    factories.make_daily_spend(cast.member["user_id"], cast.team["team_id"], "2026-11-30")
    now = now_utc()
    for i in range(23):
        factories.make_spend_log(api_key=key["token"], start_time=now - timedelta(hours=i * 5))
    return key


def empty_source_tables() -> list[str]:
    with connections["litellm"].cursor() as cursor:
        empty = []
        for t in litellm_tables():
            cursor.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{t}")')
            if cursor.fetchone()[0]:
                empty.append(t)
        return empty


def test_all_tables_arrive_with_equal_checksums_and_a_key_still_authenticates(cast, target, capsys):
    key = every_table(cast)
    out = copydb(capsys, "--to", target, "--tables", "all", "--batch", "7")
    copied = [t for t in litellm_tables() if t not in empty_source_tables()]
    assert len(copied) >= 15, copied
    for table in copied:
        cells = line(out, litellm.logical_name(table))
        source, inserted = int(cells[0]), int(cells[1])
        assert source == inserted > 0 and "checksums agree" in " ".join(cells), (table, cells)
    assert re.search(r"Keys: (\d+) of \1 sampled keys read on the target as on the source", out)
    # The proxy's lookup: sha256 of the raw key, then the combined view by that hash.
    with psycopg.connect(embedded.conninfo(testdb.server(), "copy_target_newest")) as conn:
        row = verify.lookup(conn, litellm.read_catalog(), factories.hash_key(key["raw"]))
    assert row is not None and row[1] == 2.5 and row[8] == "Research"
    assert on_target(f'SELECT count(*) FROM "{litellm.table_name("SpendLogs")}"')[0][0] == SpendLogs.objects.count()


def test_required_takes_the_seeds_five_and_what_they_reference(cast, target, capsys):
    every_table(cast)
    out = copydb(capsys, "--to", target)
    listed = re.findall(r"^  (\S+) +(.+)$", out, re.M)
    why = {litellm.logical_name(t): w for t, w in listed}
    for t in ("VerificationToken", "UserTable", "TeamTable", "TeamMembership", "BudgetTable"):
        assert why[t] == "required (seeds: Migrating Databases)"
    assert why["OrganizationTable"].startswith("referenced by ")  # teams point at their organization
    assert "SpendLogs" not in why
    order = [litellm.logical_name(t) for t, _ in listed]
    assert order.index("OrganizationTable") < order.index("TeamTable") < order.index("TeamMembership")


def test_a_rerun_skips_and_a_conflict_is_listed_and_kept_unless_overwrite(cast, target, capsys):
    key = every_table(cast)
    copydb(capsys, "--to", target)
    tokens = litellm.table_name("VerificationToken")
    on_target(f'UPDATE "{tokens}" SET key_alias = %s WHERE token = %s RETURNING 1', ["changed-there", key["token"]])
    factories.make_key(alias="new-here")
    with pytest.raises(CommandError, match="Verification found differences"):
        copydb(capsys, "--to", target)
    out = capsys.readouterr().out or ""
    # capsys was drained by copydb(); re-run as dry run to read the report
    out = copydb(capsys, "--to", target, "--dry-run")
    source, copied, skipped, conflicts = map(int, line(out, "VerificationToken")[:4])
    assert (copied, conflicts, skipped) == (0, 1, source - 1)
    assert f"Conflicts in {tokens} (kept; --overwrite replaces them): {key['token']}" in out
    assert on_target(f'SELECT key_alias FROM "{tokens}" WHERE token = %s', [key["token"]]) == [("changed-there",)]
    out = copydb(capsys, "--to", target, "--overwrite")
    assert line(out, "VerificationToken")[4] == "1"  # replaced
    assert "checksums agree" in " ".join(line(out, "VerificationToken"))
    assert on_target(f'SELECT key_alias FROM "{tokens}" WHERE token = %s', [key["token"]]) == [("prod",)]


def test_an_interrupted_copy_resumes_where_the_target_stands(cast, target, capsys, monkeypatch):
    every_table(cast)
    real_merge, calls = engine.merge, []

    def failing_merge(cur, plan, *args, **kwargs):
        if plan.logical == "SpendLogs":
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("connection lost")
        return real_merge(cur, plan, *args, **kwargs)

    monkeypatch.setattr(engine, "merge", failing_merge)
    with pytest.raises(RuntimeError):
        call_command("copydb", "--to", target, "--tables", "SpendLogs", "--batch", "5")
    logs = litellm.table_name("SpendLogs")
    assert on_target(f'SELECT count(*) FROM "{logs}"')[0][0] == 10  # two batches committed
    monkeypatch.setattr(engine, "merge", real_merge)
    out = copydb(capsys, "--to", target, "--tables", "SpendLogs", "--batch", "5")
    total = SpendLogs.objects.count()
    assert line(out, "SpendLogs")[:4] == [str(total), str(total - 10), "10", "0"]
    assert "checksums agree" in out


def test_since_last_run_tops_up_what_the_proxy_wrote_meanwhile(cast, target, capsys):
    key = every_table(cast)
    copydb(capsys, "--to", target, "--tables", "required,SpendLogs")
    for _ in range(4):
        factories.make_spend_log(api_key=key["token"])
    from keys.models import VerificationToken

    VerificationToken.objects.filter(token=key["token"]).update(spend=7.75)  # the proxy's counter moved
    out = copydb(capsys, "--to", target, "--tables", "required,SpendLogs", "--since-last-run", "--overwrite")
    source, copied = map(int, line(out, "SpendLogs")[:2])
    assert copied == 4 and source < SpendLogs.objects.count()  # only the recent window was read
    assert line(out, "VerificationToken")[4] == "1"
    tokens = litellm.table_name("VerificationToken")
    assert on_target(f'SELECT spend FROM "{tokens}" WHERE token = %s', [key["token"]]) == [(7.75,)]
    assert on_target(f'SELECT count(*) FROM "{litellm.table_name("SpendLogs")}"')[0][0] == SpendLogs.objects.count()


def test_a_target_without_litellms_schema_or_with_an_older_one_is_refused(cast, clean_litellm, capsys):
    empty = fresh_database("copy_target_empty", upto=None)
    with pytest.raises(CommandError, match="holds no LiteLLM_\\* tables: create LiteLLM's schema there first"):
        call_command("copydb", "--to", empty)
    older = fresh_database("copy_target_seed", upto=embedded.SEED_LAST_MIGRATION)
    if SOURCE_SCHEMA == "newest":
        with pytest.raises(CommandError, match=r'column "LiteLLM_VerificationToken"\."\w+" is missing') as err:
            call_command("copydb", "--to", older)
        assert "copydb never alters LiteLLM's schema" in str(err.value)
    else:
        factories.make_key(alias="seed-to-seed")
        out = copydb(capsys, "--to", older)
        assert "checksums agree" in " ".join(line(out, "VerificationToken"))
    with pytest.raises(CommandError, match="is the source database itself"):
        source = connections["litellm"].get_connection_params()["dbname"]
        call_command("copydb", "--to", embedded.database_url(testdb.server(), source))


def test_dry_run_writes_nothing(cast, target, capsys):
    every_table(cast)
    out = copydb(capsys, "--to", target, "--dry-run")
    assert "Dry run: nothing was written." in out
    assert int(line(out, "VerificationToken")[1]) > 0  # what would be copied
    assert on_target(f'SELECT count(*) FROM "{litellm.table_name("VerificationToken")}"')[0][0] == 0


def test_since_limits_the_log_tables_only(cast, target, capsys):
    every_table(cast)
    since = now_utc() - timedelta(days=2)
    out = copydb(capsys, "--to", target, "--tables", "required,SpendLogs", "--since", since.strftime("%Y-%m-%d %H:%M"))
    recent = SpendLogs.objects.filter(start_time__gte=since.replace(second=0, microsecond=0)).count()
    assert 0 < recent < SpendLogs.objects.count()
    assert line(out, "SpendLogs")[:2] == [str(recent), str(recent)]
    from keys.models import VerificationToken

    assert line(out, "VerificationToken")[1] == str(VerificationToken.objects.count())  # keys whole
    with pytest.raises(CommandError, match="not a date"):
        call_command("copydb", "--to", target, "--since", "last tuesday")
