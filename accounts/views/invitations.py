"""Invitations: invite, list, revoke, re-issue, password-reset links, and the public accept
page where the invitee sets a password (LiteLLM's /onboarding/claim_token, done here)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from config import policy, writes
from config.errors import ChangeRefused
from config.views.generic import ActionView, GuardedFormView, ObjectDetailView, ObjectListView

from .. import filters, forms, selectors, services, tables
from ..auth import LiteLLMUserBackend
from ..invitation_status import invitation_status_annotation
from ..models import InvitationLink, OrganizationTable, TeamTable, UserTable
from .base import _load_user

REFUSED_INVITE = (
    "You cannot invite this address. If they should join your team, add them from the team page; "
    "a proxy admin can send them a link."
)


def console_link(request, invitation, *, reset: bool = False) -> str:
    """The console's accept/reset link: a signed token, not the row id (see invitation_token)."""
    path = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])
    if reset:
        path += "?action=reset_password"
    return request.build_absolute_uri(path) if request is not None else settings.CONSOLE_BASE_URL + path


def litellm_link(invitation_id: str, *, reset: bool = False) -> str | None:
    """The link LiteLLM's own UI shows (OnboardingModal::buildOnboardingUrl)."""
    if not settings.PROXY_BASE_URL:
        return None
    link = f"{settings.PROXY_BASE_URL}/ui/onboarding?invitation_id={invitation_id}"
    return link + "&action=reset_password" if reset else link


def inviter_for(principal, actor: writes.Actor) -> str:
    """created_by must be an existing UserTable row: the signed-in LiteLLM user, or for ops
    staff the proxy admin id (created as the proxy's admin login does, if missing)."""
    if principal.user_id:
        return principal.user_id
    return services.ensure_proxy_admin_user(actor=actor)


def _with_people(queryset):
    email = UserTable.objects.filter(user_id=OuterRef("user_id")).values("user_email")[:1]
    inviter = UserTable.objects.filter(user_id=OuterRef("created_by")).values("user_email")[:1]
    return queryset.annotate(
        invitee_email=Subquery(email),
        inviter_email=Subquery(inviter),
        status=invitation_status_annotation(),
    )


class InvitationListView(ObjectListView):
    model = InvitationLink
    table_class = tables.InvitationListTable
    filterset_class = filters.InvitationFilterSet
    section = "invitations"
    title = "Invitations"
    create_label = "Invite someone"

    @property
    def create_url(self):
        return reverse("accounts:invitation_create")

    def can_create(self):
        return self.principal.can_invite()

    def get_table_kwargs(self):
        return {"principal": self.principal}

    def scope(self, queryset):
        return _with_people(queryset.filter(self.principal.invitations_q())).order_by("-created_at")


class InvitationCreateView(GuardedFormView):
    section = "invitations"
    title = "Invite someone"
    form_class = forms.InviteForm
    submit_label = "Create invitation"
    intro = (
        "Creates the person in LiteLLM if they are new, adds them to the team and organization you pick, "
        "and makes a link that is valid for 7 days. Send them the link; they choose their own password."
    )

    def authorize(self):
        self.principal.require(self.principal.can_invite())

    def form_extra(self):
        return {"principal": self.principal}

    def get_initial(self):
        """?team=<id> / ?organization=<id> preselect (the team and org pages link here)."""
        return {k: self.request.GET[k] for k in ("team", "organization", "email") if self.request.GET.get(k)}

    def authorize_form(self, form):
        data = form.cleaned_data
        self.principal.require(self.principal.can_assign_role(data["role"]))
        team_id = data.get("team") or None
        org_id = data.get("organization") or None
        if team_id:
            team = TeamTable.objects.filter(team_id=team_id).first()
            self.principal.require(team is not None and self.principal.can_invite_to_team(team))
        if org_id:
            org = OrganizationTable.objects.filter(organization_id=org_id).first()
            self.principal.require(org is not None and self.principal.can_invite_to_org(org))
        if not self.principal.can_place_outside_orgs() and not team_id and not org_id:
            raise ChangeRefused("Choose a team or an organization you manage.", "organization")
        existing = UserTable.objects.filter(user_email__iexact=data["email"].strip()).first()
        if existing is not None and not self.principal.can_manage_credentials(existing):
            # The same words whether or not the address has an account outside your scope.
            raise ChangeRefused(REFUSED_INVITE, "email")

    def perform(self, form):
        data = form.cleaned_data
        team_id = data.get("team") or None
        org_id = data.get("organization") or None
        actor = self.actor()
        result = services.invite_person(
            actor=actor,
            inviter_id=inviter_for(self.principal, actor),
            email=data["email"],
            role=data["role"],
            team_id=team_id,
            organization_id=org_id,
            max_budget=data.get("max_budget"),
        )
        if result.status == "already pending":
            messages.info(self.request, f"{data['email']} already has a pending invitation; here it is.")
        else:
            messages.success(self.request, f"Invitation created for {data['email']}. Send them the link below.")
        return result

    def success_url_for(self, result):
        if result:
            return reverse("accounts:invitation_detail", args=[result.invitation.id])
        return reverse("accounts:invitation_list")


class InvitationDetailView(ObjectDetailView):
    section = "invitations"
    template_name = "accounts/invitation_detail.html"
    title = "Invitation"

    def load(self):
        return policy.get_visible_or_404(
            _with_people(InvitationLink.objects.all()), self.principal.invitations_q(), id=self.kwargs["invitation_id"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inv = self.object
        reset = self.request.GET.get("action") == "reset_password"
        people = selectors.people_by_id([inv.user_id, inv.created_by])
        context.update(
            invitation=inv,
            invitee=people.get(inv.user_id),
            inviter=people.get(inv.created_by),
            status=inv.status,
            reset=reset,
            show_link=self.principal.can_see_invitation_link(inv),
            shown_id=policy.visible_invitation_id(self.principal, inv),
            console_link=console_link(self.request, inv, reset=reset),
            litellm_link=litellm_link(inv.id, reset=reset),
            can_manage=self.principal.can_manage_invitation(inv),
        )
        return context


class InvitationActionView(ActionView):
    section = "invitations"

    def load(self):
        return policy.get_visible_or_404(
            InvitationLink.objects.all(), self.principal.invitations_q(), id=self.kwargs["invitation_id"]
        )

    def authorize(self):
        self.principal.require(self.principal.can_manage_invitation(self.object))


class InvitationRevokeView(InvitationActionView):
    def perform(self):
        services.invitation_revoke(actor=self.actor(), invitation_id=self.object.id)
        return "Invitation revoked: the link no longer works."

    def next_url(self):
        return reverse("accounts:invitation_list")


class InvitationReissueView(InvitationActionView):
    def perform(self):
        actor = self.actor()
        self.new = services.invitation_reissue(
            actor=actor, invitation_id=self.object.id, inviter_id=inviter_for(self.principal, actor)
        )
        return "A new 7-day invitation replaces the expired one."

    def next_url(self):
        new = getattr(self, "new", None)
        return reverse("accounts:invitation_detail", args=[new.id]) if new else reverse("accounts:invitation_list")


class PasswordResetLinkView(ActionView):
    """LiteLLM's "Reset Password": a fresh invitation for an existing user; the link carries
    action=reset_password."""

    section = "users"

    def load(self):
        return _load_user(self, self.kwargs["user_id"])

    def authorize(self):
        self.principal.require(self.principal.can_manage_credentials(self.object))

    def perform(self):
        actor = self.actor()
        self.invitation = services.invitation_create(
            actor=actor, user_id=self.object.user_id, inviter_id=inviter_for(self.principal, actor)
        )
        return "Password-reset link created. Send it to the person; it works for 7 days."

    def next_url(self):
        invitation = getattr(self, "invitation", None)
        if invitation is None:
            return self.object.get_absolute_url()
        return reverse("accounts:invitation_detail", args=[invitation.id]) + "?action=reset_password"


class AcceptInvitationView(View):
    """Public: no sign-in needed. A link that cannot be used gets a clear page and writes nothing."""

    template_name = "accounts/invitation_accept.html"

    def _context(self, invitation, form):
        user = UserTable.objects.filter(user_id=invitation.user_id).only("user_email", "user_id").first()
        return {
            "form": form,
            "invitation": invitation,
            "person": user,
            "reset": self.request.GET.get("action") == "reset_password",
            "title": "Set your password",
        }

    def _unusable(self, request, message):
        return render(
            request, "accounts/invitation_unusable.html", {"message": message, "title": "Link not usable"}, status=410
        )

    def get(self, request, token):
        try:
            invitation = services.invitation_from_token(token)
        except services.InvitationUnusable as e:
            return self._unusable(request, e.message)
        return render(request, self.template_name, self._context(invitation, forms.AcceptInvitationForm()))

    def post(self, request, token):
        try:
            invitation = services.invitation_from_token(token)
        except services.InvitationUnusable as e:
            return self._unusable(request, e.message)
        person = self._context(invitation, None)["person"]
        form = forms.AcceptInvitationForm(request.POST, email=getattr(person, "user_email", None))
        if not form.is_valid():
            return render(request, self.template_name, self._context(invitation, form), status=400)
        try:
            user_id = services.invitation_accept(invitation_id=invitation.id, password=form.cleaned_data["password1"])
        except services.InvitationUnusable as e:
            return self._unusable(request, e.message)
        except ChangeRefused as e:
            form.add_error("password1", e.message)
            return render(request, self.template_name, self._context(invitation, form), status=400)
        console_user = LiteLLMUserBackend()._console_user(user_id)
        login(request, console_user, backend="accounts.auth.LiteLLMUserBackend")
        messages.success(request, "Your password is set. Welcome! The same password works in LiteLLM's own UI.")
        return redirect("home")
