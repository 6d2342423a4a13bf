"""Who may see and change model deployments (LiteLLM_ProxyModelTable), team model aliases
and model access requests (LiteLLM_UserNotifications).

LiteLLM's rules (model_management_endpoints.py, ModelManagementAuthChecks):
- a deployment without model_info.team_id: /model/new, /model/update, /model/delete need a
  proxy admin (can_user_make_model_call);
- a team model (model_info.team_id set): a proxy admin, or an admin of that team
  (can_user_make_team_model_call / allow_team_model_action; LiteLLM also requires its
  enterprise licence there, which the console does not check).
The console adds: viewers never change anything; model access requests are answered by proxy
admins, and by org admins for users of their organizations."""

from __future__ import annotations

from django.db.models import Q

from .scopes import NOTHING


class DeploymentRulesMixin:
    def model_sections(self) -> list[str]:
        """The Models page is open to everyone (each sees what they may call); the request
        queue to everyone but internal-user viewers (who may not ask for anything)."""
        sections = ["models"]
        if self.sees_everything or self.is_org_admin or (self.user_id and not self.is_read_only):
            sections.append("model_requests")
        return sections

    # -- deployments ---------------------------------------------------------------------------
    def deployments_q(self) -> Q:
        """ProxyModelTable rows: all for those who see everything; for everyone else the
        proxy-wide deployments and the team models of their teams (and their orgs' teams)."""
        if self.sees_everything:
            return Q()
        teams = set(self.team_ids) | set(self.team_admin_of)
        if self.org_admin_of:
            from .scopes import _org_team_ids

            teams |= set(_org_team_ids(self.org_admin_of))
        proxy_wide = Q(model_info__isnull=True) | Q(model_info__team_id__isnull=True) | Q(model_info__team_id=None)
        return proxy_wide | Q(model_info__team_id__in=sorted(teams))

    def may_see_deployment_settings(self) -> bool:
        """api_base, api_version and the other non-secret parameters (never the secrets)."""
        return self.sees_everything or self.is_org_admin or self.is_team_admin

    def can_create_deployments(self) -> bool:
        return self.is_proxy_admin or self.is_team_admin

    def can_manage_deployment(self, team_id: str | None) -> bool:
        """/model/new, /model/update, /model/delete for a deployment of this team (None: a
        proxy-wide deployment)."""
        if self.is_proxy_admin:
            return True
        return bool(team_id) and self.is_team_admin and team_id in self.team_admin_of

    def deployment_team_choices_q(self) -> Q:
        """Teams a deployment may be made for: any (proxy admins), else the teams they run."""
        if self.is_proxy_admin:
            return Q()
        if self.is_team_admin:
            return Q(team_id__in=self.team_admin_of)
        return NOTHING

    def can_edit_team_aliases(self, team) -> bool:
        """model_aliases go through /team/update: proxy admins, org admins of the team's org,
        its team admins (as the team's other settings)."""
        return self.can_manage_team(team)

    # -- model access requests -----------------------------------------------------------------
    def can_request_models(self) -> bool:
        return bool(self.user_id) and not self.is_read_only and not self.is_proxy_admin

    def may_review_model_requests(self) -> bool:
        return self.sees_everything or self.is_org_admin

    def model_requests_q(self) -> Q:
        """UserNotifications rows: everything for those who see everything; org admins their
        orgs' users' requests; everyone their own."""
        if self.sees_everything:
            return Q()
        q = Q(user_id=self.user_id) if self.user_id else NOTHING
        if self.is_org_admin:
            from .scopes import _org_member_ids

            q |= Q(user_id__in=_org_member_ids(self.org_admin_of))
        return q

    def can_answer_model_request(self, request_row) -> bool:
        """Approve or disapprove: a proxy admin, or an org admin for a user of their orgs
        (never their own request)."""
        if self.is_proxy_admin:
            return True
        if not self.is_org_admin or request_row.user_id == self.user_id:
            return False
        from .scopes import _org_member_ids

        return request_row.user_id in _org_member_ids(self.org_admin_of)
