"""`python manage.py usage_warm`: bring the console's rollups of closed days up to date
(usage/rollup.py: new closed days, days a late flush changed, organizations whose teams or keys
changed), then fill the usage dashboard's cache of closed days before anyone asks, so no viewer
waits for the first, uncached view of a range (see usage/selectors/cache.py, "Closed days").

Run it from cron, for example every hour and a few minutes after 00:00 UTC (a new UTC day
makes new cache entries):

    5 * * * *  cd /srv/console && python manage.py usage_warm --orgs --refresh

It reads only LiteLLM's daily spend tables (and which teams and keys an organization has), as
the dashboard does, and writes only to the console's own tables and cache.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import OrganizationTable
from usage import rollup, selectors

DEFAULT_RANGES = "7d,30d,90d,this_month,last_month"


class Command(BaseCommand):
    help = "Fill the usage dashboard's cache of closed days for the whole proxy (and organizations)."

    def add_arguments(self, parser):
        parser.add_argument("--ranges", default=DEFAULT_RANGES, help=f"comma-separated (default {DEFAULT_RANGES})")
        parser.add_argument("--orgs", action="store_true", help="every organization too, not only the whole proxy")
        parser.add_argument(
            "--refresh", action="store_true", help="recompute entries that are still cached (they restart their TTL)"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        done = rollup.refresh()
        took = time.perf_counter() - started
        self.stdout.write(
            f"Rollups of closed days: every day before {done.before_day}; {len(done.days_rebuilt)} day(s) and"
            f" {len(done.scopes_rebuilt)} scope(s) (re)built, {done.rows_written} rows written, {took:.1f} s"
        )
        if selectors.closed_days_ttl() <= 0:
            raise CommandError("The closed-days cache is off (USAGE_CLOSED_DAYS_CACHE_SECONDS = 0).")
        ranges = [r.strip() for r in options["ranges"].split(",") if r.strip()]
        unknown = [r for r in ranges if r not in dict(selectors.RANGE_CHOICES) or r == "custom"]
        if unknown:
            raise CommandError(f"Unknown range(s): {', '.join(unknown)}")
        scopes = [selectors.Scope("proxy")]
        if options["orgs"]:
            orgs = OrganizationTable.objects.order_by("organization_id").values_list("organization_id", flat=True)
            scopes += [selectors.Scope("org", org_id, org_id) for org_id in orgs]
        total, done = len(scopes) * len(ranges), 0
        self.stdout.write(f"Warming {total} dashboard views ({len(scopes)} scopes x {len(ranges)} ranges) ...")
        with selectors.refreshing_closed_days(options["refresh"]):
            for scope in scopes:
                for range_key in ranges:
                    started = time.perf_counter()
                    warm(scope, selectors.period_for(range_key))
                    took = (time.perf_counter() - started) * 1000
                    done += 1
                    label = f"{scope.kind} {scope.value or ''}".strip()
                    self.stdout.write(f"[{done}/{total}] {label} {range_key}: {took:.0f} ms", ending="\n")
                    self.stdout.flush()
            started = time.perf_counter()
            warm_home()
            self.stdout.write(f"home page month figures: {(time.perf_counter() - started) * 1000:.0f} ms")


def warm_home() -> None:
    """The home page's closed days (this and last month, whole proxy: config/selectors.py)."""
    from config.selectors import month_bounds
    from config.writes import now_utc
    from usage import daily

    today = now_utc().date()
    _first, last_first, _last_end = month_bounds(today)
    daily.spend_by_day(daily.scope("proxy"), first=last_first, last=today)


def warm(scope: selectors.Scope, period: selectors.Period) -> None:
    """What a dashboard view of `scope` and `period` reads, for both ways of stacking spend."""
    with selectors.aggregation_session():
        for stack in scope.stack_choices():
            overview = selectors.overview(scope, period, stack=stack)
        for name in scope.breakdowns():
            selectors.breakdown(scope, period, name, overview_=overview)
