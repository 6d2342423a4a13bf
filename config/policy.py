"""Who may do what: one place maps a signed-in person to what they may see and change.

A principal is either ops staff (a Django user: superuser = proxy admin, staff = admin
viewer) or a LiteLLM user signed in with their LiteLLM password, whose rights follow their
LiteLLM role, their org_admin memberships and their team-admin roles. Views ask this module
for scoped querysets (objects outside them answer 404) and for permission to act (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

LITELLM_USERNAME_PREFIX = "litellm:"

PROXY_ADMIN = "proxy_admin"
PROXY_ADMIN_VIEWER = "proxy_admin_viewer"
ORG_ADMIN = "org_admin"
INTERNAL_USER = "internal_user"
INTERNAL_USER_VIEWER = "internal_user_viewer"

USER_ROLES = [
    (PROXY_ADMIN, "Proxy admin"),
    (PROXY_ADMIN_VIEWER, "Proxy admin viewer"),
    (ORG_ADMIN, "Org admin"),
    (INTERNAL_USER, "Internal user"),
    (INTERNAL_USER_VIEWER, "Internal user viewer"),
]
ORG_ROLES = [(ORG_ADMIN, "Org admin"), (INTERNAL_USER, "Internal user"), (INTERNAL_USER_VIEWER, "Viewer")]
TEAM_ROLES = [("admin", "Admin"), ("user", "User")]

from config.litellm import UI_SESSION_TEAM_ID  # noqa: E402,F401 (one definition)


@dataclass
class Principal:
    """The signed-in person, as the console's rules see them."""

    label: str
    role: str
    user_id: str | None = None  # LiteLLM user id (None for ops staff)
    ops_username: str | None = None
    org_admin_of: frozenset[str] = field(default_factory=frozenset)
    team_admin_of: frozenset[str] = field(default_factory=frozenset)
    team_ids: frozenset[str] = field(default_factory=frozenset)
    org_ids: frozenset[str] = field(default_factory=frozenset)
    # digest of the stored password hash: a session signed in before a change ends
    password_stamp: str = field(default="", repr=False, compare=False)

    # -- broad rights ------------------------------------------------------------------
    @property
    def is_proxy_admin(self) -> bool:
        return self.role == PROXY_ADMIN

    @property
    def sees_everything(self) -> bool:
        return self.role in (PROXY_ADMIN, PROXY_ADMIN_VIEWER)

    @property
    def is_read_only(self) -> bool:
        return self.role in (PROXY_ADMIN_VIEWER, INTERNAL_USER_VIEWER)

    @property
    def is_org_admin(self) -> bool:
        return bool(self.org_admin_of) and not self.is_read_only

    @property
    def is_team_admin(self) -> bool:
        return bool(self.team_admin_of) and not self.is_read_only

    @property
    def actor_id(self) -> str:
        """What goes into created_by/updated_by and the audit log's changed_by."""
        return self.user_id or self.ops_username or "console"

    # -- navigation: which sections this person may open --------------------------------
    def sections(self) -> list[str]:
        if self.sees_everything:
            return [
                "keys",
                "teams",
                "users",
                "organizations",
                "end_users",
                "budgets",
                "usage",
                "logs",
                "invitations",
                "audit",
            ]
        if self.is_org_admin:
            return ["keys", "teams", "users", "organizations", "budgets", "usage", "logs", "invitations"]
        sections = ["keys", "teams", "usage", "logs"]
        if self.is_team_admin:
            sections += ["users", "invitations"]
        return sections

    def can_open(self, section: str) -> bool:
        return section in self.sections()

    # -- scoped querysets: everything outside answers 404 ----------------------------------
    def teams_q(self) -> Q:
        if self.sees_everything:
            return Q()
        return Q(team_id__in=self.team_ids) | Q(organization_id__in=self.org_admin_of)

    def team_choices_q(self) -> Q:
        """Teams this person may pick for a key they make: proxy admins any, org admins their
        orgs' teams, others the teams they belong to; never the UI-session team, never for
        read-only people."""
        if self.is_read_only:
            return Q(team_id__in=[])
        q = Q() if self.is_proxy_admin else Q(team_id__in=self.team_ids) | Q(organization_id__in=self.org_admin_of)
        return q & ~Q(team_id=UI_SESSION_TEAM_ID)

    def team_ids_managed(self) -> frozenset[str]:
        return self.team_admin_of

    def users_q(self) -> Q:
        """UserTable rows this person may see (org admins: their orgs' users and teams)."""
        if self.sees_everything:
            return Q()
        q = Q(user_id=self.user_id)
        if self.org_admin_of:
            q |= Q(organization_id__in=self.org_admin_of)
            q |= Q(user_id__in=_org_member_ids(self.org_admin_of))
        if self.team_admin_of:
            q |= Q(teams__overlap=list(self.team_admin_of))
        return q

    def orgs_q(self) -> Q:
        if self.sees_everything:
            return Q()
        return Q(organization_id__in=self.org_ids)

    def keys_q(self) -> Q:
        """VerificationToken rows: own keys; org admins also their orgs' teams' keys;
        team admins also their teams' keys."""
        if self.sees_everything:
            return Q()
        q = Q(user_id=self.user_id) if self.user_id else Q(pk__in=[])
        if self.org_admin_of:
            q |= Q(organization_id__in=self.org_admin_of) | Q(team_id__in=_org_team_ids(self.org_admin_of))
        if self.team_admin_of and not self.is_read_only:
            q |= Q(team_id__in=self.team_admin_of)
        return q

    # -- actions: refused ones answer 403 ---------------------------------------------------
    def can_manage_team(self, team) -> bool:
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if team.organization_id and team.organization_id in self.org_admin_of:
            return True
        return team.team_id in self.team_admin_of

    def can_see_member_spend(self, team, member_user_id: str | None) -> bool:
        """A team member's spend and budget: those who run the team (its admins, its org's
        admins, proxy admins and admin viewers) see every member's; anyone else only their
        own row, as LiteLLM's team page shows a plain member or viewer."""
        if self.sees_everything or team.team_id in self.team_admin_of:
            return True
        if team.organization_id and team.organization_id in self.org_admin_of:
            return True
        return bool(self.user_id) and member_user_id == self.user_id

    def can_edit_team_settings(self, team) -> bool:
        """Team settings (budget, models, org): admins and the team's org admins only."""
        if self.is_read_only:
            return False
        return self.is_proxy_admin or bool(team.organization_id and team.organization_id in self.org_admin_of)

    def can_create_teams(self) -> bool:
        return self.is_proxy_admin or self.is_org_admin

    def can_manage_user(self, user) -> bool:
        """Profile edits. Org admins only for users whose every organization they administer:
        adding someone to your org (LiteLLM lets any org admin do that) gives no authority over
        a person who also belongs elsewhere. Team admins have none."""
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if user.user_role in (PROXY_ADMIN, PROXY_ADMIN_VIEWER):
            # Only proxy admins touch admin accounts (/user/new, /organization/member_update):
            # an org admin editing or resetting one would be a privilege escalation.
            return False
        return self.is_org_admin and self._administers_every_org_of(user)

    def can_manage_credentials(self, user) -> bool:
        """Whole-person authority: invite links for an existing person, password-reset links,
        setting a password. Whoever holds such a link signs in as that person, so this is
        stricter than LiteLLM's admin_can_invite_user on purpose: proxy admins always; org
        admins only for users all of whose organizations they administer and who administer
        nothing themselves (no org admin anywhere, no proxy admin/viewer); team admins never
        (they may invite only people who do not exist yet). Membership in a team or org one
        manages never grants it."""
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if not self.is_org_admin or (self.user_id and user.user_id == self.user_id):
            return False
        if user.user_role in (PROXY_ADMIN, PROXY_ADMIN_VIEWER, ORG_ADMIN):
            return False
        from accounts.models import OrganizationMembership

        if OrganizationMembership.objects.filter(user_id=user.user_id, user_role=ORG_ADMIN).exists():
            return False
        return self._administers_every_org_of(user)

    def _administers_every_org_of(self, user) -> bool:
        from accounts.models import OrganizationMembership

        orgs = set(
            OrganizationMembership.objects.filter(user_id=user.user_id).values_list("organization_id", flat=True)
        )
        if getattr(user, "organization_id", None):
            orgs.add(user.organization_id)
        return bool(orgs) and orgs <= set(self.org_admin_of)

    def can_create_users(self) -> bool:
        return self.is_proxy_admin or self.is_org_admin

    def can_manage_org(self, org) -> bool:
        if self.is_read_only:
            return False
        return self.is_proxy_admin or org.organization_id in self.org_admin_of

    def can_create_orgs(self) -> bool:
        return self.is_proxy_admin

    def can_manage_key(self, key) -> bool:
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if self.user_id and key.user_id == self.user_id and self.role == INTERNAL_USER:
            return True
        if key.team_id and key.team_id in self.team_admin_of:
            return True
        if self.org_admin_of and (
            key.organization_id in self.org_admin_of or key.team_id in _org_team_ids(self.org_admin_of)
        ):
            return True
        return False

    def can_create_keys(self) -> bool:
        return not self.is_read_only

    def can_invite(self) -> bool:
        return self.is_proxy_admin or self.is_org_admin or self.is_team_admin

    def can_delete_user(self, user) -> bool:
        """/user/delete: proxy admins; org admins only for users whose every organization is
        one they administer (internal_user_endpoints.py::delete_user). Never yourself."""
        if self.is_read_only or (self.user_id and user.user_id == self.user_id):
            return False
        if self.is_proxy_admin:
            return True
        if not self.is_org_admin or user.user_role in (PROXY_ADMIN, PROXY_ADMIN_VIEWER):
            return False
        from accounts.models import OrganizationMembership

        orgs = set(
            OrganizationMembership.objects.filter(user_id=user.user_id).values_list("organization_id", flat=True)
        )
        return bool(orgs) and orgs <= set(self.org_admin_of)

    def assignable_roles(self) -> list[tuple[str, str]]:
        """Roles this person may give: only proxy admins create admin roles (/user/new)."""
        if self.is_proxy_admin:
            return list(USER_ROLES)
        if self.is_read_only:
            return []
        return [(r, label) for r, label in USER_ROLES if r in (INTERNAL_USER, INTERNAL_USER_VIEWER)]

    def can_assign_role(self, role: str) -> bool:
        return role in dict(self.assignable_roles())

    def invitations_q(self) -> Q:
        """InvitationLink rows: everything for admins; otherwise the ones you created and the
        onboarding invitations of people you may see. Password-reset rows (a link for someone
        who already has a password) created by others never appear to team or org admins."""
        if self.sees_everything:
            return Q()
        from accounts.models import UserTable

        q = Q(created_by=self.user_id) if self.user_id else Q(pk__in=[])
        if self.is_org_admin or self.is_team_admin:
            without_password = UserTable.objects.filter(self.users_q()).filter(
                Q(password__isnull=True) | Q(password="")
            )
            q |= Q(user_id__in=without_password.values("user_id"))
        return q

    def can_manage_invitation(self, invitation) -> bool:
        """/invitation/delete: proxy admins any; others only invitations they created."""
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        return bool(self.user_id) and invitation.created_by == self.user_id and self.can_invite()

    def can_see_invitation_link(self, invitation) -> bool:
        """The id is the secret of LiteLLM's own onboarding link: shown (with the links) to
        proxy admins and to whoever created it; everyone else sees it masked."""
        return self.is_proxy_admin or (bool(self.user_id) and invitation.created_by == self.user_id)

    def can_invite_to_team(self, team) -> bool:
        return self.can_manage_team(team)

    def can_invite_to_org(self, org) -> bool:
        return self.can_manage_org(org)

    def can_manage_end_users(self) -> bool:
        return self.is_proxy_admin

    def can_edit_budgets(self) -> bool:
        return self.is_proxy_admin or self.is_org_admin

    # -- helpers for views ---------------------------------------------------------------------
    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied("You may not make this change.")


def mask_secret(value: str | None) -> str:
    """An id that works as a bearer secret, as keys are shown: its last 4 characters."""
    return f"…{value[-4:]}" if value else ""


def visible_invitation_id(principal: Principal | None, invitation) -> str:
    """What a page, a CSV or the admin may show of an invitation's id (its LiteLLM link's
    secret): the id for proxy admins and its creator, masked for everyone else."""
    if principal is not None and principal.can_see_invitation_link(invitation):
        return invitation.id
    return mask_secret(invitation.id)


def _org_member_ids(org_ids) -> list[str]:
    from accounts.models import OrganizationMembership

    return list(
        OrganizationMembership.objects.filter(organization_id__in=list(org_ids)).values_list("user_id", flat=True)
    )


def _org_team_ids(org_ids) -> list[str]:
    from accounts.models import TeamTable

    return list(TeamTable.objects.filter(organization_id__in=list(org_ids)).values_list("team_id", flat=True))


def litellm_user_id(user) -> str | None:
    """The LiteLLM user id of a Django user made for a LiteLLM sign-in, else None."""
    username = getattr(user, "username", "") or ""
    return username[len(LITELLM_USERNAME_PREFIX) :] if username.startswith(LITELLM_USERNAME_PREFIX) else None


def principal_for_user(user) -> Principal | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    user_id = litellm_user_id(user)
    if user_id is None:
        if user.is_superuser:
            role = PROXY_ADMIN
        elif user.is_staff:
            role = PROXY_ADMIN_VIEWER
        else:
            return None
        return Principal(label=user.get_username(), role=role, ops_username=user.get_username())
    return principal_for_litellm_user(user_id)


def principal_for_litellm_user(user_id: str) -> Principal | None:
    from accounts.models import OrganizationMembership, TeamTable, UserTable
    from accounts.sessions import password_stamp

    row = UserTable.objects.filter(user_id=user_id).values("user_email", "user_role", "teams", "password").first()
    if row is None:
        return None
    role = row["user_role"] or INTERNAL_USER  # LiteLLM treats NULL/unknown as internal_user
    if role not in dict(USER_ROLES):
        role = INTERNAL_USER
    memberships = list(
        OrganizationMembership.objects.filter(user_id=user_id).values_list("organization_id", "user_role")
    )
    org_ids = frozenset(o for o, _ in memberships)
    org_admin_of = frozenset(o for o, r in memberships if r == ORG_ADMIN)
    if role == ORG_ADMIN and not org_admin_of:
        org_admin_of = frozenset()
    team_ids = frozenset(row["teams"] or [])
    team_admin_of = frozenset(
        TeamTable.objects.filter(members_with_roles__contains=[{"user_id": user_id, "role": "admin"}]).values_list(
            "team_id", flat=True
        )
    )
    return Principal(
        label=row["user_email"] or user_id,
        role=role,
        user_id=user_id,
        org_admin_of=org_admin_of,
        team_admin_of=team_admin_of,
        team_ids=team_ids | team_admin_of,
        org_ids=org_ids,
        password_stamp=password_stamp(row["password"]),
    )


def principal(request) -> Principal | None:
    """The request's principal, computed once per request."""
    if not hasattr(request, "_principal"):
        found = principal_for_user(getattr(request, "user", None))
        if found is not None and found.user_id and hasattr(request, "session"):
            found = _check_password_stamp(request, found)
        request._principal = found
    return request._principal


def _check_password_stamp(request, found: Principal) -> Principal | None:
    """A session whose user's password changed since it signed in is ended (a session from
    before this check existed is stamped now)."""
    from django.contrib.auth import logout

    from accounts.sessions import SESSION_KEY

    stored = request.session.get(SESSION_KEY)
    if stored is None:
        request.session[SESSION_KEY] = found.password_stamp
    elif stored != found.password_stamp:
        logout(request)
        return None
    return found


def get_visible_or_404(queryset, q: Q, **lookup):
    obj = queryset.filter(q).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found")
    return obj
