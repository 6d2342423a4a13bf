"""Tables of the request and error log explorers (keyset-paginated, so not orderable)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from config import dates
from config.html import format_html
from config.tables import ConsoleTable, MoneyColumn


class NumColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return f"{value:,}"


class SpendLogTable(ConsoleTable):
    start_time = tables.Column("Time (UTC)")
    status = tables.Column("Status", empty_values=())
    model = tables.Column("Model")
    key = tables.Column("Key", accessor="api_key")
    # Owner columns fold away in narrow windows (CSS), so tokens, spend and latency stay in view.
    user = tables.Column("User", attrs={"th": {"class": "col-owner"}, "td": {"class": "col-owner"}})
    team_id = tables.Column("Team", attrs={"th": {"class": "col-owner"}, "td": {"class": "col-owner"}})
    total_tokens = NumColumn("Tokens")
    spend = MoneyColumn("Spend")
    latency = tables.Column("Latency", empty_values=(), attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta(ConsoleTable.Meta):
        attrs = {"class": "table compact logs"}
        orderable = False
        template_name = "usage/inc/log_table.html"
        empty_text = "No requests in this window match these filters."

    def __init__(self, *args, team_labels=None, user_labels=None, show_status=True, **kwargs):
        if not show_status:  # a schema without SpendLogs.status: no column, on screen or in CSV
            kwargs["exclude"] = [*(kwargs.get("exclude") or ()), "status"]
        super().__init__(*args, **kwargs)
        self.team_labels = team_labels or {}
        self.user_labels = user_labels or {}

    def render_start_time(self, value, record):
        url = reverse("usage:spendlog_detail", args=[record.request_id])
        return format_html('<a class="nowrap" href="{}">{}</a>', url, dates.when(value, seconds=True))

    def value_start_time(self, value):
        return dates.export_moment(value)

    def render_status(self, record):
        status = getattr(record, "status", None)
        if not status:
            return "—"
        css = "badge-ok" if status == "success" else "badge-danger"
        return format_html('<span class="badge {}">{}</span>', css, status)

    def value_status(self, record):
        return getattr(record, "status", None) or ""

    def render_model(self, value):
        return format_html('<span class="cut" title="{}">{}</span>', value, value)

    def render_key(self, value, record):
        alias = getattr(record, "key_alias", None)
        if alias:
            return format_html('<span class="cut" title="{}">{}</span>', value, alias)
        return format_html('<span class="mono" title="{}">{}…</span>', value, value[:10])

    def value_key(self, value, record):
        return value

    def render_user(self, value):
        return format_html('<span class="cut" title="{}">{}</span>', value, self.user_labels.get(value) or value)

    def value_user(self, value):
        return value

    def render_team_id(self, value):
        return format_html('<span class="cut" title="{}">{}</span>', value, self.team_labels.get(value) or value)

    def value_team_id(self, value):
        return value

    def render_latency(self, record):
        ms = latency_ms(record)
        return "—" if ms is None else format_html('<span class="nowrap">{} ms</span>', f"{ms:,}")

    def value_latency(self, record):
        ms = latency_ms(record)
        return "" if ms is None else ms


class SpendLogExportTable(SpendLogTable):
    """The CSV export: the page's columns with full ids, plus the request id and token split."""

    prompt_tokens = tables.Column("Prompt tokens")
    completion_tokens = tables.Column("Completion tokens")
    request_id = tables.Column("Request id")


def latency_ms(record) -> int | None:
    if record.start_time and record.end_time:
        return int((record.end_time - record.start_time).total_seconds() * 1000)
    return None


class ErrorLogTable(ConsoleTable):
    start_time = tables.Column("Time (UTC)")
    model_group = tables.Column("Model group")
    litellm_model_name = tables.Column("Deployment model")
    exception_type = tables.Column("Exception")
    status_code = tables.Column("Status")
    exception_string = tables.Column("Message")
    request_id = tables.Column("Request id")

    class Meta(ConsoleTable.Meta):
        orderable = False
        template_name = "usage/inc/log_table.html"
        empty_text = "No errors in this window match these filters."

    def render_start_time(self, value, record):
        url = reverse("usage:errorlog_detail", args=[record.request_id])
        return format_html('<a href="{}">{}</a>', url, dates.when(value, seconds=True))

    def value_start_time(self, value):
        return dates.export_moment(value)

    def render_status_code(self, value):
        return format_html('<span class="badge badge-danger">{}</span>', value)

    def render_exception_string(self, value):
        return value if len(value) <= 120 else value[:117] + "…"

    def value_exception_string(self, value):
        return value

    def render_request_id(self, value):
        return format_html('<span class="mono small">{}</span>', value[:13] + "…" if len(value) > 14 else value)

    def value_request_id(self, value):
        return value
