"""Organization pages and their members."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse, reverse_lazy

from budgets.models import BudgetTable
from budgets.selectors import forecast_for as budget_forecast_for
from config import policy
from config.errors import ChangeRefused
from config.forms import posted_shown
from config.views.generic import (
    ActionView,
    DeleteView,
    GuardedFormView,
    ObjectDetailView,
    ObjectListView,
    ServiceFormView,
)

from .. import filters, forms, selectors, services, tables
from ..models import OrganizationMembership, OrganizationTable, TeamTable, UserTable
from .base import _load_org, _person_choices


class OrgListView(ObjectListView):
    model = OrganizationTable
    table_class = tables.OrgListTable
    filterset_class = filters.OrgFilterSet
    section = "organizations"
    title = "Organizations"
    create_label = "Create organization"

    @property
    def create_url(self):
        return reverse("accounts:org_create")

    def can_create(self):
        return self.principal.can_create_orgs()

    def scope(self, queryset):
        teams = (
            TeamTable.objects.filter(organization_id=OuterRef("organization_id"))
            .values("organization_id")
            .annotate(n=Count("team_id"))
            .values("n")
        )
        members = (
            OrganizationMembership.objects.filter(organization_id=OuterRef("organization_id"))
            .values("organization_id")
            .annotate(n=Count("user_id"))
            .values("n")
        )
        budget = BudgetTable.objects.filter(budget_id=OuterRef("budget_id")).values("max_budget")[:1]
        return (
            queryset.filter(self.principal.orgs_q())
            .annotate(
                team_count=Coalesce(Subquery(teams, output_field=IntegerField()), Value(0)),
                member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
                budget_max=Subquery(budget),
            )
            .defer("metadata", "model_spend")
            .order_by("organization_id")
        )


class OrgDetailView(ObjectDetailView):
    section = "organizations"
    template_name = "accounts/org_detail.html"

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        budget, budget_view = selectors.org_budget(org)
        teams, team_count = selectors.org_teams(org)
        members, member_count = selectors.org_members(org)
        context.update(
            title=org.organization_alias,
            org=org,
            org_budget=budget,
            budget=budget_view,
            forecast=budget_view
            and budget_forecast_for(
                "org",
                org.organization_id,
                spend=budget_view.spend,
                max_budget=budget_view.max_budget,
                reset_at=budget_view.reset_at,
                duration=budget_view.duration or "",
            ),
            teams=teams,
            team_count=team_count,
            members=members,
            member_count=member_count,
            can_manage=self.principal.can_manage_org(org),
            can_delete=self.principal.can_delete_orgs(),
            org_roles=policy.ORG_ROLES,
        )
        return context


class OrgCreateView(ServiceFormView):
    section = "organizations"
    title = "Create an organization"
    form_class = forms.OrgForm
    submit_label = "Create organization"

    def authorize(self):
        self.principal.require(self.principal.can_create_orgs())

    def perform(self, form):
        org = services.org_create(
            actor=self.actor(),
            alias=form.cleaned_data["organization_alias"],
            models=form.cleaned_data.get("models") or [],
            **form.budget_values(),
        )
        messages.success(self.request, f"Created {org['organization_alias']}.")
        return org

    def success_url_for(self, result):
        if result:
            return OrganizationTable(organization_id=result["organization_id"]).get_absolute_url()
        return reverse("accounts:org_list")


class OrgEditView(ServiceFormView):
    section = "organizations"
    form_class = forms.OrgForm
    cache_note = True

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_org(self.object))
        self.title = f"Edit {self.object.organization_alias}"

    def form_extra(self):
        return {"instance": self.object, "budget": BudgetTable.objects.filter(budget_id=self.object.budget_id).first()}

    def perform(self, form):
        changes, budget_changes = form.changes()
        services.org_update(
            actor=self.actor(),
            organization_id=self.object.organization_id,
            changes=changes,
            budget_changes=budget_changes,
            expected=form.expected_for({**changes, **budget_changes}),
        )
        messages.success(self.request, "Saved." if changes or budget_changes else "Nothing changed.")
        return None

    def success_url_for(self, result):
        return self.object.get_absolute_url()


class OrgMemberAddView(GuardedFormView):
    section = "organizations"
    form_class = forms.OrgMemberAddForm
    submit_label = "Add member"

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_org(self.object))
        self.title = f"Add a member to {self.object.organization_alias}"

    def form_extra(self):
        members = OrganizationMembership.objects.filter(organization_id=self.object.organization_id)
        return {"user_choices": _person_choices(self.principal, members.values_list("user_id", flat=True))}

    def authorize_form(self, form):
        user_id = form.cleaned_data.get("user")
        target = UserTable.objects.filter(user_id=user_id).first() if user_id else None
        self.principal.require(self.principal.can_change_org_membership(self.object, target))

    def perform(self, form):
        data = form.cleaned_data
        services.org_member_add(
            actor=self.actor(),
            organization_id=self.object.organization_id,
            user_id=data.get("user") or None,
            email=data.get("email") or None,
            role=data["role"],
        )
        messages.success(self.request, "Added the member.")
        return None

    def success_url_for(self, result):
        return self.object.get_absolute_url()


class OrgMemberActionView(ActionView):
    section = "organizations"

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def authorize(self):
        target = UserTable.objects.filter(user_id=self.kwargs["user_id"]).first()
        self.principal.require(self.principal.can_change_org_membership(self.object, target))

    def next_url(self):
        return self.object.get_absolute_url()


class OrgMemberRemoveView(OrgMemberActionView):
    def perform(self):
        services.org_member_remove(
            actor=self.actor(), organization_id=self.object.organization_id, user_id=self.kwargs["user_id"]
        )
        return "Removed the member from the organization."


class OrgMemberRoleView(OrgMemberActionView):
    def perform(self):
        form = forms.OrgMemberRoleForm(self.request.POST)
        if not form.is_valid():
            raise ChangeRefused("Choose an organization role.")
        org_id, user_id = self.object.organization_id, self.kwargs["user_id"]
        services.org_member_set_role(
            actor=self.actor(),
            organization_id=org_id,
            user_id=user_id,
            role=form.cleaned_data["role"],
            expected=posted_shown(self.request.POST, "org_member_role", org_id, user_id),
        )
        return "Role changed."


class OrgDeleteView(DeleteView):
    """/organization/delete (services/org_delete.py): proxy admins only; the page says what goes."""

    section = "organizations"
    success_url = reverse_lazy("accounts:org_list")

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def authorize(self):
        self.principal.require(self.principal.can_delete_orgs())

    def refused_url(self):
        return self.object.get_absolute_url()

    def confirmation(self):
        org = self.object
        n = services.org_delete_consequences(org.organization_id)

        def count(number, word):
            return f"{number} {word}{'' if number == 1 else 's'}"

        return {
            "title": f"Delete organization {org.organization_alias or org.organization_id}?",
            "message": "This deletes the organization as the proxy's /organization/delete does:",
            "details": [
                f"{count(n['teams'], 'team')} deleted, with {count(n['team_keys'], 'key')} and their memberships "
                "(archived where the proxy keeps deleted teams and keys)",
                f"{count(n['members'], 'member')} leave it (their user accounts stay)",
                f"{count(n['org_keys'], 'other key')} of the organization deleted",
                "its budget row stays, unlinked; the delete is refused while one of its teams holds a PTU share",
            ],
            "submit_label": "Delete organization",
        }

    def perform(self):
        services.org_delete(actor=self.actor(), organization_id=self.object.organization_id)
        return f"Deleted organization {self.object.organization_alias or self.object.organization_id}."
