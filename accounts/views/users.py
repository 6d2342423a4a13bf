"""User pages: list, detail, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse, reverse_lazy

from config.views.generic import DeleteView, GuardedFormView, ObjectDetailView, ObjectListView

from .. import filters, forms, selectors, services, tables
from ..models import OrganizationTable, UserTable
from .base import _forecast, _load_user


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


def _spike_days(principal, kind: str, object_id: str) -> set[str]:
    """The UTC days of this entity's spend-spike alerts (alerts/spikes.py), for those who see alerts."""
    if not principal.can_open("alerts"):
        return set()
    from alerts.spikes import recent_spike_days

    return {a.period for a in recent_spike_days(kind, object_id)}


class UserDetailView(ObjectDetailView):
    section = "users"
    template_name = "accounts/user_detail.html"

    def load(self):
        return _load_user(self, self.kwargs["user_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.object
        usage = selectors.recent_user_usage(user.user_id)
        pending = services.pending_invitation_for(user.user_id)
        context.update(
            title=user.user_email or user.user_id,
            person=user,
            teams=selectors.user_teams(user, self.principal),
            orgs=selectors.user_orgs(user),
            keys=selectors.key_panel(self.principal, user_id=user.user_id),
            budget=selectors.user_budget(user),
            forecast=_forecast("user", user.user_id, user),
            usage=usage[:14],
            usage_totals=selectors.usage_totals(usage),
            spike_days=_spike_days(self.principal, "user", user.user_id),
            can_manage=self.principal.can_manage_user(user),
            can_delete=self.principal.can_delete_user(user),
            can_reset_password=self.principal.can_manage_credentials(user) and bool(user.user_email),
            pending=pending,
            can_see_pending=pending is not None and self.principal.can_see_invitation_link(pending),
        )
        return context


class UserCreateView(GuardedFormView):
    section = "users"
    title = "Add a user"
    form_class = forms.UserCreateForm
    submit_label = "Add user"
    intro = "Creates the person in LiteLLM (no key). Send them an invitation afterwards so they can set a password."

    def authorize(self):
        self.principal.require(self.principal.can_create_users())

    def form_extra(self):
        return {"principal": self.principal}

    def authorize_form(self, form):
        data = form.cleaned_data
        self.principal.require(self.principal.can_assign_role(data["user_role"]))
        org_id = data.get("organization") or None
        if org_id:
            self.principal.require(self.principal.can_manage_org(OrganizationTable.objects.get(organization_id=org_id)))

    def perform(self, form):
        data = form.cleaned_data
        org_id = data.get("organization") or None
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
            return UserTable(user_id=result["user_id"]).get_absolute_url()
        return reverse("accounts:user_list")


class UserEditView(GuardedFormView):
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

    def authorize_form(self, form):
        changes = form.changes()
        if "user_role" in changes:
            self.principal.require(self.principal.can_assign_role(changes["user_role"]))

    def perform(self, form):
        changes = form.changes()
        changed = services.user_update(
            actor=self.actor(), user_id=self.object.user_id, changes=changes, expected=form.expected_for(changes)
        )
        messages.success(self.request, "Saved." if changed else "Nothing changed.")
        return changed

    def success_url_for(self, result):
        return self.object.get_absolute_url()


class UserDeleteView(DeleteView):
    section = "users"
    success_url = reverse_lazy("accounts:user_list")

    def load(self):
        return _load_user(self, self.kwargs["user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_delete_user(self.object))

    def confirmation(self):
        user = self.object
        keys = selectors.VerificationToken.objects.filter(user_id=user.user_id).count()
        return {
            "title": f"Delete {user.user_email or user.user_id}?",
            "message": "This deletes the person from LiteLLM, as the proxy's /user/delete does:",
            "details": [
                f"their {keys} key{'s' if keys != 1 else ''} (deleted outright, as /user/delete does: "
                "LiteLLM's UI will not list them under Deleted Keys)",
                "their invitations, organization and team memberships",
                "their place on every team roster",
            ],
            "submit_label": "Delete user",
        }

    def perform(self):
        services.user_delete(actor=self.actor(), user_id=self.object.user_id)
        return f"Deleted {self.object.user_email or self.object.user_id}."
