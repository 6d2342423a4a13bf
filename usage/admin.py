"""Ops admin for the proxy's usage tables: read-only, and never a COUNT(*) over millions of rows."""

from __future__ import annotations

from django.contrib import admin

from config.admin_base import BigRecentFilter, BigTableAdmin, ConsoleViewOnlyAdmin, label

from .models import DailyTagSpend, DailyTeamSpend, DailyUserSpend, ErrorLogs, RollupDay, RollupScope, SpendLogs

label(DailyUserSpend, "daily user spend", "daily user spend")
label(DailyTeamSpend, "daily team spend", "daily team spend")
label(DailyTagSpend, "daily tag spend", "daily tag spend")
label(SpendLogs, "spend log")
label(ErrorLogs, "error log")


class RecentDaysFilter(BigRecentFilter):
    field = "date"
    text_dates = True
    periods = (("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"))


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("success", "success"), ("failure", "failure")) if SpendLogs.has_column("status") else ()

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


DAILY_COLUMNS = (
    "model",
    "custom_llm_provider",
    "api_requests",
    "successful_requests",
    "failed_requests",
    "prompt_tokens",
    "completion_tokens",
    "spend",
)


@admin.register(DailyUserSpend)
class DailyUserSpendAdmin(BigTableAdmin):
    list_display = ("date", "user_id", *DAILY_COLUMNS)
    list_filter = (RecentDaysFilter,)
    exact_search_fields = ("user_id", "api_key", "model")
    ordering = ("-date",)


@admin.register(DailyTeamSpend)
class DailyTeamSpendAdmin(BigTableAdmin):
    list_display = ("date", "team_id", *DAILY_COLUMNS)
    list_filter = (RecentDaysFilter,)
    exact_search_fields = ("team_id", "api_key", "model")
    ordering = ("-date",)


@admin.register(DailyTagSpend)
class DailyTagSpendAdmin(BigTableAdmin):
    list_display = ("date", "tag", *DAILY_COLUMNS)
    list_filter = (RecentDaysFilter,)
    exact_search_fields = ("tag", "api_key", "model")
    ordering = ("-date",)


@admin.register(SpendLogs)
class SpendLogsAdmin(BigTableAdmin):
    list_display = ("start_time", "model", "spend", "total_tokens", "status", "user", "team_id", "request_id")
    list_filter = (BigRecentFilter, StatusFilter)
    exact_search_fields = ("request_id", "api_key", "user", "team_id", "end_user")
    ordering = ("-start_time",)


@admin.register(ErrorLogs)
class ErrorLogsAdmin(BigTableAdmin):
    list_display = ("start_time", "request_id", "model_group", "exception_type", "status_code", "api_base")
    list_filter = (BigRecentFilter,)
    exact_search_fields = ("request_id", "model_group", "status_code")
    ordering = ("-start_time",)


# The console's rollups of closed days (usage/rollup.py): what is rolled up and when, to look
# at; `manage.py usage_warm` (the hourly job) is what changes them.
@admin.register(RollupScope)
class RollupScopeAdmin(ConsoleViewOnlyAdmin):
    list_display = ("scope", "before_day", "rolled_at")
    search_fields = ("scope",)
    ordering = ("scope",)


@admin.register(RollupDay)
class RollupDayAdmin(ConsoleViewOnlyAdmin):
    list_display = ("day", "rolled_at", "fingerprint")
    ordering = ("-day",)
