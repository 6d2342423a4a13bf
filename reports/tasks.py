"""The month close on the job queue (jobs/): at 00:10 UTC on the 1st, once per month whatever the
number of workers, after the proxy's last flush of the month's final day has had a few minutes."""

from __future__ import annotations

from jobs import periodic_task

from .close import close_previous_month


@periodic_task("10 0 1 * *", name="reports.close_month")
def close_month_job(timestamp: int) -> None:
    close_previous_month()
