"""`python3 manage.py alerts --once`: one evaluation pass, the same code the worker runs every
ALERT_EVERY_MINUTES minutes, with its deliveries attempted here (for cron users and debugging)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from alerts.channels import configured_channels
from alerts.evaluate import evaluate


class Command(BaseCommand):
    help = "Evaluate budget and spike alerts once and send the new ones."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one pass now (the worker runs them periodically)")

    def handle(self, *args, **options):
        if not options["once"]:
            raise CommandError("Say --once to run one pass; `python3 manage.py worker` runs them every few minutes.")
        channels = configured_channels()
        self.stdout.write(
            f"Channels: {', '.join(channels) if channels else 'none configured (alerts are recorded only)'}"
        )
        result = evaluate(deliver_now=True)
        for alert in result.created:
            self.stdout.write(f"{alert.get_status_display():<32} {alert.subject}")
        counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts.items())) or "nothing new"
        self.stdout.write(f"{len(result.created)} new alert(s): {counts}")
