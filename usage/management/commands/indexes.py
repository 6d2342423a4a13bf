"""`manage.py indexes`: which indexes the console's queries want, and which this database has.

`manage.py indexes` only reports. `manage.py indexes --create NAME` builds one missing index
with CREATE INDEX CONCURRENTLY (in autocommit, so the proxy keeps writing while it builds);
it never builds anything unless asked by name, because on a large live table the build
costs real CPU and I/O.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from config import litellm
from config.routers import LITELLM_ALIAS


@dataclass(frozen=True)
class Recommended:
    table: str  # logical name, e.g. "SpendLogs"
    columns: tuple[str, ...]
    name: str  # the name LiteLLM itself gives it, where it builds one
    why: str

    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{self.name}" ON "{litellm.table_name(self.table)}" ({cols})'


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"{litellm.table_name(table)}_{'_'.join(columns)}_idx"


def recommended() -> list[Recommended]:
    rows = [
        ("SpendLogs", ("startTime",), "request logs: every query is bounded by a time window"),
        ("SpendLogs", ("api_key", "startTime"), "one key's request logs, newest first (key pages, key filter)"),
        ("SpendLogs", ("user", "startTime"), "one user's request logs (user filter)"),
        ("SpendLogs", ("team_id", "startTime"), "one team's request logs (team filter, team admins)"),
        ("ErrorLogs", ("startTime",), "error logs, newest first in a time window"),
        ("VerificationToken", ("team_id",), "keys of a team (key list filter, team pages, usage scopes)"),
        ("VerificationToken", ("user_id",), "keys of a user (key list, a user's request logs)"),
        ("VerificationToken", ("key_alias",), "a key typed by its alias into a filter (config/lookups.py)"),
        ("VerificationToken", ("created_at",), "keys list, newest first (its default order): no sort of every key"),
        ("DailyUserSpend", ("user_id", "date"), "usage of one user over a period"),
        ("DailyTeamSpend", ("team_id", "date"), "usage of one team or organization over a period"),
        ("DailyTagSpend", ("tag", "date"), "usage of one tag over a period"),
    ]
    return [Recommended(t, cols, _name(t, cols), why) for t, cols, why in rows]


def status_rows(catalog=None) -> list[tuple[Recommended, bool]]:
    """(index, present?) for every recommended index whose table exists here. An index counts
    as present when an existing index leads with the same columns."""
    catalog = catalog or litellm.catalog()
    return [(ix, catalog.has_index(ix.table, ix.columns)) for ix in recommended() if catalog.has_table(ix.table)]


class Command(BaseCommand):
    help = "Report the indexes the console's queries want; --create NAME builds one CONCURRENTLY."

    def add_arguments(self, parser):
        parser.add_argument("--create", metavar="NAME", help="build this missing index (CREATE INDEX CONCURRENTLY)")

    def handle(self, *args, **options):
        litellm.reset_catalog()  # fresh: someone may have built one since the process started
        rows = status_rows()
        if options["create"]:
            return self.create(rows, options["create"])
        width = max(len(ix.name) for ix, _ in rows)
        for ix, present in rows:
            mark = "present" if present else "MISSING"
            self.stdout.write(f"{mark:8} {ix.name:{width}}  ({', '.join(ix.columns)})  {ix.why}")
        missing = [ix for ix, present in rows if not present]
        if missing:
            self.stdout.write("")
            self.stdout.write(
                f"{len(missing)} missing. Build one with `manage.py indexes --create NAME` "
                "(CREATE INDEX CONCURRENTLY: the proxy keeps writing, but a big table takes CPU and time)."
            )

    def create(self, rows, name: str):
        match = [(ix, present) for ix, present in rows if ix.name == name]
        if not match:
            raise CommandError(f"{name} is not one of the recommended indexes; run `manage.py indexes` for the list.")
        ix, present = match[0]
        if present:
            self.stdout.write(f"{name}: already present, nothing to do.")
            return
        connection = connections[LITELLM_ALIAS]
        if connection.in_atomic_block:
            raise CommandError("CREATE INDEX CONCURRENTLY cannot run inside a transaction.")
        self.stdout.write(f"Building {name} with: {ix.sql()}")
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
            watcher = BuildProgress(connection.get_connection_params(), pid)
            watcher.start()
            try:
                cursor.execute(ix.sql())
            finally:
                watcher.finish()
        self.stdout.write(f"{name}: build finished in {time.monotonic() - started:.1f}s, checking it ...")
        litellm.reset_catalog()
        if not litellm.catalog().has_index(ix.table, ix.columns):
            # A failed concurrent build leaves an INVALID index behind; say so rather than hide it.
            raise CommandError(f"{name} was not built (an invalid index may be left; drop it and retry).")
        self.stdout.write(self.style.SUCCESS(f"{name}: built."))


class BuildProgress(threading.Thread):
    """Reports a concurrent index build's phase and share done from PostgreSQL's own
    pg_stat_progress_create_index, on stderr, until the build ends; read over a second
    connection, since the builder's is busy."""

    def __init__(self, params: dict, pid: int, stream=None, every: float = 1.0):
        super().__init__(daemon=True)
        self.params, self.pid, self.every = params, pid, every
        self.stream = stream or sys.stderr
        self.done = threading.Event()
        self.last = ""

    def run(self):
        try:
            with psycopg.connect(**self.params, autocommit=True) as conn:
                while not self.done.wait(self.every):
                    row = conn.execute(
                        "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
                        "FROM pg_stat_progress_create_index WHERE pid = %s",
                        [self.pid],
                    ).fetchone()
                    if row:
                        self.report(*row)
        except psycopg.Error:
            return  # progress is a courtesy; the build itself reports its own errors

    def report(self, phase, blocks_done, blocks_total, tuples_done, tuples_total):
        if blocks_total:
            share = f" {100 * blocks_done / blocks_total:.0f}% of {blocks_total} blocks"
        elif tuples_total:
            share = f" {100 * tuples_done / tuples_total:.0f}% of {tuples_total} rows"
        else:
            share = ""
        line = f"  {phase}{share}"
        if line != self.last:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last = line

    def finish(self):
        self.done.set()
        self.join(timeout=5)
