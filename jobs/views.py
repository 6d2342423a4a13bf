"""/jobs/ (proxy admins, their viewers and ops): queued, running and failed jobs with their last
error, the last success of every periodic task, and a retry button for a failed job."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from config.views.generic import ActionView, ObjectListView

from .filters import JobFilterSet
from .models import JobFailure
from .queue import PERIODIC_TASKS, _django_app
from .tables import JobTable

STATUSES = ("todo", "doing", "failed")


class JobListView(ObjectListView):
    model = ProcrastinateJob
    table_class = JobTable
    filterset_class = JobFilterSet
    section = "jobs"
    title = "Jobs"
    template_name = "jobs/job_list.html"
    empty_text = "No job is queued, running or failed."

    def scope(self, queryset):
        return queryset.filter(status__in=STATUSES).order_by("-id")

    def get_table_kwargs(self):
        return {"principal": self.principal}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = [p.name for p in PERIODIC_TASKS]
        last = dict(
            ProcrastinateJob.objects.filter(task_name__in=names, status="succeeded")
            .values("task_name")
            .annotate(at=Max("procrastinateevent__at"))
            .values_list("task_name", "at")
        )
        context["periodic"] = [(p, last.get(p.name)) for p in PERIODIC_TASKS]
        context["counts"] = {
            s: ProcrastinateJob.objects.filter(status=s).count() for s in ("todo", "doing", "failed", "succeeded")
        }
        return context


def last_errors(job_ids) -> dict[int, JobFailure]:
    out = {}
    for failure in JobFailure.objects.filter(job_id__in=job_ids).order_by("job_id", "-at"):
        out.setdefault(failure.job_id, failure)
    return out


class RetryJobView(ActionView):
    section = "jobs"

    def load(self):
        job_id = self.kwargs["job_id"]
        job = ProcrastinateJob.objects.filter(pk=int(job_id)).first() if job_id.isdigit() else None
        if job is None:
            raise Http404
        return job

    def authorize(self):
        self.principal.require(self.principal.can_retry_jobs())

    def perform(self):
        if self.object.status != "failed":
            return f"Job {self.object.id} is {self.object.status}: only a failed job can be retried."
        _django_app().job_manager.retry_job_by_id(self.object.id, retry_at=timezone.now() + timedelta(seconds=1))
        return f"Job {self.object.id} ({self.object.task_name}) is queued again."

    def next_url(self):
        return reverse("jobs:job_list")
