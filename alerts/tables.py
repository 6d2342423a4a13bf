from __future__ import annotations

import django_tables2 as tables
from django.utils.safestring import mark_safe

from config import dates
from config.html import format_html, format_html_join
from config.tables import ConsoleTable, MoneyColumn

from .models import Alert


def _error_note(delivery) -> str:
    return f" ({delivery.attempts} attempts: {delivery.error})" if delivery.error else ""


class AlertTable(ConsoleTable):
    created_at = tables.Column(verbose_name="When")
    subject = tables.Column(verbose_name="Alert", orderable=False)
    kind = tables.Column(verbose_name="Type")
    rule = tables.Column(verbose_name="Rule")
    spend = MoneyColumn(verbose_name="Spend")
    status = tables.Column(verbose_name="Status")
    deliveries = tables.Column(verbose_name="Channels", accessor="pk", orderable=False, empty_values=())
    recipients = tables.Column(verbose_name="Recipients", orderable=False, empty_values=())

    class Meta(ConsoleTable.Meta):
        model = Alert
        fields = ("created_at", "subject", "kind", "rule", "spend", "status", "deliveries", "recipients")
        order_by = ("-created_at",)

    def render_created_at(self, value):
        return dates.when(value)

    def value_created_at(self, value):
        return value.isoformat()

    def render_kind(self, record):
        return record.get_kind_display()

    def render_rule(self, record):
        return record.get_rule_display()

    def render_status(self, record):
        return format_html('<span class="badge status-{}">{}</span>', record.status, record.get_status_display())

    def value_status(self, record):
        return record.status

    def _deliveries(self, record):
        return list(record.deliveries.all())

    def render_deliveries(self, record):
        items = self._deliveries(record)
        if not items:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}{}",
            (
                (
                    d.get_channel_display(),
                    d.get_status_display(),
                    f" ({d.attempts} attempts: {d.error})" if d.error else "",
                )
                for d in items
            ),
        )

    def value_deliveries(self, record):
        return "; ".join(
            f"{d.channel}={d.status}" + (f" ({d.error})" if d.error else "") for d in self._deliveries(record)
        )

    def render_recipients(self, record):
        text = ", ".join(record.recipients) or "—"
        if record.skipped:
            text += f" (no email: {', '.join(record.skipped)})"
        return text

    def value_recipients(self, record):
        return self.render_recipients(record)
