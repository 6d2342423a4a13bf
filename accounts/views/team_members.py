"""A team's roster: add a member, remove one, change a role or a member budget."""

from __future__ import annotations

from django.contrib import messages

from budgets import services as budget_services
from budgets.models import BudgetTable
from config.errors import ChangeRefused
from config.forms import posted_shown
from config.views.generic import ActionView, ServiceFormView

from .. import forms, selectors, services
from ..models import UserTable
from .base import _load_team, _person_choices


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
        # Only proxy admins learn whether the address was new: for others the reply must not
        # tell whether it has an account outside their scope.
        note = " (new user created; invite them so they can sign in)" if added.created_user else ""
        if not self.principal.can_learn_account_exists():
            note = ""
        messages.success(self.request, f"Added {who} to the team{note}.")
        return added

    def success_url_for(self, result):
        return self.object.get_absolute_url()


class TeamMemberActionView(ActionView):
    section = "teams"

    def load(self):
        return _load_team(self, self.kwargs["team_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_team(self.object))

    def next_url(self):
        return self.object.get_absolute_url()


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
            raise ChangeRefused("Choose admin or user.")
        role = form.cleaned_data["role"]
        user_id = self.kwargs["user_id"]
        shown = posted_shown(self.request.POST, "team_member_role", self.object.team_id, user_id)
        services.team_member_set_role(
            actor=self.actor(), team_id=self.object.team_id, user_id=user_id, role=role, expected=shown
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
        default_id = budget_services.team_default_budget_id(self.object)
        if budget_id and budget_id == default_id:
            self.intro = "This member uses the team's default member budget; saving gives them their own copy."

    def form_extra(self):
        return {"budget": self.budget, "scope_id": f"{self.object.team_id}:{self.kwargs['user_id']}"}

    def perform(self, form):
        patch = form.patch()
        budget_services.team_member_set_budget(
            actor=self.actor(),
            team_id=self.object.team_id,
            user_id=self.kwargs["user_id"],
            patch=patch,
            expected=form.expected_for(patch),
        )
        messages.success(self.request, "Saved the member's budget." if patch else "Nothing changed.")
        return patch

    def success_url_for(self, result):
        return self.object.get_absolute_url()
