"""Ops admin for users, teams, organizations, invitations and end users.

Writes go through accounts.services (the console's own), so the admin validates, locks and
audits exactly as the console pages do; columns those services do not write are read-only.

The membership tables have composite primary keys, which the Django admin cannot register;
they are shown read-only on the team, user and organization change pages instead.
"""

from __future__ import annotations

from django.contrib import admin

from config import policy, writes
from config.admin_base import LiteLLMAdmin, ReadOnlyAdmin, label, render_rows
from config.policy import mask_secret

from . import services
from .models import (
    DeletedTeamTable,
    EndUserTable,
    InvitationLink,
    OrganizationMembership,
    OrganizationTable,
    TeamMembership,
    TeamTable,
    UserTable,
)

label(UserTable, "user")
label(TeamTable, "team")
label(OrganizationTable, "organization")
label(InvitationLink, "invitation link")
label(EndUserTable, "end user")
label(DeletedTeamTable, "deleted team")


def _emails(user_ids) -> dict[str, str]:
    return dict(UserTable.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "user_email"))


@admin.register(UserTable)
class UserTableAdmin(LiteLLMAdmin):
    list_display = (
        "user_id",
        "user_email",
        "user_alias",
        "user_role",
        "organization_id",
        "spend",
        "max_budget",
        "created_at",
    )
    search_fields = ("user_id", "user_email", "user_alias")
    list_filter = ("user_role",)
    ordering = ("user_email",)
    always_readonly = ("teams", "sso_user_id", "last_breach_check_at")
    extra_readonly = ("team_memberships", "org_memberships")
    delete_service = "accounts.services:user_delete"
    add_fields = ("user_email", "user_alias", "user_role", "organization_id", "models", *services.USER_LIMIT_FIELDS)
    editable = ("user_email", "user_alias", "user_role", "models", *services.USER_LIMIT_FIELDS)
    refusal_fields = {"email": "user_email", "role": "user_role"}

    def create(self, request, actor, values):
        limits = {k: values[k] for k in services.USER_LIMIT_FIELDS if k in values}
        row = services.user_create(
            actor=actor,
            email=values.get("user_email"),
            # LiteLLM's UI labels a NULL role "Undefined Role"; member_add creates internal users.
            role=values.get("user_role") or "internal_user",
            alias=values.get("user_alias"),
            models=values.get("models"),
            organization_id=values.get("organization_id"),
            **limits,
        )
        return row["user_id"]

    def update(self, request, actor, row, changes):
        services.user_update(actor=actor, user_id=row.user_id, changes=changes)

    @admin.display(description="Team memberships (LiteLLM_TeamMembership)")
    def team_memberships(self, obj):
        rows = list(TeamMembership.objects.filter(user_id=obj.user_id).order_by("team_id"))
        aliases = dict(
            TeamTable.objects.filter(team_id__in=[r.team_id for r in rows]).values_list("team_id", "team_alias")
        )
        return render_rows(
            ["Team", "Team id", "Spend", "Budget id"],
            [(aliases.get(r.team_id), r.team_id, f"{r.spend:.4f}", r.budget_id) for r in rows],
        )

    @admin.display(description="Organization memberships (LiteLLM_OrganizationMembership)")
    def org_memberships(self, obj):
        rows = list(OrganizationMembership.objects.filter(user_id=obj.user_id).order_by("organization_id"))
        aliases = dict(
            OrganizationTable.objects.filter(organization_id__in=[r.organization_id for r in rows]).values_list(
                "organization_id", "organization_alias"
            )
        )
        return render_rows(
            ["Organization", "Organization id", "Role", "Spend", "Budget id"],
            [(aliases.get(r.organization_id), r.organization_id, r.user_role, r.spend, r.budget_id) for r in rows],
        )


@admin.register(TeamTable)
class TeamTableAdmin(LiteLLMAdmin):
    list_display = (
        "team_alias",
        "team_id",
        "organization_id",
        "spend",
        "max_budget",
        "budget_duration",
        "blocked",
        "created_at",
    )
    search_fields = ("team_alias", "team_id")
    list_filter = ("blocked",)
    ordering = ("team_alias",)
    # The roster lives in three places that move together; the console's team pages edit it.
    # access_group_ids is mirrored in LiteLLM_AccessGroupTable.assigned_team_ids (access groups own it)
    always_readonly = ("members_with_roles", "admins", "members", "access_group_ids")
    extra_readonly = ("roster",)
    delete_service = "accounts.services:team_delete"
    add_fields = editable = services.TEAM_SETTING_FIELDS

    def create(self, request, actor, values):
        creator_id, creator_role = services.creator_of(policy.principal(request))
        return services.team_create(actor=actor, creator_user_id=creator_id, creator_role=creator_role, **values)[
            "team_id"
        ]

    def update(self, request, actor, row, changes):
        services.team_update(actor=actor, team_id=row.team_id, changes=changes)

    @admin.display(description="Members (members_with_roles and LiteLLM_TeamMembership)")
    def roster(self, obj):
        memberships = {m.user_id: m for m in TeamMembership.objects.filter(team_id=obj.team_id)}
        roster = [m for m in (obj.members_with_roles or []) if isinstance(m, dict)]
        ids = {m.get("user_id") for m in roster} | set(memberships)
        emails = _emails(i for i in ids if i)
        rows = []
        for member in roster:
            user_id = member.get("user_id")
            membership = memberships.pop(user_id, None)
            rows.append(
                (
                    member.get("user_email") or emails.get(user_id),
                    user_id,
                    member.get("role"),
                    f"{membership.spend:.4f}" if membership else "no membership row",
                    membership.budget_id if membership else None,
                )
            )
        for user_id, membership in memberships.items():
            rows.append(
                (emails.get(user_id), user_id, "not on roster", f"{membership.spend:.4f}", membership.budget_id)
            )
        return render_rows(["Email", "User id", "Role", "Spend", "Budget id"], rows)


@admin.register(OrganizationTable)
class OrganizationTableAdmin(LiteLLMAdmin):
    list_display = ("organization_alias", "organization_id", "budget_id", "spend", "created_at")
    search_fields = ("organization_alias", "organization_id")
    ordering = ("organization_alias",)
    extra_readonly = ("members",)

    def has_delete_permission(self, request, obj=None):
        return False  # no service cascades an organization yet; memberships refer to it (RESTRICT)

    # The org's limits live on its budget row (edited on the budget rows admin / console page).
    add_fields = editable = ("organization_alias", "models")

    def create(self, request, actor, values):
        # /organization/new: a budget row first (audited), then the org row (audited).
        row = services.org_create(actor=actor, alias=values.get("organization_alias"), models=values.get("models"))
        return row["organization_id"]

    def update(self, request, actor, row, changes):
        services.org_update(actor=actor, organization_id=row.organization_id, changes=changes, budget_changes={})

    @admin.display(description="Members (LiteLLM_OrganizationMembership)")
    def members(self, obj):
        rows = list(OrganizationMembership.objects.filter(organization_id=obj.organization_id).order_by("user_id"))
        emails = _emails(r.user_id for r in rows)
        return render_rows(
            ["Email", "User id", "Role", "Spend", "Budget id"],
            [(emails.get(r.user_id), r.user_id, r.user_role, r.spend, r.budget_id) for r in rows],
        )


@admin.register(InvitationLink)
class InvitationLinkAdmin(LiteLLMAdmin):
    """The id is the secret of LiteLLM's /ui/onboarding?invitation_id= link: staff who are not
    superusers see it masked, cannot search by it, and get no change-page links (whose URLs
    carry it)."""

    list_display = ("id", "user_id", "is_accepted", "accepted_at", "expires_at", "created_by", "created_at")
    search_fields = ("id", "user_id", "created_by")
    list_filter = ("is_accepted",)
    ordering = ("-created_at",)
    always_readonly = ("accepted_at",)

    add_fields = ("user_id",)  # /invitation/new decides the rest (expires in 7 days)

    @admin.display(description="id", ordering="id")
    def masked_id(self, obj):
        return mask_secret(obj.id)

    def get_list_display(self, request):
        names = super().get_list_display(request)
        return names if request.user.is_superuser else ["masked_id" if n == "id" else n for n in names]

    def get_list_display_links(self, request, list_display):
        return super().get_list_display_links(request, list_display) if request.user.is_superuser else None

    def get_search_fields(self, request):
        names = super().get_search_fields(request)
        return names if request.user.is_superuser else [n for n in names if n != "id"]

    def get_fields(self, request, obj=None):
        names = super().get_fields(request, obj)
        return names if request.user.is_superuser else ["masked_id" if n == "id" else n for n in names]

    def create(self, request, actor, values):
        invitation = services.invitation_create(
            actor=actor, user_id=values.get("user_id"), inviter_id=services.ensure_proxy_admin_user(actor=actor)
        )
        return invitation.id

    def writer_id(self, request) -> str:
        # Edits (no console service edits an invitation) stamp updated_by, an FK to
        # LiteLLM_UserTable: the admin id must exist as a user.
        return services.ensure_proxy_admin_user(actor=self.actor(request))

    def derived_changes(self, request, changes):
        # /invitation/update stamps accepted_at with is_accepted, from the same current_time as
        # updated_at (an ops un-accept clears it, so the link works again; LiteLLM would stamp
        # it and leave the link "already used"). Two clock reads could differ by a millisecond.
        changes = super().derived_changes(request, changes)
        if "is_accepted" in changes and "accepted_at" not in changes:
            changes["accepted_at"] = (changes.get("updated_at") or writes.now_utc()) if changes["is_accepted"] else None
        return changes

    def delete_with_service(self, service, actor, obj):
        service(actor=actor, invitation_id=obj.id)

    delete_service = "accounts.services:invitation_revoke"


@admin.register(EndUserTable)
class EndUserTableAdmin(LiteLLMAdmin):
    list_display = ("user_id", "alias", "spend", "budget_id", "default_model", "allowed_model_region", "blocked")
    search_fields = ("user_id", "alias")
    list_filter = ("blocked",)
    ordering = ("user_id",)
    allow_add = False  # the proxy creates end users when a request names one
    editable = services.END_USER_FIELDS

    def update(self, request, actor, row, changes):
        services.end_user_update(actor=actor, end_user_id=row.user_id, changes=changes)


@admin.register(DeletedTeamTable)
class DeletedTeamTableAdmin(ReadOnlyAdmin):
    list_display = ("team_alias", "team_id", "organization_id", "spend", "deleted_at", "deleted_by")
    search_fields = ("team_alias", "team_id")
    ordering = ("-deleted_at",)
