"""`python3 manage.py worker`: a Procrastinate worker for the console's jobs and periodic tasks.

The same as `python3 manage.py procrastinate worker`, with the console's defaults. Run as many as
you like, on any number of machines sharing the database: jobs are taken with row locks, and a
periodic slot is deferred once (procrastinate_periodic_defers is unique per slot)."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from procrastinate.contrib.django import app


class Command(BaseCommand):
    help = "Run a background worker: alert evaluation, usage_warm and every other queued job."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2, help="jobs run at once (default 2)")
        parser.add_argument("--queues", default="", help="comma-separated queues (default: all)")
        parser.add_argument("--once", action="store_true", help="run the jobs waiting now, then exit")

    def handle(self, *args, **options):
        logging.getLogger("procrastinate").setLevel(logging.INFO)
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()] or None
        self.stderr.write(f"Worker on {', '.join(queues) if queues else 'every queue'}; Ctrl-C stops it.")
        with app.replace_connector(app.connector.get_worker_connector()):
            app.run_worker(
                queues=queues,
                concurrency=options["concurrency"],
                wait=not options["once"],
                install_signal_handlers=True,
            )
