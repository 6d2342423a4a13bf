"""People pages: users, teams and their rosters, organizations, end users.

Views are thin: fetch the object within what the principal may see (404 otherwise), check
the change is theirs to make (403), validate the form, call the service, say what happened,
redirect. Mutations are POST-only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from budgets.models import BudgetTable
from budgets.selectors import forecast_for as budget_forecast_for
from config import policy, writes
from config.views.generic import ConsoleMixin, ObjectListView

from . import filters, forms, selectors, services, tables
from .models import EndUserTable, OrganizationMembership, OrganizationTable, TeamTable, UserTable

# --- bases ---------------------------------------------------------------------------------


class ObjectMixin:
    """Loads `self.object` after sign-in and section checks (ConsoleMixin runs first), and
    refuses methods the view does not serve before touching the database (405)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.object = self.load()
        self.authorize()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        return None

    def authorize(self) -> None:
        pass

    def actor(self) -> writes.Actor:
        return writes.Actor(changed_by=self.principal.actor_id)


class ServiceFormView(ConsoleMixin, ObjectMixin, FormView):
    """A form whose valid submission calls a service; a ServiceError lands on its field."""

    template_name = "generic/form.html"
    submit_label = "Save"
    cache_note = False
    intro = ""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | self.form_extra()

    def form_extra(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            submit_label=self.submit_label,
            cancel_url=self.cancel_url(),
            cache_note=self.cache_note,
            intro=self.intro,
            object=self.object,
        )
        return context

    def cancel_url(self) -> str:
        return self.success_url_for(None)

    def success_url_for(self, result) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except services.ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.success_url_for(result))

    def perform(self, form):
        raise NotImplementedError


class ActionView(ConsoleMixin, ObjectMixin, View):
    """A POST-only button (remove, block, revoke...): service, message, redirect back."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            message = self.perform()
        except services.ServiceError as e:
            messages.error(request, e.message)
        else:
            if message:
                messages.success(request, message)
        return redirect(self.next_url())

    def next_url(self) -> str:
        raise NotImplementedError


def _load_user(view, user_id) -> UserTable:
    return policy.get_visible_or_404(UserTable.objects.all(), view.principal.users_q(), user_id=user_id)


def _load_team(view, team_id) -> TeamTable:
    qs = TeamTable.objects.exclude(team_id=policy.UI_SESSION_TEAM_ID)
    return policy.get_visible_or_404(qs, view.principal.teams_q(), team_id=team_id)


def _load_org(view, org_id) -> OrganizationTable:
    return policy.get_visible_or_404(OrganizationTable.objects.all(), view.principal.orgs_q(), organization_id=org_id)


def _person_choices(principal, exclude_ids=()) -> list[tuple[str, str]]:
    """People this principal may see, for an "existing person" picker (bounded)."""
    users = UserTable.objects.filter(principal.users_q()).exclude(user_id__in=list(exclude_ids))
    rows = users.order_by("user_email").values_list("user_id", "user_email")[:1000]
    return [(uid, email or uid) for uid, email in rows]


# --- users ---------------------------------------------------------------------------------


class UserListView(ObjectListView):
    model = UserTable
    table_class = tables.UserListTable
    filterset_class = filters.UserFilterSet
    section = "users"
    title = "Users"
    create_label = "Add user"

    @property
    def create_url(self):
        return reverse("accounts:user_create")

    def can_create(self):
        return self.principal.can_create_users()

    def scope(self, queryset):
        return (
            queryset.filter(self.principal.users_q()).defer("password", "metadata", "model_spend").order_by("user_id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.principal.can_invite():
            context["invite_url"] = reverse("accounts:invitation_create")
        return context

    template_name = "accounts/user_list.html"


def _forecast(kind: str, object_id: str, row):
    """The burn-down forecast of a user's or team's own budget columns (None without one)."""
    return budget_forecast_for(
        kind, object_id, spend=row.spend, max_budget=row.max_budget, reset_at=row.budget_reset_at
    )


class UserDetailView(ConsoleMixin, ObjectMixin, TemplateView):
    section = "users"
    template_name = "accounts/user_detail.html"

    def load(self):
        return _load_user(self, self.kwargs["user_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.object
        usage = selectors.recent_user_usage(user.user_id)
        context.update(
            title=user.user_email or user.user_id,
            person=user,
            teams=selectors.user_teams(user, self.principal),
            orgs=selectors.user_orgs(user),
            keys=selectors.key_rows(self.principal, user_id=user.user_id),
            budget=selectors.user_budget(user),
            forecast=_forecast("user", user.user_id, user),
            usage=usage[:14],
            usage_totals=selectors.usage_totals(usage),
            can_manage=self.principal.can_manage_user(user),
            can_delete=self.principal.can_delete_user(user),
            can_reset_password=self.principal.can_manage_user(user) and bool(user.user_email),
            pending=services.pending_invitation_for(user.user_id),
        )
        return context


class UserCreateView(ServiceFormView):
    section = "users"
    title = "Add a user"
    form_class = forms.UserCreateForm
    submit_label = "Add user"
    intro = "Creates the person in LiteLLM (no key). Send them an invitation afterwards so they can set a password."

    def authorize(self):
        self.principal.require(self.principal.can_create_users())

    def form_extra(self):
        return {"principal": self.principal}

    def perform(self, form):
        data = form.cleaned_data
        if not self.principal.can_assign_role(data["user_role"]):
            self.principal.require(False)
        org_id = data.get("organization") or None
        if org_id and not self.principal.can_manage_org(OrganizationTable.objects.get(organization_id=org_id)):
            self.principal.require(False)
        row = services.user_create(
            actor=self.actor(),
            email=data["user_email"],
            role=data["user_role"],
            alias=data.get("user_alias") or None,
            models=data.get("models") or [],
            organization_id=org_id,
            **{f: data.get(f) for f in services.USER_LIMIT_FIELDS},
        )
        messages.success(self.request, f"Added {row['user_email']}.")
        return row

    def success_url_for(self, result):
        if result:
            return reverse("accounts:user_detail", args=[result["user_id"]])
        return reverse("accounts:user_list")


class UserEditView(ServiceFormView):
    section = "users"
    form_class = forms.UserEditForm
    cache_note = True

    def load(self):
        return _load_user(self, self.kwargs["user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_user(self.object))
        self.title = f"Edit {self.object.user_email or self.object.user_id}"

    def form_extra(self):
        return {"principal": self.principal, "instance": self.object}

    def perform(self, form):
        changes = form.changes()
        if "user_role" in changes:
            self.principal.require(self.principal.can_assign_role(changes["user_role"]))
        changed = services.user_update(actor=self.actor(), user_id=self.object.user_id, changes=changes)
        messages.success(self.request, "Saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return reverse("accounts:user_detail", args=[self.object.user_id])


class UserDeleteView(ConsoleMixin, ObjectMixin, TemplateView):
    section = "users"
    template_name = "generic/confirm.html"
    http_method_names = ["get", "post"]

    def load(self):
        return _load_user(self, self.kwargs["user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_delete_user(self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.object
        keys = selectors.VerificationToken.objects.filter(user_id=user.user_id).count()
        context.update(
            title=f"Delete {user.user_email or user.user_id}?",
            message="This deletes the person from LiteLLM, as the proxy's /user/delete does:",
            details=[
                f"their {keys} key{'s' if keys != 1 else ''} (archived where the proxy keeps deleted keys)",
                "their invitations, organization and team memberships",
                "their place on every team roster",
            ],
            submit_label="Delete user",
            cancel_url=reverse("accounts:user_detail", args=[user.user_id]),
            danger=True,
            crumb_object=self.object,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.user_delete(actor=self.actor(), user_id=self.object.user_id)
        except services.ServiceError as e:
            messages.error(request, e.message)
            return redirect("accounts:user_list")
        messages.success(request, f"Deleted {self.object.user_email or self.object.user_id}.")
        return redirect("accounts:user_list")


# --- teams ---------------------------------------------------------------------------------


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


class TeamDetailView(ConsoleMixin, ObjectMixin, TemplateView):
    section = "teams"
    template_name = "accounts/team_detail.html"

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        org = OrganizationTable.objects.filter(organization_id=team.organization_id).first()
        context.update(
            title=team.team_alias or team.team_id,
            team=team,
            org=org,
            members=selectors.team_members(team),
            keys=selectors.key_rows(self.principal, team_id=team.team_id),
            budget=selectors.team_budget(team),
            forecast=_forecast("team", team.team_id, team),
            can_manage=self.principal.can_manage_team(team),
            can_edit=self.principal.can_edit_team_settings(team),
            can_invite=self.principal.can_invite_to_team(team),
            team_roles=policy.TEAM_ROLES,
            default_budget_id=services._team_default_budget_id(team),
            can_bulk_budgets=self.principal.can_open("budgets"),
            # Members' spend and budgets are for those who run the team, as in LiteLLM's UI.
            show_money=self.principal.can_manage_team(team) or self.principal.sees_everything,
        )
        return context


class TeamCreateView(ServiceFormView):
    section = "teams"
    title = "Create a team"
    form_class = forms.TeamForm
    submit_label = "Create team"

    def authorize(self):
        self.principal.require(self.principal.can_create_teams())

    def form_extra(self):
        return {"principal": self.principal}

    def perform(self, form):
        values = form.values()
        org_id = values.get("organization_id")
        if org_id:
            org = OrganizationTable.objects.filter(organization_id=org_id).first()
            self.principal.require(org is not None and self.principal.can_manage_org(org))
        else:
            self.principal.require(self.principal.is_proxy_admin)
        team = services.team_create(actor=self.actor(), creator_user_id=self.principal.user_id, **values)
        messages.success(self.request, f"Created team {team['team_alias']}.")
        return team

    def success_url_for(self, result):
        if result:
            return reverse("accounts:team_detail", args=[result["team_id"]])
        return reverse("accounts:team_list")


class TeamEditView(ServiceFormView):
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

    def perform(self, form):
        changes = form.changes()
        if "organization_id" in changes:
            new_org = OrganizationTable.objects.filter(organization_id=changes["organization_id"]).first()
            allowed = self.principal.is_proxy_admin or (new_org is not None and self.principal.can_manage_org(new_org))
            self.principal.require(allowed)
        changed = services.team_update(actor=self.actor(), team_id=self.object.team_id, changes=changes)
        messages.success(self.request, "Saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return reverse("accounts:team_detail", args=[self.object.team_id])


class TeamDeleteView(ConsoleMixin, ObjectMixin, TemplateView):
    section = "teams"
    template_name = "generic/confirm.html"
    http_method_names = ["get", "post"]

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def authorize(self):
        self.principal.require(self.principal.can_edit_team_settings(self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        keys = selectors.VerificationToken.objects.filter(team_id=team.team_id).count()
        context.update(
            title=f"Delete team {team.team_alias or team.team_id}?",
            message="This deletes the team as the proxy's /team/delete does:",
            details=[
                f"its {keys} key{'s' if keys != 1 else ''} stop working (archived where the proxy keeps deleted keys)",
                f"its {len(selectors.roster_of(team))} members leave the team (their user accounts stay)",
                "the team is archived in the proxy's deleted-teams list where that table exists",
            ],
            submit_label="Delete team",
            cancel_url=reverse("accounts:team_detail", args=[team.team_id]),
            danger=True,
            crumb_object=self.object,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.team_delete(actor=self.actor(), team_id=self.object.team_id)
        except services.ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"Deleted team {self.object.team_alias or self.object.team_id}.")
        return redirect("accounts:team_list")


class TeamMemberAddView(ServiceFormView):
    section = "teams"
    form_class = forms.MemberAddForm
    submit_label = "Add member"
    cache_note = True

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_team(self.object))
        self.title = f"Add a member to {self.object.team_alias or self.object.team_id}"

    def form_extra(self):
        on_team = [m.get("user_id") for m in selectors.roster_of(self.object)]
        return {"user_choices": _person_choices(self.principal, on_team)}

    def perform(self, form):
        data = form.cleaned_data
        added = services.team_member_add(
            actor=self.actor(),
            team_id=self.object.team_id,
            user_id=data.get("user") or None,
            email=data.get("email") or None,
            role=data["role"],
            max_budget_in_team=data.get("max_budget_in_team"),
            budget_duration=data.get("budget_duration"),
        )
        who = added.user_email or added.user_id
        note = " (new user created; invite them so they can sign in)" if added.created_user else ""
        messages.success(self.request, f"Added {who} to the team{note}.")
        return added

    def success_url_for(self, result):
        return reverse("accounts:team_detail", args=[self.object.team_id])


class TeamMemberActionView(ActionView):
    section = "teams"

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_team(self.object))

    def next_url(self):
        return reverse("accounts:team_detail", args=[self.object.team_id])


class TeamMemberRemoveView(TeamMemberActionView):
    def perform(self):
        user_id = self.kwargs["user_id"]
        who = UserTable.objects.filter(user_id=user_id).values_list("user_email", flat=True).first() or user_id
        services.team_member_remove(actor=self.actor(), team_id=self.object.team_id, user_id=user_id)
        return f"Removed {who} from the team. Their keys for this team were deleted."


class TeamMemberRoleView(TeamMemberActionView):
    def perform(self):
        form = forms.MemberRoleForm(self.request.POST)
        if not form.is_valid():
            raise services.ServiceError("Choose admin or user.")
        role = form.cleaned_data["role"]
        services.team_member_set_role(
            actor=self.actor(), team_id=self.object.team_id, user_id=self.kwargs["user_id"], role=role
        )
        return f"Role changed to {role}."


class TeamMemberBudgetView(ServiceFormView):
    section = "teams"
    form_class = forms.MemberBudgetForm
    submit_label = "Save budget"
    cache_note = True

    def load(self):
        team = _load_team(self, self.kwargs["team_id"])
        self.membership = selectors.TeamMembership.objects.filter(
            team_id=team.team_id, user_id=self.kwargs["user_id"]
        ).first()
        if self.membership is None:
            from django.http import Http404

            raise Http404("Not a member")
        return team

    def authorize(self):
        self.principal.require(self.principal.can_manage_team(self.object))
        person = UserTable.objects.filter(user_id=self.kwargs["user_id"]).values_list("user_email", flat=True).first()
        self.title = f"Budget of {person or self.kwargs['user_id']} in {self.object.team_alias or self.object.team_id}"
        budget_id = self.membership.budget_id
        self.budget = BudgetTable.objects.filter(budget_id=budget_id).first() if budget_id else None
        default_id = services._team_default_budget_id(self.object)
        if budget_id and budget_id == default_id:
            self.intro = "This member uses the team's default member budget; saving gives them their own copy."

    def form_extra(self):
        return {"budget": self.budget}

    def perform(self, form):
        patch = form.patch()
        services.team_member_set_budget(
            actor=self.actor(), team_id=self.object.team_id, user_id=self.kwargs["user_id"], patch=patch
        )
        messages.success(self.request, "Saved the member's budget." if patch else "Nothing changed.")
        return patch

    def success_url_for(self, result):
        return reverse("accounts:team_detail", args=[self.object.team_id])


# --- organizations ---------------------------------------------------------------------------


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


class OrgDetailView(ConsoleMixin, ObjectMixin, TemplateView):
    section = "organizations"
    template_name = "accounts/org_detail.html"

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        budget, budget_view = selectors.org_budget(org)
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
            ),
            teams=TeamTable.objects.filter(organization_id=org.organization_id).order_by("team_alias"),
            members=selectors.org_members(org),
            can_manage=self.principal.can_manage_org(org),
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
            return reverse("accounts:org_detail", args=[result["organization_id"]])
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
        )
        messages.success(self.request, "Saved." if changes or budget_changes else "Nothing changed.")
        return None

    def success_url_for(self, result):
        return reverse("accounts:org_detail", args=[self.object.organization_id])


class OrgMemberAddView(ServiceFormView):
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

    def perform(self, form):
        data = form.cleaned_data
        self._require_role_change_allowed(data.get("user"), data["role"])
        services.org_member_add(
            actor=self.actor(),
            organization_id=self.object.organization_id,
            user_id=data.get("user") or None,
            email=data.get("email") or None,
            role=data["role"],
        )
        messages.success(self.request, "Added the member.")
        return None

    def _require_role_change_allowed(self, user_id, role):
        target = UserTable.objects.filter(user_id=user_id).first() if user_id else None
        if target is not None and target.user_role in services.ADMIN_ROLES:
            self.principal.require(self.principal.is_proxy_admin)

    def success_url_for(self, result):
        return reverse("accounts:org_detail", args=[self.object.organization_id])


class OrgMemberActionView(ActionView):
    section = "organizations"

    def load(self):
        return _load_org(self, self.kwargs["org_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_org(self.object))
        target = UserTable.objects.filter(user_id=self.kwargs["user_id"]).first()
        # organization_endpoints.py: only proxy admins touch a proxy admin's org role.
        if target is not None and target.user_role in services.ADMIN_ROLES:
            self.principal.require(self.principal.is_proxy_admin)

    def next_url(self):
        return reverse("accounts:org_detail", args=[self.object.organization_id])


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
            raise services.ServiceError("Choose an organization role.")
        services.org_member_set_role(
            actor=self.actor(),
            organization_id=self.object.organization_id,
            user_id=self.kwargs["user_id"],
            role=form.cleaned_data["role"],
        )
        return "Role changed."


# --- end users -------------------------------------------------------------------------------


class EndUserListView(ObjectListView):
    model = EndUserTable
    table_class = tables.EndUserListTable
    filterset_class = filters.EndUserFilterSet
    section = "end_users"
    title = "End users"
    template_name = "accounts/enduser_list.html"

    def scope(self, queryset):
        budget = BudgetTable.objects.filter(budget_id=OuterRef("budget_id")).values("max_budget")[:1]
        return queryset.annotate(budget_max=Subquery(budget)).order_by("user_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.principal.can_manage_end_users()
        return context


class EndUserEditView(ServiceFormView):
    section = "end_users"
    form_class = forms.EndUserForm
    cache_note = True

    def load(self):
        return policy.get_visible_or_404(EndUserTable.objects.all(), Q(), user_id=self.kwargs["end_user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_end_users())
        self.title = f"Edit end user {self.object.user_id}"

    def form_extra(self):
        return {"instance": self.object}

    def perform(self, form):
        changes = form.changes()
        changed = services.end_user_update(actor=self.actor(), end_user_id=self.object.user_id, changes=changes)
        messages.success(self.request, "Saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return reverse("accounts:enduser_list")


class EndUserBlockView(ActionView):
    section = "end_users"

    def load(self):
        return policy.get_visible_or_404(EndUserTable.objects.all(), Q(), user_id=self.kwargs["end_user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_end_users())

    def perform(self):
        block = self.request.POST.get("blocked") == "1"
        services.end_user_update(actor=self.actor(), end_user_id=self.object.user_id, changes={"blocked": block})
        ttl = settings.LITELLM_CACHE_TTL_SECONDS
        return f"{'Blocked' if block else 'Unblocked'} {self.object.user_id}. The proxy sees it within {ttl} seconds."

    def next_url(self):
        return reverse("accounts:enduser_list")
