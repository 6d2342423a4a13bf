"""The signed-in person as the console's rules see them, and every question the code asks
about what they may do (refused actions answer 403). What they may see, as querysets, is in
scopes.py; usage and log questions in usage.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from .deployments import DeploymentRulesMixin
from .keys import KeyRulesMixin
from .reports import ReportRulesMixin
from .roles import (
    ADMIN_ROLES,
    INTERNAL_USER,
    INTERNAL_USER_VIEWER,
    ORG_ADMIN,
    PROXY_ADMIN,
    PROXY_ADMIN_VIEWER,
    USER_ROLES,
)
from .scopes import ScopesMixin
from .usage import UsageRulesMixin


@dataclass
class Principal(ScopesMixin, UsageRulesMixin, KeyRulesMixin, ReportRulesMixin, DeploymentRulesMixin):
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

    # -- broad rights (for the rules below; code elsewhere asks the questions) -------------
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

    # -- what pages show ----------------------------------------------------------------------
    @property
    def may_see_whole_proxy(self) -> bool:
        """Lists and figures need no narrowing: every row of the proxy is visible."""
        return self.sees_everything

    @property
    def may_change_anything(self) -> bool:
        """False for the viewer roles: they look but change nothing."""
        return not self.is_read_only

    @property
    def may_manage_some_team(self) -> bool:
        """Runs at least one team as its admin (home page: "and the teams you administer")."""
        return self.is_team_admin

    @property
    def team_admin_badge(self) -> int:
        """How many teams the header's "team admin" badge names (0: no badge; admins and org
        admins have their own role badge)."""
        if self.sees_everything or self.is_org_admin or not self.is_team_admin:
            return 0
        return len(self.team_admin_of)

    @property
    def may_see_people_figures(self) -> bool:
        """Home page counts of users, teams and pending invitations."""
        return self.sees_everything or self.is_org_admin

    @property
    def may_see_invitation_ids(self) -> bool:
        """An invitation's id is its LiteLLM link's secret: in the audit log (and its id
        search, which would spell one out character by character) only proxy admins see it."""
        return self.is_proxy_admin

    # -- navigation: which sections this person may open --------------------------------
    def sections(self) -> list[str]:
        return self._sections() + self.model_sections()

    def _sections(self) -> list[str]:
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
                "reports",
                "invitations",
                "audit",
                "alerts",
                "jobs",
            ]
        if self.is_org_admin:
            return [
                "keys",
                "teams",
                "users",
                "organizations",
                "budgets",
                "usage",
                "logs",
                "reports",
                "invitations",
                "alerts",
            ]
        sections = ["keys", "teams", "usage", "logs"]
        if self.org_admin_of or self.team_admin_of:  # their sections of closed months (read-only too)
            sections.append("reports")
        if self.is_team_admin:
            sections += ["users", "invitations", "alerts"]
        return sections

    def can_open(self, section: str) -> bool:
        if section == "database":
            return self.may_see_database_health
        return section in self.sections()

    @property
    def may_see_database_health(self) -> bool:
        """The /database/ page (sizes, growth, indexes, connections, locks): proxy admins and ops
        logins (superusers and read-only staff); the page only reports, it changes nothing."""
        return self.is_proxy_admin or self.ops_username is not None

    # -- teams --------------------------------------------------------------------------------
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

    def can_place_outside_orgs(self) -> bool:
        """May make a user or a team that belongs to no organization, or invite someone into
        neither a team nor an organization: proxy admins only (others act within theirs)."""
        return self.is_proxy_admin

    def can_put_team_in(self, org) -> bool:
        """A team created in, or moved to, `org` (None: no organization)."""
        if org is None:
            return self.can_place_outside_orgs()
        return self.can_manage_org(org)

    # -- users --------------------------------------------------------------------------------
    def can_manage_user(self, user) -> bool:
        """Profile edits. Org admins only for users whose every organization they administer:
        adding someone to your org (LiteLLM lets any org admin do that) gives no authority over
        a person who also belongs elsewhere. Team admins have none."""
        if self.is_read_only:
            return False
        if self.is_proxy_admin:
            return True
        if user.user_role in ADMIN_ROLES:
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
        if user.user_role in (*ADMIN_ROLES, ORG_ADMIN):
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

    def can_delete_user(self, user) -> bool:
        """/user/delete: proxy admins; org admins only for users whose every organization is
        one they administer (internal_user_endpoints.py::delete_user). Never yourself."""
        if self.is_read_only or (self.user_id and user.user_id == self.user_id):
            return False
        if self.is_proxy_admin:
            return True
        if not self.is_org_admin or user.user_role in ADMIN_ROLES:
            return False
        from accounts.models import OrganizationMembership

        orgs = set(
            OrganizationMembership.objects.filter(user_id=user.user_id).values_list("organization_id", flat=True)
        )
        return bool(orgs) and orgs <= set(self.org_admin_of)

    def can_learn_account_exists(self) -> bool:
        """Whether a reply may tell that an address already had an account (for anyone else it
        must not: the account may be outside what they see)."""
        return self.is_proxy_admin

    def assignable_roles(self) -> list[tuple[str, str]]:
        """Roles this person may give: only proxy admins create admin roles (/user/new)."""
        if self.is_proxy_admin:
            return list(USER_ROLES)
        if self.is_read_only:
            return []
        return [(r, label) for r, label in USER_ROLES if r in (INTERNAL_USER, INTERNAL_USER_VIEWER)]

    def can_assign_role(self, role: str) -> bool:
        return role in dict(self.assignable_roles())

    # -- organizations ------------------------------------------------------------------------
    def can_manage_org(self, org) -> bool:
        if self.is_read_only:
            return False
        return self.is_proxy_admin or org.organization_id in self.org_admin_of

    def can_create_orgs(self) -> bool:
        return self.is_proxy_admin

    def can_delete_orgs(self) -> bool:
        """/organization/delete: proxy admins only (organization_endpoints.py::delete_organization)."""
        return self.is_proxy_admin

    def can_change_org_membership(self, org, user) -> bool:
        """Adding `user` to `org`, changing their role there or removing them: the org's
        managers; a proxy admin's or admin viewer's membership only proxy admins
        (organization_endpoints.py). `user` None: someone not in LiteLLM yet."""
        if not self.can_manage_org(org):
            return False
        return user is None or user.user_role not in ADMIN_ROLES or self.is_proxy_admin

    # -- invitations --------------------------------------------------------------------------
    def can_invite(self) -> bool:
        return self.is_proxy_admin or self.is_org_admin or self.is_team_admin

    def can_invite_to_orgs(self) -> bool:
        """Invite into an organization at all (team admins invite into a team they run)."""
        return self.is_proxy_admin or self.is_org_admin

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

    # -- end users and budgets ----------------------------------------------------------------
    def can_manage_end_users(self) -> bool:
        return self.is_proxy_admin

    def can_edit_budgets(self) -> bool:
        return self.is_proxy_admin or self.is_org_admin

    def can_see_budget_rows(self) -> bool:
        """LiteLLM_BudgetTable rows themselves (shared by orgs, end users, team members)."""
        return self.sees_everything

    def can_edit_budget_rows(self) -> bool:
        return self.is_proxy_admin

    # -- helpers for views ---------------------------------------------------------------------
    def can_send_test_alerts(self) -> bool:
        """The "send a test alert" buttons on /alerts/ (they reach every configured channel)."""
        return self.is_proxy_admin

    def can_retry_jobs(self) -> bool:
        """The retry button on /jobs/ (ops superusers are proxy admins)."""
        return self.is_proxy_admin

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied("You may not make this change.")
