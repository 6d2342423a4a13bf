"""Ops admin for LiteLLM_BudgetTable, written through budgets.services (as the console's
budget row editor)."""

from __future__ import annotations

from django.contrib import admin

from accounts.models import OrganizationTable
from config.admin_base import LiteLLMAdmin, label

from . import services
from .models import BudgetTable

# budget_reset_at follows budget_duration (the service stamps it).
BUDGET_FIELDS = tuple(n for n in services.BUDGET_ROW_COLUMNS if n != "budget_reset_at")

label(BudgetTable, "budget")


@admin.register(BudgetTable)
class BudgetTableAdmin(LiteLLMAdmin):
    list_display = (
        "budget_id",
        "max_budget",
        "soft_budget",
        "budget_duration",
        "budget_reset_at",
        "tpm_limit",
        "rpm_limit",
        "created_by",
        "created_at",
    )
    search_fields = ("budget_id", "created_by")
    list_filter = ("budget_duration",)
    ordering = ("-created_at",)
    add_fields = editable = BUDGET_FIELDS

    def create(self, request, actor, values):
        return services.budget_row_create(actor=actor, values=values)

    def update(self, request, actor, row, changes):
        services.budget_row_update(actor=actor, budget_id=row.budget_id, changes=changes)

    def has_delete_permission(self, request, obj=None):
        """An organization's budget row cannot go (OrganizationTable.budget_id is NOT NULL,
        ON DELETE RESTRICT); other links are ON DELETE SET NULL, as the proxy's schema says."""
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True

        return not OrganizationTable.objects.filter(budget_id=obj.budget_id).exists()
