"""The LiteLLM_BudgetTable rows list (budget tiers, org budgets, member budgets, ...)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from config.tables import ConsoleTable, MoneyColumn

from .models import BudgetTable


class DateCol(tables.Column):
    def __init__(self, *args, fmt: str = "%Y-%m-%d", **kwargs):
        self.fmt = fmt
        super().__init__(*args, **kwargs)

    def render(self, value):
        return value.strftime(self.fmt)

    def value(self, value):
        return value.isoformat(sep=" ") if value else ""


class BudgetRowTable(ConsoleTable):
    # Linked to the edit page only for people who may edit rows (proxy admins): a viewer
    # following the link would meet a 403.
    budget_id = tables.Column(verbose_name="Budget id", attrs={"td": {"class": "mono clip-id"}})
    max_budget = MoneyColumn(verbose_name="Max budget")
    soft_budget = MoneyColumn(verbose_name="Soft budget")
    budget_duration = tables.Column(verbose_name="Resets every", default="never")
    budget_reset_at = DateCol(verbose_name="Next reset (UTC)", fmt="%Y-%m-%d %H:%M", default="—")
    tpm_limit = tables.Column(verbose_name="TPM", default="—", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    rpm_limit = tables.Column(verbose_name="RPM", default="—", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    updated_at = DateCol(verbose_name="Updated")
    updated_by = tables.Column(verbose_name="By", attrs={"td": {"class": "clip"}})

    class Meta(ConsoleTable.Meta):
        model = BudgetTable
        fields = ()
        sequence = (
            "budget_id",
            "max_budget",
            "soft_budget",
            "budget_duration",
            "budget_reset_at",
            "tpm_limit",
            "rpm_limit",
            "updated_at",
            "updated_by",
        )
        order_by = ("-updated_at",)
        empty_text = "No budget rows match."
        attrs = {"class": "table", "id": "budget-rows"}

    def __init__(self, *args, editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.editable = editable

    def render_budget_id(self, value):
        label = value if len(value) <= 14 else value[:8] + "…"
        if not self.editable:
            return format_html('<span title="{}">{}</span>', value, label)
        return format_html(
            '<a href="{}" title="{}">{}</a>', reverse("budgets:budget_row_edit", args=[value]), value, label
        )

    def render_updated_by(self, record):
        return getattr(record, "updated_by_email", None) or record.updated_by
