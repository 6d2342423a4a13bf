"""`manage.py db_snapshot`: record today's row counts and sizes of every LiteLLM table in the
console's own table (console_table_snapshot), for /database/'s growth per day. Run it daily
(cron or the job queue); a second run the same UTC day replaces that day's rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from database.health.sizes import snapshot


class Command(BaseCommand):
    help = "Record today's LiteLLM table sizes for /database/'s growth figures (run daily)."

    def handle(self, *args, **options):
        count = snapshot()
        self.stdout.write(f"Recorded sizes of {count} LiteLLM tables for today (UTC).")
