"""Ops admin for virtual keys. New keys are made on the console's Keys page (the raw key is
shown once there); here ops can inspect, edit limits, block and delete (archived as LiteLLM does)."""

from __future__ import annotations

from django.contrib import admin

from config.admin_base import LiteLLMAdmin, ReadOnlyAdmin, label
from config.policy import UI_SESSION_TEAM_ID
from config.selectors import active_keys_q
from config.writes import now_utc

from .models import DeletedVerificationToken, VerificationToken

label(VerificationToken, "virtual key")
label(DeletedVerificationToken, "deleted key")


class KeyStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (
            ("active", "Active"),
            ("blocked", "Blocked"),
            ("expired", "Expired"),
            ("ui_session", "UI session keys"),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "active":
            return queryset.filter(active_keys_q())
        if value == "blocked":
            return queryset.filter(blocked=True)
        if value == "expired":
            return queryset.filter(expires__lte=now_utc())
        if value == "ui_session":
            return queryset.filter(team_id=UI_SESSION_TEAM_ID)
        return queryset


@admin.register(VerificationToken)
class VerificationTokenAdmin(LiteLLMAdmin):
    list_display = (
        "key_alias",
        "key_name",
        "user_id",
        "team_id",
        "spend",
        "max_budget",
        "budget_duration",
        "expires",
        "blocked",
        "created_at",
    )
    search_fields = ("key_alias", "key_name", "=token", "user_id", "team_id")
    list_filter = (KeyStateFilter,)
    ordering = ("-created_at",)
    allow_add = False
    always_readonly = ("token", "key_name", "rotation_count", "last_rotation_at", "key_rotation_at")
    delete_service = "keys.services:keys_delete"

    def delete_with_service(self, service, actor, obj):
        service(actor=actor, tokens=[obj.token])


@admin.register(DeletedVerificationToken)
class DeletedVerificationTokenAdmin(ReadOnlyAdmin):
    list_display = ("key_alias", "key_name", "user_id", "team_id", "spend", "deleted_at", "deleted_by")
    search_fields = ("key_alias", "key_name", "=token", "user_id", "team_id")
    ordering = ("-deleted_at",)
