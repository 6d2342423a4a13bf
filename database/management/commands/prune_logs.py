"""`manage.py prune_logs --days N`: delete SpendLogs and ErrorLogs older than N days, in small
batches (as LiteLLM's maximum_spend_logs_retention_period job; see database/services/prune.py)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from config.errors import ChangeRefused
from database.services import prune as service
from database.services.archive import Archive


class Command(BaseCommand):
    help = "Delete SpendLogs/ErrorLogs older than --days in small batches (never the daily spend tables)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True, help="keep this many days of logs")
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
        parser.add_argument("--archive", metavar="FILE", help="write deleted rows to FILE.jsonl.gz or FILE.csv.gz")
        parser.add_argument("--batch", type=int, default=service.BATCH_SIZE, help="rows per batch (LiteLLM: 1000)")
        parser.add_argument("--pause", type=float, default=service.PAUSE_SECONDS, help="seconds between batches")

    def handle(self, *args, **options):
        archive = None
        try:
            if options["archive"] and not options["dry_run"]:
                archive = Archive(options["archive"])
            cutoff = service.cutoff_for(options["days"])
            self.stdout.write(
                f"Deleting rows with startTime before {cutoff:%Y-%m-%d %H:%M} UTC ({options['days']} days)."
            )
            self.stdout.write(service.NOT_TOUCHED)
            results = service.prune(
                options["days"],
                batch_size=options["batch"],
                pause=options["pause"],
                dry_run=options["dry_run"],
                archive=archive,
                on_batch=self.progress,
            )
        except ChangeRefused as exc:
            raise CommandError(exc.message) from None
        finally:
            if archive is not None:
                archive.close()
        for r in results:
            if options["dry_run"]:
                self.stdout.write(f"{r.table}: {r.expired} rows would be deleted (dry run: nothing deleted).")
                continue
            times = sorted(r.batch_seconds)
            slowest = (
                f", batch median {times[len(times) // 2] * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms"
                if times
                else ""
            )
            self.stdout.write(f"{r.table}: {r.deleted} rows deleted in {r.batches} batches{slowest}.")
        if archive is not None:
            self.stdout.write(f"Archived {archive.rows} rows to {archive.path}.")

    def progress(self, r: service.TableResult) -> None:
        total = max(r.expired, r.deleted, 1)
        filled = int(30 * min(r.deleted, total) / total)
        ms = r.batch_seconds[-1] * 1000
        sys.stderr.write(
            f"\r{r.table}: [{'#' * filled}{'-' * (30 - filled)}] {r.deleted}/{total} batch {r.batches} ({ms:.0f} ms)"
        )
        if r.deleted >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
