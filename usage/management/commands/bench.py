"""`python manage.py bench`: time the main pages on a large deployment, on both schema versions.

manage.py starts the embedded demo PostgreSQL for this command (when DATABASE_URL is unset).
For each schema version this command builds a benchmark database on that server once
(usage/benchdata.py; reused on later runs, `--rebuild` to start over), then runs the
measurements in a child process pointed at that database with production settings (the live
catalog is read once per process, so each schema gets its own), and writes BENCHMARKS.md.
The pages are usage/bench/pages.py, the measuring loop usage/bench/measure.py, the report
usage/bench/report.py (its prose: usage/bench/notes.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCHEMAS = ("newest", "seed")
# timed again with the spend logs stored in random order (`--shuffled-logs`)
SHUFFLED_PAGES = ("spend logs", "key detail", "usage, one key")


class Command(BaseCommand):
    help = (
        "Build a large LiteLLM deployment in the embedded PostgreSQL (once per schema version) and time the"
        " console's main pages over HTTP (gunicorn) with production settings; writes BENCHMARKS.md. Prints"
        " each step and each page as it goes (building the data takes several minutes the first time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", choices=[*SCHEMAS, "both"], default="both")
        parser.add_argument("--runs", type=int, default=15, help="timed runs per page (median reported)")
        parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark databases")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "BENCHMARKS.md"))
        parser.add_argument(
            "--only", default="", help='time only the pages whose label contains this text (or one of "a|b|...")'
        )
        parser.add_argument(
            "--profile",
            metavar="DIR",
            help="also profile one run of each page (pyinstrument): call trees to DIR, their top in the report",
        )
        parser.add_argument(
            "--database",
            metavar="NAME",
            help="measure this existing database (a copy of litellm_bench_<schema>) instead; never built or changed",
        )
        parser.add_argument(
            "--client", action="store_true", help="server ms through the in-process test Client instead of HTTP"
        )
        parser.add_argument(
            "--shuffled-logs",
            action="store_true",
            help="also time the spend-log and key pages on a copy whose spend logs are stored in random order",
        )
        parser.add_argument(
            "--replica",
            action="store_true",
            help="also time the pages that may read the read replica (usage, logs, reports, exports) with"
            " LITELLM_REPLICA_URL set to a streaming standby of the benchmark server (pg_basebackup), and count"
            " the statements each server ran",
        )
        parser.add_argument("--measure", choices=SCHEMAS, help="(internal) measure the current DATABASE_URL")
        parser.add_argument("--replica-pages", action="store_true", help="(internal) only the replica's pages")
        parser.add_argument("--json", help="(internal) where --measure writes its results")

    def handle(self, *args, **options):
        if options["measure"]:
            from usage.bench.measure import measure_pages

            profile_dir = options["profile"] and str(Path(options["profile"]) / options["measure"])
            results = measure_pages(
                runs=options["runs"],
                log=self._log,
                only=options["only"],
                profile_dir=profile_dir,
                over_http=not options["client"],
                replica_only=options["replica_pages"],
            )
            Path(options["json"]).write_text(json.dumps(results))
            return
        from usage.bench.report import render_markdown

        server = self._embedded_server()
        schemas = SCHEMAS if options["schema"] == "both" else (options["schema"],)
        databases = {}
        for schema in schemas:
            if options["database"]:
                databases[schema] = self._existing_database(server, options["database"]), None
            else:
                databases[schema] = self._ensure_database(server, schema, rebuild=options["rebuild"])
        report = {}
        with contextlib.ExitStack() as stack:
            # after the databases are built: the standby is a copy of the whole server
            standby = stack.enter_context(self._standby(server)) if options["replica"] else None
            for n, schema in enumerate(schemas, 1):
                self._log(f"[schema {n}/{len(schemas)}] {schema}")
                dbname, build_seconds = databases[schema]
                load_before = os.getloadavg()[0]
                pages = self._measure(server, dbname, schema, options)
                litellm = self._litellm_sql(server, dbname, options)
                report[schema] = {
                    "build_seconds": build_seconds,
                    "pages": pages,
                    "load": (load_before, os.getloadavg()[0]),
                    "litellm": litellm,
                }
                if options["shuffled_logs"]:
                    report[schema]["shuffled"] = self._measure_shuffled(server, dbname, schema, options)
                if standby is not None:
                    load_before = os.getloadavg()[0]
                    self._log(f"{schema}: the replica's pages again, LITELLM_REPLICA_URL set to the standby ...")
                    on_replica = self._measure(server, dbname, schema, options, standby=standby)
                    report[schema]["replica"] = {"pages": on_replica, "load": (load_before, os.getloadavg()[0])}
        Path(options["output"]).write_text(
            render_markdown(report, runs=options["runs"], over_http=not options["client"])
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}"))

    def _log(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _embedded_server(self):
        from demo import database as demo_db

        if not os.environ.get("CONSOLE_EMBEDDED_SOCKET") or demo_db._server is None:
            raise CommandError(
                "The benchmark builds its own databases in the embedded PostgreSQL only: run it without DATABASE_URL."
            )
        return demo_db._server

    @contextlib.contextmanager
    def _standby(self, server):
        """A streaming standby of the benchmark server (demo/replica.py: pg_basebackup -R),
        running beside it until the measurements end, then removed."""
        from demo.replica import Standby

        base = Path(tempfile.mkdtemp(prefix="console-bench-standby-"))
        self._log("replica: pg_basebackup of the benchmark server into a streaming standby (a few minutes) ...")
        started = time.perf_counter()
        node = Standby(server, base).create()
        self._log(f"replica: standby streaming, made in {time.perf_counter() - started:.0f} s")
        try:
            yield node
        finally:
            node.stop()
            shutil.rmtree(base, ignore_errors=True)

    def _existing_database(self, server, name: str) -> str:
        from demo import embedded

        if not embedded.database_exists(server, name):
            raise CommandError(f"No database {name!r} on the embedded server (--database names an existing copy).")
        return name

    def _litellm_sql(self, server, dbname: str, options) -> dict:
        """The SQL LiteLLM's own endpoints send for the same pages (usage/bench/litellm_sql.py)."""
        from demo import embedded
        from usage.bench import litellm_sql

        self._log("LiteLLM's SQL for the same pages (psycopg) ...")
        return litellm_sql.measure(
            embedded.conninfo(server, dbname), runs=options["runs"], only=options["only"], log=self._log
        )

    def _measure_shuffled(self, server, dbname: str, schema: str, options) -> dict:
        """The spend-log and key pages again on `<dbname>_shuffled` (built once by usage/benchdata.py)."""
        from demo import embedded
        from usage import benchdata

        copy = f"{dbname}_shuffled"
        if not embedded.database_exists(server, copy):
            self._log(f"{schema}: building {copy} (a copy of {dbname}, spend logs in random order) ...")
            benchdata.shuffled_copy(embedded.conninfo(server, "postgres"), dbname, copy, log=self._log)
        from usage.bench.pages import label_matches

        labels = [label for label in SHUFFLED_PAGES if label_matches(label, options["only"])]
        pages = []
        load_before = os.getloadavg()[0]
        for label in labels:
            pages += self._measure(server, copy, schema, {**options, "only": label})
        return {"database": copy, "pages": pages, "load": (load_before, os.getloadavg()[0])}

    def _ensure_database(self, server, schema: str, *, rebuild: bool) -> tuple[str, float | None]:
        from demo import embedded
        from usage import benchdata

        dbname = f"litellm_bench_{schema}"
        conninfo = embedded.conninfo(server, dbname)
        if not rebuild and embedded.database_exists(server, dbname) and benchdata.is_built(conninfo):
            self._log(f"{schema}: reusing the benchmark database {dbname}")
            return dbname, None
        self._log(f"{schema}: building {dbname} (schema, then data; several minutes) ...")
        started = time.perf_counter()
        embedded.create_database(server, dbname, drop=True)
        upto = embedded.SEED_LAST_MIGRATION if schema == "seed" else None
        embedded.apply_litellm_migrations(server, dbname, upto=upto)
        benchdata.build(conninfo, log=self._log)
        seconds = time.perf_counter() - started
        self._log(f"{schema}: built in {seconds:.0f} s")
        return dbname, seconds

    def _measure(self, server, dbname: str, schema: str, options, *, standby=None) -> list[dict]:
        from urllib.parse import quote

        from demo import embedded

        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
            out_path = out.name
        # Production settings (DEBUG off: templates are not in debug mode), over plain http
        # through the test Client, with collected static files for the manifest storage.
        static_root = tempfile.mkdtemp(prefix="console-bench-static-")
        env = {
            **os.environ,
            "DATABASE_URL": embedded.database_url(server, dbname),
            "CONSOLE_NO_BOOTSTRAP": "1",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_ROOT": static_root,
            "CONN_MAX_AGE": "600",
        }
        if standby is not None:
            socket = quote(str(standby.socket_dir), safe="/")
            env["LITELLM_REPLICA_URL"] = f"postgresql://postgres:@/{dbname}?host={socket}"
        manage = Path(settings.BASE_DIR) / "manage.py"
        self._log(f"{schema}: collecting static files ...")
        subprocess.run([sys.executable, str(manage), "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        cmd = [sys.executable, str(manage), "bench", "--measure", schema, "--json", out_path]
        cmd += ["--runs", str(options["runs"]), "--only", options["only"]]
        if options["profile"] and standby is None:
            cmd += ["--profile", options["profile"]]
        if options["client"]:
            cmd += ["--client"]
        if standby is not None:
            cmd += ["--replica-pages"]
        self._log(f"{schema}: measuring ({options['runs']} runs per page) ...")
        subprocess.run(cmd, env=env, check=True)
        try:
            return json.loads(Path(out_path).read_text())
        finally:
            os.unlink(out_path)
            shutil.rmtree(static_root, ignore_errors=True)
