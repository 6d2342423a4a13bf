"""Alert settings per entity kind and per-entity overrides/mutes, edited in the ops admin."""

from django.contrib import admin

from .models import AlertOverride, AlertSettings


@admin.register(AlertSettings)
class AlertSettingsAdmin(admin.ModelAdmin):
    list_display = ("kind", "thresholds", "soft_budget", "spikes", "muted", "extra_emails")


@admin.register(AlertOverride)
class AlertOverrideAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_id", "thresholds", "soft_budget", "muted", "muted_until", "updated_at")
    list_filter = ("kind", "muted")
    search_fields = ("object_id",)
