"""/reports/: the closed months, and one month's report (sections by role, CSV per section)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.generic import TemplateView

from config.views.base import ConsoleMixin
from config.views.detail import ObjectDetailView
from config.views.export import stream_rows

from . import selectors
from .close import Month, MonthNotClosable
from .diff import version_changes
from .forms import ReconcileForm
from .reconcile import MAX_LOG_DAYS, reconcile


class MonthListView(ConsoleMixin, TemplateView):
    section = "reports"
    title = "Reports"
    template_name = "reports/month_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months: dict = {}
        for close in selectors.closes():
            months.setdefault(close.month, []).append(close)
        context["months"] = [(versions[0], versions) for versions in months.values()]
        return context


class MonthReportView(ObjectDetailView):
    section = "reports"
    template_name = "reports/month_report.html"
    context_object_name = "close"

    def load(self):
        try:
            month = Month.parse(self.kwargs["month"])
        except MonthNotClosable:
            raise Http404("No such month.") from None
        self.versions = selectors.month_versions(month.first)
        if not self.versions:
            raise Http404("This month has not been closed.")
        wanted = self.request.GET.get("version", "")
        if not wanted:
            return self.versions[0]
        match = [v for v in self.versions if str(v.version) == wanted.strip()]
        if not match:
            raise Http404("No such version of this month.")
        return match[0]

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export:
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, name: str):
        close = self.object
        filename = f"report-{close.label}-v{close.version}-{name}"
        if name == "changes":
            if not self.principal.may_see_whole_report:
                raise Http404("No such section.")
            header = [
                "month",
                "version",
                "kind",
                "parent",
                "id",
                "name",
                "spend_before",
                "spend_after",
                "requests_before",
                "requests_after",
            ]
            rows = (
                [
                    close.label,
                    close.version,
                    c.kind_label,
                    c.parent,
                    c.entity,
                    c.label,
                    c.spend_before,
                    c.spend_after,
                    c.requests_before,
                    c.requests_after,
                ]
                for c in version_changes(close, limit=100_000)
            )
            return stream_rows(header, rows, filename)
        if name == "teams":  # the summary table's every row
            rows = selectors.team_summary_rows(self.principal, close)
            return stream_rows(selectors.SUMMARY_CSV_HEADER, selectors.team_summary_csv_rows(close, rows), filename)
        sections = {s.id: s for s in selectors.visible_sections(self.principal, close, limit=None, only=name)}
        if name not in sections:
            raise Http404("No such section.")
        return stream_rows(selectors.CSV_HEADER, selectors.section_csv_rows(close, sections[name]), filename)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        close = self.object
        context["title"] = f"Report {close.label}"
        context["versions"] = self.versions
        report = selectors.report_page(self.principal, close, only=self.request.GET.get("section", "").strip())
        if report.only and not report.sections:
            raise Http404("No such section.")
        context["sections"], context["team_summary"], context["only"] = (
            report.sections,
            report.team_summary,
            report.only,
        )
        context["previous_close"] = selectors.previous_month_close(close)
        if self.principal.may_see_whole_report and close.version > 1 and not report.only:
            context["changes"] = version_changes(close, limit=50)
        return context


class ReconcileView(ConsoleMixin, TemplateView):
    """The daily tables vs SpendLogs vs the spend counters, for a period and an entity kind."""

    section = "reports"
    title = "Reconciliation"
    template_name = "reports/reconcile.html"
    PAGE_ROWS = 200  # the largest drifts on the page; the CSV has them all
    CSV_HEADER = [
        "kind",
        "id",
        "name",
        "daily_tables",
        "spend_logs",
        "counter",
        "counter_since",
        "daily_since_counter",
        "logs_drift",
        "counter_drift",
        "likely_cause",
    ]

    def get(self, request, *args, **kwargs):
        if not self.principal.may_reconcile:
            raise PermissionDenied("You may not open this page.")
        form = ReconcileForm(request.GET if "kind" in request.GET else ReconcileForm.defaults())
        result = None
        if form.is_valid():
            d = form.cleaned_data
            export = request.GET.get("export") == "csv"
            limit = None if export else self.PAGE_ROWS  # the page judges the rows it shows, the CSV all
            result = reconcile(d["kind"], d["start"], d["end"], threshold=float(d["threshold"]), limit=limit)
            if export:
                return stream_rows(
                    self.CSV_HEADER, self._csv_rows(result), f"reconcile-{d['kind']}-{d['start']}-{d['end']}"
                )
        context = self.get_context_data(form=form, result=result, max_log_days=MAX_LOG_DAYS)
        context.update(page_rows_count=self.PAGE_ROWS)
        return self.render_to_response(context)

    @staticmethod
    def _csv_rows(result):
        for ln in result.lines:
            yield [
                result.kind,
                ln.entity,
                ln.label,
                ln.daily,
                ln.logs,
                ln.counter,
                ln.counter_since,
                ln.daily_since_counter,
                ln.logs_drift,
                ln.counter_drift,
                "; ".join(ln.causes),
            ]
