"""Ops admin for LiteLLM_BudgetTable."""

from __future__ import annotations

from django.contrib import admin

from config.admin_base import LiteLLMAdmin, label

from .models import BudgetTable

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

    def has_delete_permission(self, request, obj=None):
        """An organization's budget row cannot go (OrganizationTable.budget_id is NOT NULL,
        ON DELETE RESTRICT); other links are ON DELETE SET NULL, as the proxy's schema says."""
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        from accounts.models import OrganizationTable

        return not OrganizationTable.objects.filter(budget_id=obj.budget_id).exists()
