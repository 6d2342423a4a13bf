"""The console's own periodic tasks (autodiscovered by procrastinate.contrib.django).

`usage_warm` runs at minute 2 of every hour: hourly, and so just after 00:00 UTC, when a new UTC
day makes the usage dashboard's cache entries for the closed days. The alert evaluation is
registered in alerts/tasks.py."""

from __future__ import annotations

import io

from django.core.management import call_command

from usage import selectors

from .queue import periodic_task


@periodic_task("2 * * * *", name="usage.usage_warm")
def usage_warm(timestamp: int) -> None:
    """`python3 manage.py usage_warm --orgs` (usage/management/commands/usage_warm.py)."""
    if selectors.closed_days_ttl() <= 0:  # the cache is off: nothing to warm
        return
    call_command("usage_warm", orgs=True, stdout=io.StringIO())
