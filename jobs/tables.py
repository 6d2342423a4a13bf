from __future__ import annotations

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from config import dates
from config.html import format_html
from config.tables import ConsoleTable


class JobTable(ConsoleTable):
    id = tables.Column(verbose_name="Job")
    task_name = tables.Column(verbose_name="Task")
    status = tables.Column(verbose_name="Status")
    attempts = tables.Column(verbose_name="Attempts")
    scheduled_at = tables.Column(verbose_name="Scheduled", empty_values=())
    error = tables.Column(verbose_name="Last error", accessor="pk", orderable=False, empty_values=())
    retry = tables.Column(verbose_name="", accessor="pk", orderable=False, empty_values=(), exclude_from_export=True)

    class Meta(ConsoleTable.Meta):
        model = ProcrastinateJob
        fields = ("id", "task_name", "status", "attempts", "scheduled_at", "error", "retry")
        order_by = ("-id",)

    def __init__(self, *args, principal=None, request=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)
        self._errors = None

    def _error(self, record):
        if self._errors is None:
            from .views import last_errors

            self._errors = last_errors(
                [getattr(r, "record", r).id for r in self.page.object_list] if hasattr(self, "page") else [record.id]
            )
        return self._errors.get(record.id)

    def render_scheduled_at(self, value):
        return dates.when(value) if value else "now"

    def render_error(self, record):
        failure = self._error(record)
        return failure.error if failure else "—"

    def value_error(self, record):
        failure = self._error(record)
        return failure.error if failure else ""

    def render_retry(self, record):
        if record.status != "failed" or not (self.principal and self.principal.can_retry_jobs()):
            return ""
        request = getattr(self, "request", None)
        token = get_token(request) if request is not None else ""
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-small" type="submit">Retry</button></form>',
            reverse("jobs:job_retry", args=[record.id]),
            token,
        )
