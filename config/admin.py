"""Ops admin for the audit log, model deployments, notifications and the proxy's config."""

from __future__ import annotations

import json

from django.contrib import admin

from config.views.audit import _masked

from . import policy
from .admin_base import BigRecentFilter, BigTableAdmin, ConsoleViewOnlyAdmin, LiteLLMAdmin, label
from .models import AuditLog, ConsoleAuditLog, LiteLLMConfig, ModelTable, ProxyModelTable, UserNotifications
from .writes import BLOCKED, CREATED, DELETED, ROTATED, UNBLOCKED, UPDATED

admin.site.site_header = "LiteLLM console · ops admin"
admin.site.site_title = "LiteLLM console ops"
admin.site.index_title = "Tables of the LiteLLM proxy and the console"
admin.site.site_url = "/"
admin.site.enable_nav_sidebar = False  # wide tables (ids, hashes) need the room

label(AuditLog, "audit log entry", "audit log")
label(ProxyModelTable, "model deployment")
label(ModelTable, "model alias set")
label(UserNotifications, "user notification")
label(LiteLLMConfig, "proxy config entry", "proxy config")


class AuditActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(a, a) for a in (CREATED, UPDATED, DELETED, BLOCKED, UNBLOCKED, ROTATED, "kill_switch_fired")]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class AuditRecentFilter(BigRecentFilter):
    field = "updated_at"


@admin.register(AuditLog)
class AuditLogAdmin(BigTableAdmin):
    """Invitation rows' ids are LiteLLM link secrets: staff who are not superusers see them
    masked (object_id and the id inside the before/updated values)."""

    list_display = ("updated_at", "changed_by", "action", "table_name", "object_id")
    list_filter = (AuditActionFilter, AuditRecentFilter)
    exact_search_fields = ("changed_by", "object_id", "table_name", "id")
    ordering = ("-updated_at",)
    MASKED = {"object_id": "masked_object_id", "before_value": "masked_before", "updated_values": "masked_after"}

    @staticmethod
    def _invitation(obj) -> bool:
        return (obj.table_name or "").endswith("InvitationLink")

    @admin.display(description="object id", ordering="object_id")
    def shown_object_id(self, obj):
        return policy.mask_secret(obj.object_id) if self._invitation(obj) else obj.object_id

    @admin.display(description="object id")
    def masked_object_id(self, obj):
        return policy.mask_secret(obj.object_id)

    @admin.display(description="before value")
    def masked_before(self, obj):
        return json.dumps(_masked(obj.before_value), default=str)

    @admin.display(description="updated values")
    def masked_after(self, obj):
        return json.dumps(_masked(obj.updated_values), default=str)

    def get_list_display(self, request):
        names = super().get_list_display(request)
        return names if request.user.is_superuser else ["shown_object_id" if n == "object_id" else n for n in names]

    def get_fields(self, request, obj=None):
        names = super().get_fields(request, obj)
        if obj is not None and not request.user.is_superuser and self._invitation(obj):
            names = [self.MASKED.get(n, n) for n in names]
        return names


@admin.register(ProxyModelTable)
class ProxyModelTableAdmin(LiteLLMAdmin):
    list_display = ("model_name", "model_id", "blocked", "created_by", "updated_at")
    search_fields = ("model_name", "model_id")
    ordering = ("model_name",)


@admin.register(ModelTable)
class ModelTableAdmin(LiteLLMAdmin):
    list_display = ("id", "aliases", "created_by", "updated_at")
    ordering = ("id",)


@admin.register(UserNotifications)
class UserNotificationsAdmin(LiteLLMAdmin):
    list_display = ("request_id", "user_id", "status", "justification")
    search_fields = ("request_id", "user_id")
    list_filter = ("status",)


@admin.register(LiteLLMConfig)
class LiteLLMConfigAdmin(LiteLLMAdmin):
    list_display = ("param_name", "last_run_at")
    search_fields = ("param_name",)
    # The proxy bumps reload_revision itself when it reloads its config.
    always_readonly = ("last_run_at", "reload_revision")


label(ConsoleAuditLog, "console audit entry", "console audit log")


@admin.register(ConsoleAuditLog)
class ConsoleAuditLogAdmin(ConsoleViewOnlyAdmin):
    """The console's own trail (tables LiteLLM never audits), read-only, masked as AuditLogAdmin."""

    list_display = AuditLogAdmin.list_display
    list_filter = (AuditActionFilter,)
    search_fields = ("=changed_by", "=object_id", "=table_name", "=id")
    ordering = ("-updated_at",)
    MASKED = AuditLogAdmin.MASKED
    _invitation = staticmethod(AuditLogAdmin._invitation)
    shown_object_id = AuditLogAdmin.shown_object_id
    masked_object_id = AuditLogAdmin.masked_object_id
    masked_before = AuditLogAdmin.masked_before
    masked_after = AuditLogAdmin.masked_after

    def get_list_display(self, request):
        names = super().get_list_display(request)
        return names if request.user.is_superuser else ["shown_object_id" if n == "object_id" else n for n in names]

    def get_fields(self, request, obj=None):
        names = [f.name for f in ConsoleAuditLog._meta.concrete_fields]
        if obj is not None and not request.user.is_superuser and self._invitation(obj):
            names = [self.MASKED.get(n, n) for n in names]
        return names

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_search_results(self, request, queryset, search_term):
        if not request.user.is_superuser:
            # Searching ids would spell out an invitation id: staff search outside invitations only.
            queryset = queryset.exclude(table_name__endswith="InvitationLink")
        return super().get_search_results(request, queryset, search_term)
