"""The LiteLLM_BudgetTable rows list (budget tiers, org budgets, member budgets, ...)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

from config.tables import ConsoleTable, MoneyColumn

from .models import BudgetTable


class BudgetRowTable(ConsoleTable):
    budget_id = tables.Column(
        verbose_name="Budget id", linkify=lambda record: reverse("budgets:budget_row_edit", args=[record.budget_id])
    )
    max_budget = MoneyColumn(verbose_name="Max budget")
    soft_budget = MoneyColumn(verbose_name="Soft budget")
    budget_duration = tables.Column(verbose_name="Resets every", default="never")
    budget_reset_at = tables.DateTimeColumn(verbose_name="Next reset (UTC)", format="Y-m-d H:i", default="—")
    tpm_limit = tables.Column(verbose_name="TPM", default="—", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    rpm_limit = tables.Column(verbose_name="RPM", default="—", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="Y-m-d")
    updated_by = tables.Column(verbose_name="By")

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
