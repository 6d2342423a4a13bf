"""The month close on the job queue (jobs/): at 00:10 UTC on the 1st, once per month whatever the
number of workers, after the proxy's last flush of the month's final day has had a few minutes; again
on the 2nd (a no-op once closed) for local months (REPORTS_MONTHS=local) west of UTC, which end later on the 1st."""

from __future__ import annotations

from jobs import periodic_task

from .close import close_previous_month


@periodic_task("10 0 1,2 * *", name="reports.close_month")
def close_month_job(timestamp: int) -> None:
    close_previous_month()
