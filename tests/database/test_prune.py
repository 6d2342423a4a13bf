"""prune_logs: exactly the rows older than the cut-off go, batch by batch, each batch its own
committed transaction; the proxy's inserts never wait for it; a second prune is refused; the
daily spend tables are never touched; the archive holds exactly what was deleted."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from config import litellm
from config.writes import new_id, now_utc
from database.services import prune as service
from database.services.archive import read_csv, read_jsonl
from tests import factories
from usage.models import DailyUserSpend, ErrorLogs, SpendLogs

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def second_connection():
    return psycopg.connect(**connections["litellm"].get_connection_params(), autocommit=True)


def spend_logs(days_old: list[float]) -> dict[str, float]:
    now = now_utc()
    return {factories.make_spend_log(start_time=now - timedelta(days=d))["request_id"]: d for d in days_old}


def error_log(days_old: float) -> str:
    start = now_utc() - timedelta(days=days_old)
    row = dict(
        request_id=new_id(),
        start_time=start,
        end_time=start,
        api_base="",
        model_group="gpt-4o",
        litellm_model_name="gpt-4o",
        model_id="m",
        request_kwargs={},
        exception_type="RateLimitError",
        exception_string="429",
        status_code="429",
    )
    factories.insert_as_proxy(ErrorLogs, row)
    return row["request_id"]


def test_exactly_the_old_rows_go_in_committed_batches(clean_litellm, capsys):
    ages = spend_logs([31, 40, 45, 60, 90, 120, 29.9, 10, 1, 0] + [35] * 4)  # 10 old, 4 new
    old = {r for r, d in ages.items() if d > 30}
    old_error, new_error = error_log(50), error_log(5)
    factories.make_daily_user_spend("u-old", (now_utc() - timedelta(days=200)).strftime("%Y-%m-%d"))
    seen_after_batch = []
    with second_connection() as other:

        def watch(result):
            # Read from another connection: each batch is committed on its own.
            table = litellm.table_name(result.table)
            count = other.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            seen_after_batch.append((result.table, result.deleted, count))

        results = service.prune(30, batch_size=3, pause=0, on_batch=watch)

    left = set(SpendLogs.objects.values_list("request_id", flat=True))
    assert left == set(ages) - old
    assert set(ErrorLogs.objects.values_list("request_id", flat=True)) == {new_error} != {old_error}
    assert DailyUserSpend.objects.count() == 1  # 200 days old and still there
    by_table = {r.table: r for r in results}
    assert (by_table["SpendLogs"].expired, by_table["SpendLogs"].deleted, by_table["SpendLogs"].batches) == (10, 10, 4)
    spend = [(deleted, count) for table, deleted, count in seen_after_batch if table == "SpendLogs"]
    assert spend == [(3, 11), (6, 8), (9, 5), (10, 4)]


def test_an_insert_during_an_open_batch_waits_for_no_lock(clean_litellm, tmp_path):
    spend_logs([40] * 6)
    inserted = []

    class InsertingArchive:
        """Runs the proxy's insert while the batch's DELETE is still uncommitted."""

        rows = 0

        def write(self, table, row):
            self.rows += 1

        def flush(self):
            with second_connection() as proxy:
                proxy.execute("SET lock_timeout = '1ms'")  # waiting for any lock at all fails the insert
                request_id = new_id()
                proxy.execute(
                    f'INSERT INTO "{litellm.table_name("SpendLogs")}" (request_id, call_type, api_key, spend, '
                    'total_tokens, prompt_tokens, completion_tokens, "startTime", "endTime", model) '
                    "VALUES (%s, 'acompletion', 'h', 0.1, 1, 1, 0, now(), now(), 'gpt-4o')",
                    [request_id],
                )
                inserted.append(request_id)

    results = service.prune(30, batch_size=2, pause=0, archive=InsertingArchive())
    assert results[0].batches == 3 and len(inserted) == 3
    assert set(SpendLogs.objects.values_list("request_id", flat=True)) == set(inserted)


def test_a_second_prune_is_refused_while_one_runs(clean_litellm):
    ages = spend_logs([40, 50])
    with second_connection() as other:
        other.execute("SELECT pg_advisory_lock(hashtext(%s))", [service.LOCK_KEY])
        with pytest.raises(CommandError, match="Another prune_logs is running"):
            call_command("prune_logs", "--days", "30")
    assert SpendLogs.objects.count() == len(ages)
    call_command("prune_logs", "--days", "30", "--pause", "0")  # the lock is free again
    assert SpendLogs.objects.count() == 0


def test_dry_run_counts_and_deletes_nothing(clean_litellm, capsys):
    spend_logs([40, 50, 5])
    call_command("prune_logs", "--days", "30", "--dry-run")
    out = capsys.readouterr().out
    assert "SpendLogs: 2 rows would be deleted (dry run: nothing deleted)." in out
    assert "DailyUserSpend, DailyTeamSpend, DailyTagSpend) are never touched" in out
    assert SpendLogs.objects.count() == 3


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".csv.gz"])
def test_the_archive_holds_exactly_the_deleted_rows(clean_litellm, tmp_path, capsys, suffix):
    ages = spend_logs([40, 50, 60, 5])
    path = tmp_path / f"old{suffix}"
    call_command("prune_logs", "--days", "30", "--batch", "2", "--pause", "0", "--archive", str(path))
    old = {r for r, d in ages.items() if d > 30}
    if suffix == ".jsonl.gz":
        archived = {line["row"]["request_id"] for line in read_jsonl(path) if line["table"] == "SpendLogs"}
    else:
        rows = read_csv(path)
        header = rows[0]
        archived = {row[header.index("request_id")] for row in rows[1:] if row[0] == "SpendLogs"}
    assert archived == old
    assert "Archived 3 rows" in capsys.readouterr().out
    with pytest.raises(CommandError, match="exists already"):
        call_command("prune_logs", "--days", "30", "--archive", str(path))


def test_bad_arguments_are_clear_errors(clean_litellm, tmp_path):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_logs", "--days", "0")
    with pytest.raises(CommandError, match="must end in"):
        call_command("prune_logs", "--days", "3", "--archive", str(tmp_path / "x.txt"))
