"""The LiteLLM_BudgetTable rows list (budget tiers, org budgets, member budgets, ...)."""

from __future__ import annotations

import django_tables2 as tables

from config import dates
from config.html import format_html
from config.tables import ConsoleTable, MoneyColumn

from .models import BudgetTable


class DateCol(tables.Column):
    """A moment in the console's one format (config/dates.py), ISO in the CSV."""

    def render(self, value):
        return dates.when(value)

    def value(self, value):
        return dates.export_moment(value) if value else ""


class BudgetRowTable(ConsoleTable):
    # Linked to the edit page only for people who may edit rows (proxy admins): a viewer
    # following the link would meet a 403.
    budget_id = tables.Column(verbose_name="Budget id", attrs={"td": {"class": "mono clip-id"}})
    max_budget = MoneyColumn(verbose_name="Max budget")
    soft_budget = MoneyColumn(verbose_name="Soft budget")
    # On screen the next reset sits under the period (one column fewer fits a 1024 px window);
    # the CSV keeps both columns.
    budget_duration = tables.Column(verbose_name="Resets", default="never")
    budget_reset_at = DateCol(verbose_name="Next reset (UTC)", default="—")
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

    def __init__(self, *args, editable: bool = True, for_export: bool = False, **kwargs):
        if not for_export:
            kwargs["exclude"] = [*(kwargs.get("exclude") or ()), "budget_reset_at"]
        super().__init__(*args, **kwargs)
        self.editable = editable
        self.for_export = for_export

    def render_budget_duration(self, record):
        from django.template.loader import render_to_string

        from .resets import reset_of

        reset = reset_of(record.budget_duration, record.budget_reset_at)
        return render_to_string("budgets/inc/reset.html", {"reset": reset, "style": "short"})

    def value_budget_duration(self, value):
        return value or ""

    def render_tpm_limit(self, value):
        return f"{value:,}"

    def render_rpm_limit(self, value):
        return f"{value:,}"

    def render_budget_id(self, value, record):
        label = value if len(value) <= 14 else value[:8] + "…"
        if not self.editable:
            return format_html('<span title="{}">{}</span>', value, label)
        return format_html('<a href="{}" title="{}">{}</a>', record.get_absolute_url(), value, label)

    def render_updated_by(self, record):
        return getattr(record, "updated_by_email", None) or record.updated_by


class BudgetOverviewExportTable(tables.Table):
    """The budget overview's CSV columns (the page itself is a template over BudgetRow)."""

    kind_label = tables.Column(verbose_name="Type")
    name = tables.Column(verbose_name="Name")
    object_id = tables.Column(verbose_name="Id")
    spend = tables.Column(verbose_name="Spend")
    max_budget = tables.Column(verbose_name="Max budget")
    pct = tables.Column(verbose_name="% used")
    soft_budget = tables.Column(verbose_name="Soft budget")
    duration = tables.Column(verbose_name="Resets every")
    reset_at = tables.Column(verbose_name="Next reset (UTC)")

    def value_spend(self, value):
        return round(value or 0, 6)

    def value_pct(self, value):
        return None if value is None else round(value, 1)
