"""`manage.py close_month YYYY-MM`: freeze a past UTC month's figures (a new version each run)."""

from django.core.management.base import BaseCommand, CommandError

from reports.close import MonthNotClosable, close_month, send_report_quietly
from reports.diff import version_changes


class Command(BaseCommand):
    help = (
        "Close a past month (UTC, or CONSOLE_TIME_ZONE's with --months local / REPORTS_MONTHS=local): "
        "freeze spend, requests and tokens per organization, team, user, key, model and tag from the daily "
        "tables (and a local month's boundary hours from the spend logs). Closing again adds a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="the month to close, YYYY-MM (a month that has ended)")
        parser.add_argument(
            "--months",
            choices=["utc", "local"],
            help="utc months, or local months of CONSOLE_TIME_ZONE (default: the REPORTS_MONTHS setting)",
        )
        parser.add_argument(
            "--email",
            action="store_true",
            help="email the report to REPORTS_EMAIL_TO and to the admins of opted-in teams",
        )

    def handle(self, *args, **options):
        try:
            close = close_month(options["month"], closed_by="manage.py close_month", months=options.get("months"))
        except MonthNotClosable as exc:
            raise CommandError(str(exc)) from None
        total = close.figures.get(kind="total")
        if options["email"]:
            for sent in send_report_quietly(close):
                self.stdout.write(f"Emailed {sent.subject} to {', '.join(sent.to)} ({sent.sections} section(s)).")
        self.stdout.write(
            f"Closed {close.label} as version {close.version}: spend {total.spend:.2f}, "
            f"{total.api_requests} requests, from {close.source_rows} "
            f"{'daily rows and spend logs' if 'SpendLogs' in close.method else 'daily rows'}."
        )
        self.stdout.write(f"Method: {close.method}")
        if close.version > 1:
            changes = version_changes(close)
            self.stdout.write(f"{len(changes)} figure(s) moved since version {close.version - 1}.")
            for change in changes[:10]:
                before, after = change.spend_before, change.spend_after
                self.stdout.write(f"  {change.kind_label} {change.label}: {before:.4f} -> {after:.4f}")
