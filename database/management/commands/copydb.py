"""`manage.py copydb --to URL`: copy LiteLLM's tables from this database (DATABASE_URL) into
another one that already has LiteLLM's schema (seeds 002-004, "Migrating Databases").

Tables: `--tables required` (the seeds' required five), `all`, or a comma-separated list, always
with the tables they reference (foreign keys), parents first. Rows stream with COPY in batches;
a rerun skips what is there and identical; a target row that differs is a conflict, listed and
kept unless `--overwrite`. `--since DATE` limits SpendLogs/ErrorLogs; `--since-last-run` tops up
from the start of the last run to the same target (logs and daily tables by their timestamps,
the rest compared whole). Ends with counts and checksums per table and a sample of keys looked
up on the target as the proxy does. Writes nothing with `--dry-run`.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError

from config import litellm
from config.errors import ChangeRefused
from config.writes import now_utc
from database.copy import engine, plan, target, verify
from database.models import CopyRun

# Rows a run may have missed while it read: --since-last-run starts this long before the last start.
TOP_UP_MARGIN = timedelta(minutes=5)


def parse_day(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since {text}: not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM).") from None


class Command(BaseCommand):
    help = "Copy LiteLLM's tables into another database that already has LiteLLM's schema."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="URL", help="the target's postgresql:// URL")
        parser.add_argument("--tables", default="required", help="required (default), all, or a list: A,B,C")
        parser.add_argument("--dry-run", action="store_true", help="compare and report, write nothing")
        parser.add_argument("--since", help="SpendLogs/ErrorLogs from this date (UTC) on")
        parser.add_argument("--overwrite", action="store_true", help="replace target rows that differ")
        parser.add_argument("--since-last-run", action="store_true", help="top up since the last run to this target")
        parser.add_argument("--batch", type=int, default=engine.BATCH, help="rows per batch")

    def handle(self, *args, **o):
        if o["since"] and o["since_last_run"]:
            raise CommandError("Give --since or --since-last-run, not both.")
        if o["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        since = parse_day(o["since"]) if o["since"] else None
        try:
            params = target.conninfo(o["to"])
            src, dst = target.connect_source(), target.connect_target(params)
        except ChangeRefused as exc:
            raise CommandError(exc.message) from None
        except Exception as exc:  # psycopg.OperationalError and friends: one clear line
            raise CommandError(f"Cannot connect: {str(exc).strip().splitlines()[0]}") from None
        with src, dst:
            if target.identity(src) == target.identity(dst):
                raise CommandError("--to is the source database itself.")
            where = target.describe(params)
            try:
                source_cat = litellm.read_catalog()
                plans = plan.build(o["tables"], source_cat, src)
                target_cat = target.check(dst, source_cat, [p.table for p in plans])
                keys = plan.primary_keys(dst)
                for p in plans:
                    p.match_key = keys.get(p.table)
                    if not p.match_key or any(c not in p.columns for c in p.match_key):
                        raise ChangeRefused(f"{p.table}: the target's primary key is not among the copied columns.")
            except ChangeRefused as exc:
                raise CommandError(exc.message) from None
            top_up_from = None
            if o["since_last_run"]:
                last = CopyRun.objects.filter(target=where, dry_run=False, finished_at__isnull=False).order_by(
                    "-started_at"
                )
                if not last:
                    raise CommandError(f"No finished copydb run to {where} yet: run it once without --since-last-run.")
                top_up_from = last[0].started_at - TOP_UP_MARGIN
            run = CopyRun(target=where, started_at=now_utc(), tables=[p.table for p in plans], dry_run=o["dry_run"])
            run.save()
            self.stdout.write(f"Copying to {where}{' (dry run: nothing is written)' if o['dry_run'] else ''}:")
            for p in plans:
                self.stdout.write(f"  {p.table:34} {p.why}")
            reports = []
            ok = True
            for p in plans:
                window = top_up_from if (top_up_from and p.time_column) else since
                if window and p.logical not in ("SpendLogs", "ErrorLogs") and not top_up_from:
                    window = None  # --since is for the log tables only
                report = engine.copy_table(
                    src, dst, p, since=window, overwrite=o["overwrite"], dry_run=o["dry_run"], batch=o["batch"],
                    progress=self.progress,
                )  # fmt: skip
                if not o["dry_run"]:
                    same, report.verify = verify.compare(src, dst, p, window)
                    ok = ok and same
                reports.append(report)
            checked, key_problems = (0, [])
            if not o["dry_run"] and any(p.logical == "VerificationToken" for p in plans):
                checked, key_problems = verify.check_keys(src, dst, source_cat, target_cat)
            written_since = self.written_during(src, source_cat, run.started_at)
            run.finished_at = now_utc()
            run.report = {r.table: self.as_json(r) for r in reports}
            run.save()
        self.print_report(reports, checked, key_problems, written_since, o)
        if not o["dry_run"] and (not ok or key_problems):
            raise CommandError("Verification found differences (see above).")

    def progress(self, r: engine.TableReport, done: int) -> None:
        total = max(r.source_rows, 1)
        filled = int(30 * min(done, total) / total)
        rate = done / r.seconds if r.seconds else 0
        sys.stderr.write(
            f"\r{litellm.logical_name(r.table)}: [{'#' * filled}{'-' * (30 - filled)}] {done}/{r.source_rows}"
            f" {rate:,.0f} rows/s"
        )
        if done >= r.source_rows:
            sys.stderr.write("\n")
        sys.stderr.flush()

    @staticmethod
    def as_json(r: engine.TableReport) -> dict:
        return {
            k: getattr(r, k)
            for k in ("source_rows", "inserted", "identical", "conflicts", "overwritten", "conflict_keys", "verify")
        } | {"seconds": round(r.seconds, 2)}

    @staticmethod
    def written_during(src, cat, started: datetime) -> int | None:
        if not cat.has_table("SpendLogs"):
            return None
        n = src.execute(
            f'SELECT count(*) FROM "{litellm.table_name("SpendLogs")}" WHERE "startTime" >= %s', [started]
        ).fetchone()[0]
        src.commit()
        return n

    def print_report(self, reports, checked, key_problems, written_since, o) -> None:
        w = self.stdout.write
        w("")
        w(f"{'table':34} {'source':>9} {'copied':>9} {'skipped':>9} {'conflict':>9} {'replaced':>9} {'rows/s':>9}")
        for r in reports:
            w(
                f"{r.table:34} {r.source_rows:>9} {r.inserted:>9} {r.identical:>9} {r.conflicts:>9}"
                f" {r.overwritten:>9} {r.rate:>9,.0f}  {r.verify}"
            )
        for r in reports:
            if r.conflict_keys:
                kept = "replaced by the source's (--overwrite)" if o["overwrite"] else "kept; --overwrite replaces them"
                w(f"Conflicts in {r.table} ({kept}): {', '.join(r.conflict_keys)}")
            for s in r.sequences:
                w(f"Sequence moved past the copied ids: {s}")
        if checked:
            w(f"Keys: {checked - len(key_problems)} of {checked} sampled keys read on the target as on the source.")
        for problem in key_problems:
            w(f"  {problem}")
        if o["dry_run"]:
            w("Dry run: nothing was written.")
            return
        if written_since:
            w(
                f"Still on the old database: {written_since} spend logs written during this copy. The proxy's "
                "DATABASE_URL points there until you switch it; run `copydb --to URL --since-last-run` to top up."
            )
        w(self.style.SUCCESS("Copy finished."))
