"""Background jobs on the console's own PostgreSQL schema (Procrastinate, no broker).

Another app registers a periodic task in one line, in its own `tasks.py` (autodiscovered):

    from jobs import periodic_task

    @periodic_task("0 6 1 * *", name="reports.monthly")
    def monthly_reports(timestamp: int) -> None: ...

and a plain (deferred) task with `@console_task(name="app.thing")`, deferred with
`thing.defer(arg=...)`. Both retry with backoff, record their errors for /jobs/ and close
their database connections (sync tasks run in worker threads).
"""

from .queue import DEFAULT_RETRY, PERIODIC_TASKS, console_task, defer, periodic_task  # noqa: F401
