from django.contrib import admin

from .models import TeamReportEmail


@admin.register(TeamReportEmail)
class TeamReportEmailAdmin(admin.ModelAdmin):
    """Teams whose admins receive each closed month's report (their team's section)."""

    list_display = ("team_id", "enabled_by", "enabled_at")
    search_fields = ("team_id",)
