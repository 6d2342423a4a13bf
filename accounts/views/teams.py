"""Team pages: list, detail, create, edit, delete."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.urls import reverse, reverse_lazy

from budgets import services as budget_services
from config import policy
from config.views.generic import DeleteView, GuardedFormView, ObjectDetailView, ObjectListView

from .. import filters, forms, selectors, services, tables
from ..models import OrganizationTable, TeamTable
from .base import _forecast, _load_team


def team_page_defaults(team) -> dict | None:
    """The default member budget row's limits (None: the team has none)."""
    values = services.team_settings.member_default_shown(team)
    return values if any(v is not None for v in values.values()) else None


def team_page_permissions(team) -> list[str] | None:
    """The member permissions' labels (None where the column does not exist)."""
    if not services.team_settings.has_member_permissions():
        return None
    labels = dict(services.team_settings.TEAM_MEMBER_PERMISSIONS)
    return [labels.get(p, p) for p in team.team_member_permissions or []]


class TeamListView(ObjectListView):
    model = TeamTable
    table_class = tables.TeamListTable
    filterset_class = filters.TeamFilterSet
    section = "teams"
    title = "Teams"
    create_label = "Create team"

    @property
    def create_url(self):
        return reverse("accounts:team_create")

    def can_create(self):
        return self.principal.can_create_teams()

    def scope(self, queryset):
        org_alias = OrganizationTable.objects.filter(organization_id=OuterRef("organization_id")).values(
            "organization_alias"
        )[:1]
        return (
            queryset.filter(self.principal.teams_q())
            .exclude(team_id=policy.UI_SESSION_TEAM_ID)
            .annotate(org_alias=Subquery(org_alias))
            .defer("metadata", "model_spend")
            .order_by("team_id")
        )


def _recent_spikes(principal, team_id: str) -> list:
    """The team's spend-spike alerts of the last 30 UTC days (alerts/spikes.py), for those who see alerts."""
    if not principal.can_open("alerts"):
        return []
    from alerts.spikes import recent_spike_days

    return recent_spike_days("team", team_id)


class TeamDetailView(ObjectDetailView):
    section = "teams"
    template_name = "accounts/team_detail.html"

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        org = OrganizationTable.objects.filter(organization_id=team.organization_id).first()
        members = selectors.team_members(team)
        # Spend and budgets per member: every row for those who run the team, else one's own.
        money_for = {m.user_id for m in members if self.principal.can_see_member_spend(team, m.user_id)}
        context.update(
            title=team.team_alias or team.team_id,
            team=team,
            org=org,
            members=members,
            keys=selectors.key_panel(self.principal, team_id=team.team_id),
            budget=selectors.team_budget(team),
            forecast=_forecast("team", team.team_id, team),
            can_manage=self.principal.can_manage_team(team),
            can_edit=self.principal.can_edit_team_settings(team),
            can_invite=self.principal.can_invite_to_team(team),
            team_roles=policy.TEAM_ROLES,
            default_budget_id=budget_services.team_default_budget_id(team),
            member_default=team_page_defaults(team),
            metadata_text=json.dumps(services.team_settings.editable_metadata(team.metadata), indent=2, sort_keys=True)
            if services.team_settings.editable_metadata(team.metadata)
            else "",
            member_permissions=team_page_permissions(team),
            can_bulk_budgets=self.principal.can_open("budgets"),
            money_for=money_for,
            show_money=bool(money_for),
            spikes=_recent_spikes(self.principal, team.team_id),
        )
        return context


class TeamCreateView(GuardedFormView):
    section = "teams"
    title = "Create a team"
    form_class = forms.TeamForm
    submit_label = "Create team"

    def authorize(self):
        self.principal.require(self.principal.can_create_teams())

    def form_extra(self):
        return {"principal": self.principal}

    def authorize_form(self, form):
        org_id = form.values().get("organization_id")
        org = OrganizationTable.objects.filter(organization_id=org_id).first() if org_id else None
        self.principal.require((org is not None or not org_id) and self.principal.can_put_team_in(org))

    def perform(self, form):
        values = form.values()
        creator_id, creator_role = services.creator_of(self.principal)
        team = services.team_create(actor=self.actor(), creator_user_id=creator_id, creator_role=creator_role, **values)
        messages.success(self.request, f"Created team {team['team_alias']}.")
        return team

    def success_url_for(self, result):
        if result:
            return TeamTable(team_id=result["team_id"]).get_absolute_url()
        return reverse("accounts:team_list")


class TeamEditView(GuardedFormView):
    section = "teams"
    form_class = forms.TeamForm
    cache_note = True

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def authorize(self):
        self.principal.require(self.principal.can_edit_team_settings(self.object))
        self.title = f"Settings of {self.object.team_alias or self.object.team_id}"

    def form_extra(self):
        return {"principal": self.principal, "instance": self.object}

    def authorize_form(self, form):
        changes = form.changes()
        if "organization_id" in changes:
            new_org = OrganizationTable.objects.filter(organization_id=changes["organization_id"]).first()
            self.principal.require(self.principal.can_put_team_in(new_org))

    def perform(self, form):
        changes = form.changes()
        changed = services.team_update(
            actor=self.actor(), team_id=self.object.team_id, changes=changes, expected=form.expected_for(changes)
        )
        messages.success(self.request, "Saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return self.object.get_absolute_url()


class TeamDeleteView(DeleteView):
    section = "teams"
    success_url = reverse_lazy("accounts:team_list")

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def authorize(self):
        self.principal.require(self.principal.can_edit_team_settings(self.object))

    def confirmation(self):
        team = self.object
        keys = selectors.VerificationToken.objects.filter(team_id=team.team_id).count()
        return {
            "title": f"Delete team {team.team_alias or team.team_id}?",
            "message": "This deletes the team as the proxy's /team/delete does:",
            "details": [
                f"its {keys} key{'s' if keys != 1 else ''} stop working (archived where the proxy keeps deleted keys)",
                f"its {len(selectors.roster_of(team))} members leave the team (their user accounts stay)",
                "the team is archived in the proxy's deleted-teams list where that table exists",
            ],
            "submit_label": "Delete team",
        }

    def perform(self):
        services.team_delete(actor=self.actor(), team_id=self.object.team_id)
        return f"Deleted team {self.object.team_alias or self.object.team_id}."
