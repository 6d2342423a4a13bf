"""The task decorators every app uses (see jobs/__init__.py).

Procrastinate keeps its jobs in `procrastinate_jobs` of the console's `default` database (its
Django integration, PROCRASTINATE_DATABASE_ALIAS = "default", so in schema CONSOLE_SCHEMA, never
LiteLLM's). A periodic task is deferred by every worker's periodic deferrer, but the row in
`procrastinate_periodic_defers` is unique per (task, periodic id, slot timestamp), so however many
workers run, one slot becomes one job; `queueing_lock` additionally keeps at most one waiting job
per periodic task (a slow run does not pile up a queue of its own)."""

from __future__ import annotations

import functools
import traceback
from dataclasses import dataclass

from django.db import close_old_connections, connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

# 5 attempts, waiting 10 s, 100 s, 1000 s, ... (Procrastinate: wait = exponential_wait ** (attempts + 1)).
DEFAULT_RETRY = RetryStrategy(max_attempts=5, exponential_wait=10)


@dataclass(frozen=True)
class Periodic:
    name: str
    cron: str
    periodic_id: str


PERIODIC_TASKS: list[Periodic] = []


def _record_failure(job, exc: BaseException) -> None:
    from .models import JobFailure

    JobFailure.objects.create(
        job_id=job.id,
        task_name=job.task_name,
        attempt=(job.attempts or 0) + 1,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        traceback="".join(traceback.format_exception(exc))[-8000:],
    )


def console_task(*, name: str, retry=DEFAULT_RETRY, queue: str = "default", **options):
    """A Procrastinate task that records its failures (for /jobs/) and uses fresh Django
    connections in the worker's thread."""

    def decorate(func):
        @functools.wraps(func)
        def run(context, *args, **kwargs):
            close_old_connections()
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                try:
                    _record_failure(context.job, exc)
                except Exception:  # noqa: BLE001 - the job's own error matters more
                    pass
                raise
            finally:
                connections.close_all()

        return app.task(name=name, retry=retry, queue=queue, pass_context=True, **options)(run)

    return decorate


def periodic_task(cron: str, *, name: str, periodic_id: str = "", retry=DEFAULT_RETRY, **options):
    """A task run by the workers on a cron schedule (UTC), once per slot whatever the number of
    workers. The function receives `timestamp` (the slot, Unix seconds)."""

    def decorate(func):
        task = console_task(name=name, retry=retry, queueing_lock=f"periodic:{name}:{periodic_id}", **options)(func)
        app.periodic(cron=cron, periodic_id=periodic_id)(task)
        PERIODIC_TASKS.append(Periodic(name=name, cron=cron, periodic_id=periodic_id))
        return task

    return decorate


def _django_app():
    """The app on Django's own connection: a defer joins the caller's transaction, from a view,
    a command or a task running in a worker thread alike."""
    from procrastinate.contrib.django import django_connector

    return app.with_connector(django_connector.DjangoConnector(alias="default"))


def defer(task_name: str, *many_kwargs: dict) -> list[int]:
    """Queue one job of `task_name` per kwargs dict (one statement); returns their ids."""
    if not many_kwargs:
        return []
    return _django_app().configure_task(name=task_name).batch_defer(*many_kwargs)
