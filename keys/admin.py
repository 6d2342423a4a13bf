"""Ops admin for virtual keys. New keys are made on the console's Keys page (the raw key is
shown once there); here ops can inspect, edit limits, block and delete (archived as LiteLLM does),
all through keys.services, as the console's key pages."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from accounts.models import TeamTable, UserTable
from config.admin_base import LiteLLMAdmin, ReadOnlyAdmin, label
from config.policy import UI_SESSION_TEAM_ID
from config.selectors import active_keys_q
from config.tables import money

from . import services
from .models import DeletedVerificationToken, VerificationToken
from .status import BLOCKED, EXPIRED, status_q

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
            return queryset.filter(status_q(BLOCKED))
        if value == "expired":
            return queryset.filter(status_q(EXPIRED))
        if value == "ui_session":
            return queryset.filter(team_id=UI_SESSION_TEAM_ID)
        return queryset


@admin.register(VerificationToken)
class VerificationTokenAdmin(LiteLLMAdmin):
    # Blocked next to the name: at the end it sat behind the table's sideways scroll.
    list_display = (
        "key_alias",
        "key_name",
        "blocked",
        "owner",
        "team",
        "spend_usd",
        "max_budget",
        "expires",
        "created_at",
    )
    search_fields = ("key_alias", "key_name", "=token", "user_id", "team_id")
    list_filter = (KeyStateFilter,)
    ordering = ("-created_at",)
    allow_add = False
    # access_group_ids is mirrored in LiteLLM_AccessGroupTable.assigned_key_ids (access groups own it)
    always_readonly = (
        "token",
        "key_name",
        "rotation_count",
        "last_rotation_at",
        "key_rotation_at",
        "access_group_ids",
    )
    delete_service = "keys.services:keys_delete"
    editable = (*services.EDITABLE, "blocked")

    def delete_with_service(self, service, actor, obj):
        service(actor=actor, tokens=[obj.token])

    def update(self, request, actor, row, changes):
        changes = dict(changes)
        if "blocked" in changes:  # /key/block or /key/unblock, with their own audit action
            services.keys_set_blocked(actor=actor, tokens=[row.token], blocked=bool(changes.pop("blocked")))
        if changes:
            services.key_update(actor=actor, token=row.token, changes=changes)

    def get_queryset(self, request):
        # Owner email and team alias in the same query (no relations between LiteLLM models).

        return (
            super()
            .get_queryset(request)
            .annotate(
                owner_email=Subquery(UserTable.objects.filter(user_id=OuterRef("user_id")).values("user_email")[:1]),
                team_alias=Subquery(TeamTable.objects.filter(team_id=OuterRef("team_id")).values("team_alias")[:1]),
            )
        )

    @admin.display(description="Owner", ordering="owner_email")
    def owner(self, obj):
        return obj.owner_email or obj.user_id

    @admin.display(description="Spend", ordering="spend")
    def spend_usd(self, obj):
        return money(obj.spend)

    @admin.display(description="Team", ordering="team_alias")
    def team(self, obj):
        return obj.team_alias or obj.team_id


@admin.register(DeletedVerificationToken)
class DeletedVerificationTokenAdmin(ReadOnlyAdmin):
    list_display = ("key_alias", "key_name", "user_id", "team_id", "spend", "deleted_at", "deleted_by")
    search_fields = ("key_alias", "key_name", "=token", "user_id", "team_id")
    ordering = ("-deleted_at",)
