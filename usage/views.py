"""Usage dashboard, request-log and error-log explorers.

The dashboard reads the GET form, resolves and authorizes the scope (kinds outside the
person's role: 403; teams/users/keys they may not see: 404), asks the selectors, renders or
exports: `?export=<chart or table id>` returns that chart's or table's rows as CSV, computed
by the same selector call the page makes. The log explorers are declarations on the generic
list over a keyset data source, their detail pages on the generic detail view.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils.text import slugify
from django.views.generic import TemplateView

from config import dates, policy
from config.views.export import stream_rows
from config.views.generic import ConsoleMixin, KeysetSource, ObjectDetailView, ObjectListView
from usage import charts, selectors
from usage.forms import DashboardForm, ErrorLogFilterForm, SpendLogFilterForm
from usage.models import ErrorLogs, SpendLogs
from usage.selectors.local_days import local_days
from usage.tables import ErrorLogTable, SpendLogExportTable, SpendLogTable, latency_ms

BREAKDOWN_COLUMNS = ["name", "spend", "tokens", "requests", "share"]


def spike_alerts(scope: selectors.Scope, period) -> list:
    """The spend-spike alerts (alerts/spikes.py) of this key, team, user or model inside the
    period: the dashboard marks those days."""
    from alerts.spikes import spikes_between

    if scope.kind not in ("key", "team", "user", "model") or not scope.value:
        return []
    return spikes_between(scope.kind, scope.value, period.start, period.end)


def build_charts(scope: selectors.Scope, series: selectors.DailySeries) -> list[charts.Chart]:
    """The dashboard's charts, drawn from one DailySeries (the CSV export draws the same)."""
    dates = series.dates
    made = [
        charts.stacked_bars("spend", f"Spend per day by {series.stack}", dates, series.spend_by, kind="money"),
        charts.stacked_bars(
            "tokens",
            "Tokens per day",
            dates,
            {"Prompt": series.prompt_tokens, "Completion": series.completion_tokens, "Cache": series.cache_tokens},
        ),
        charts.stacked_bars(
            "requests",
            "Successful vs failed requests per day",
            dates,
            {"Successful": series.successful, "Failed": series.failed},
            colors={"Successful": charts.OK_COLOR, "Failed": charts.FAIL_COLOR},
        ),
    ]
    if scope.budget:
        made.append(
            charts.cumulative_line(
                "budget", "Cumulative spend against the budget", dates, series.cumulative_spend(), scope.budget
            )
        )
    return made


def breakdown_rows(rows: list[selectors.BreakdownRow]) -> list[list]:
    """A breakdown table's rows exactly as the page shows them (and the CSV writes them)."""
    return [[r.label, round(r.spend, 6), r.tokens, r.requests, round(r.share, 4)] for r in rows]


class DashboardView(ConsoleMixin, TemplateView):
    section = "usage"
    title = "Usage"
    template_name = "usage/dashboard.html"

    def get(self, request, *args, **kwargs):
        form = DashboardForm(_with_default(request.GET, "range", "30d"))
        if not form.is_valid():
            form = _with_errors_shown(form)
            period = selectors.period_for("30d")
        else:
            period = form.period()
        data = form.cleaned_data
        try:
            scope = selectors.pick_scope(self.principal, data.get("scope"), data.get("id"))
        except selectors.ScopeRefused:
            raise PermissionDenied("You may not look at usage for this kind of scope.") from None
        except selectors.ScopeNotFound as refused:
            if not refused.message or request.GET.get("export"):
                raise Http404("No such scope among those you may see.") from None
            typed = (data.get("id") or "").strip()
            label = f"pick a {selectors.SCOPE_LABELS[str(refused)].lower()}"
            scope, not_found = selectors.Scope(str(refused), typed, label), refused.message
        else:
            not_found = None
        if not_found or (scope.value is None and scope.kind != "proxy"):  # a value still to type
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    period=period,
                    previous=period.previous(),
                    scope=scope,
                    needs_value=True,
                    not_found=not_found,  # "No user matches “x”", next to the field
                    id_choices_url=_id_choices_url(scope.kind),
                    scope_kinds=self.scope_kinds(),
                    query=_query_without(request.GET, "export"),
                ),
                # users and keys one may not see answer 404 (as a missing one); a model is no secret
                status=404 if not_found and scope.kind in ("user", "key") else 200,
            )
        stack = data.get("stack") if data.get("stack") in scope.stack_choices() else "model"

        export = request.GET.get("export")
        if export:
            return self.export(scope, period, stack, export)
        with selectors.aggregation_session():
            overview = selectors.overview(scope, period, stack=stack)
            breakdowns = [
                (name, selectors.BREAKDOWNS[name][0], selectors.breakdown(scope, period, name, overview_=overview))
                for name in scope.breakdowns()
            ]
        local = None
        if request.GET.get("local") == "1":  # exact local days, from the spend logs, on request
            utc_days = dict(zip(overview.series.dates, overview.series.spend, strict=True))
            local = local_days(scope, period.start, period.end, utc_days)
        context = self.get_context_data(
            local_days=local,
            local_offer=not dates.is_utc(),
            form=form,
            period=period,
            previous=period.previous(),
            scope=scope,
            stack=stack,
            figures=overview.figures,
            closed_days_cache_hours=selectors.closed_days_ttl() // 3600 if selectors._caching(scope) else None,
            charts=build_charts(scope, overview.series),
            breakdowns=breakdowns,
            scope_kinds=[
                (k, label) for k, label in selectors.SCOPE_KINDS if k in selectors.scope_kinds_for(self.principal)
            ],
            teams=selectors.visible_teams(self.principal) if scope.kind == "team" else [],
            orgs=selectors.visible_orgs(self.principal) if scope.kind == "org" else [],
            fixed_user=not self.principal.may_see_others_usage,
            id_choices_url=_id_choices_url(scope.kind),
            query=_query_without(request.GET, "export"),
            spikes=spike_alerts(scope, period),
        )
        return self.render_to_response(context)

    def scope_kinds(self) -> list[tuple[str, str]]:
        allowed = selectors.scope_kinds_for(self.principal)
        return [(k, label) for k, label in selectors.SCOPE_KINDS if k in allowed]

    def export(self, scope, period, stack, name):
        filename = slugify(f"usage-{name}-{scope.kind}-{scope.label}-{period.start}-{period.end}")
        if name in selectors.BREAKDOWNS:
            if name not in scope.breakdowns():
                raise Http404("No such table for this scope.")
            with selectors.aggregation_session():
                # the page's own calls (the share's total from the overview), so the export
                # holds the very numbers the page shows and reuses its cached closed days
                overview = selectors.overview(scope, period, stack=stack)
                rows = selectors.breakdown(scope, period, name, overview_=overview)
            return stream_rows(BREAKDOWN_COLUMNS, breakdown_rows(rows), filename)
        overview = selectors.overview(scope, period, stack=stack)
        if name == "figures":
            figures = overview.figures
            return stream_rows(
                ["figure", "value", "previous period", "change"],
                [[f.label, f.value, f.previous, "" if f.change is None else round(f.change, 4)] for f in figures],
                filename,
            )
        chart = next((c for c in build_charts(scope, overview.series) if c.id == name), None)
        if chart is None:
            raise Http404("No such chart for this scope.")
        return stream_rows(chart.header, chart.rows, filename)


def _id_choices_url(kind: str) -> str:
    """Where the datalist of the scope's typed field is filled from on first focus (the users,
    keys or models the viewer may pick); "" for other scopes."""
    from config.entity_filters import choices_url

    return choices_url(kind) if kind in ("user", "key", "model") else ""


def _with_default(querydict, name: str, value: str):
    """The GET data with a default filled in, so the form shows the choice actually used."""
    data = querydict.copy()
    if not data.get(name):
        data[name] = value
    return data


def _with_errors_shown(form):
    """Keep an invalid form's errors, but fall back to defaults for the figures."""
    form.cleaned_data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    form.cleaned_data.setdefault("range", "30d")
    return form


def _query_without(querydict, *names) -> str:
    query = querydict.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# ------------------------------------------------------------------------------------------------
# Request and error logs: generic lists over a keyset data source (no OFFSET, no COUNT(*)).


class LogSource(KeysetSource):
    """Newest-first pages on ("startTime", request_id) within the filter form's window."""

    def decode(self, text):
        return selectors.decode_cursor(text)

    def slice(self, queryset, cursor):
        return selectors.keyset_page(queryset, cursor)


class SpendLogSource(LogSource):
    def queryset(self):
        f = self.filters
        qs = selectors.spend_logs_queryset(self.principal, start=f["window_start"], end=f["window_end"], filters=f)
        return qs.annotate(key_alias=KT("metadata__user_api_key_alias"))


class ErrorLogSource(LogSource):
    def queryset(self):
        f = self.filters
        return selectors.error_logs_queryset(start=f["window_start"], end=f["window_end"], filters=f)


class LogListView(ObjectListView):
    """The explorers' shared declaration: a required window (default the last 24 hours); an
    invalid filter lists nothing and offers no CSV."""

    section = "logs"
    template_name = "usage/log_list.html"
    filter_defaults = {"window": "24h"}
    strict = True

    def get_filter_form_kwargs(self):
        return {"principal": self.principal}  # entity fields resolve names within what they may see

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filters is not None:
            context["window"] = (self.filters["window_start"], self.filters["window_end"])
        return context


class SpendLogListView(LogListView):
    title = "Request logs"
    source_class = SpendLogSource
    filter_form_class = SpendLogFilterForm
    table_class = SpendLogTable
    export_table_class = SpendLogExportTable
    extra_context = {"logs": "spend"}

    def get_table_kwargs(self):
        rows = self.object_list
        return {
            "show_status": SpendLogs.has_column("status"),
            "team_labels": selectors.labels("teams", {r.team_id for r in rows}) if rows else {},
            "user_labels": selectors.labels("users", {r.user for r in rows}) if rows else {},
        }

    def get_export_table_kwargs(self):
        return {"show_status": SpendLogs.has_column("status")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"is_admin": self.principal.may_see_error_logs}


class ErrorLogListView(LogListView):
    title = "Error logs"
    source_class = ErrorLogSource
    filter_form_class = ErrorLogFilterForm
    table_class = ErrorLogTable
    extra_context = {"logs": "error", "is_admin": True}

    def authorize(self):
        # Error logs carry no key, user or team: only those who see everything may read them.
        if not self.principal.may_see_error_logs:
            raise PermissionDenied("Error logs are for proxy admins.")


class SpendLogDetailView(ObjectDetailView):
    """One request: tokens, spend, latency, metadata, tags; prompt and response where stored."""

    section = "logs"
    title = "Request"
    template_name = "usage/spendlog_detail.html"
    context_object_name = "log"
    http_method_names = ["get", "head"]

    def load(self):
        visible = selectors.spend_logs_visible_q(self.principal)
        return policy.get_visible_or_404(SpendLogs.objects.all(), visible, request_id=self.kwargs["request_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log = self.object
        context.update(
            latency_ms=latency_ms(log),
            ttft_ms=int((log.completion_start_time - log.start_time).total_seconds() * 1000)
            if log.completion_start_time and log.start_time
            else None,
            team_label=selectors.labels("teams", [log.team_id]).get(log.team_id),
            key_label=selectors.labels("keys", [log.api_key]).get(log.api_key),
            user_label=selectors.labels("users", [log.user]).get(log.user),
            has_status=SpendLogs.has_column("status"),
            messages_stored=_stored(log.messages),
            response_stored=_stored(log.response),
            proxy_request_stored=_stored(log.proxy_server_request),
        )
        return context


class ErrorLogDetailView(ObjectDetailView):
    section = "logs"
    title = "Error"
    template_name = "usage/errorlog_detail.html"
    context_object_name = "log"
    http_method_names = ["get", "head"]

    def authorize_page(self):
        if not self.principal.may_see_error_logs:
            raise PermissionDenied("Error logs are for proxy admins.")

    def load(self):
        return policy.get_visible_or_404(ErrorLogs.objects.all(), Q(), request_id=self.kwargs["request_id"])


def _stored(value) -> bool:
    """The proxy stores prompts and responses only when asked to; it leaves {} or '' otherwise."""
    return value not in (None, "", {}, [], "{}")
