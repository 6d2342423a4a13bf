"""Who may read which usage figures and logs: the scopes of the usage dashboard, the
request logs, the error logs."""

from __future__ import annotations

USAGE_SCOPE_KINDS = ("proxy", "org", "team", "user", "key", "tag", "model")


class UsageRulesMixin:
    """Principal's usage questions (its fields and broad rights live in principal.py)."""

    def may_pick_usage_scope(self, kind: str) -> bool:
        """Scope kinds a person may pick: admins all; org admins their orgs and below; team
        admins their teams, themselves and keys; everyone else themselves and their keys."""
        if kind not in USAGE_SCOPE_KINDS:
            return False
        if self.sees_everything:
            return True
        if kind == "org":
            return bool(self.org_admin_of)
        if kind == "team":
            return bool(self.org_admin_of or self.team_admin_of)
        if kind == "user":
            return bool(self.user_id)
        if kind == "key":
            return bool(self.user_id or self.org_admin_of or self.team_admin_of)
        return False

    def default_usage_scope(self) -> tuple[str, str | None]:
        """(kind, value) the dashboard opens on."""
        if self.sees_everything:
            return "proxy", None
        if self.org_admin_of:
            return "org", sorted(self.org_admin_of)[0]
        if self.team_admin_of:
            return "team", sorted(self.team_admin_of)[0]
        return "user", self.user_id

    def can_see_usage_of_org(self, organization_id: str) -> bool:
        return self.sees_everything or organization_id in self.org_admin_of

    def can_see_usage_of_team(self, team_id: str, organization_id: str | None) -> bool:
        return (
            self.sees_everything
            or team_id in self.team_admin_of
            or bool(organization_id and organization_id in self.org_admin_of)
        )

    @property
    def may_see_others_usage(self) -> bool:
        """Whether the dashboard's user scope may name someone else (else it is fixed to you)."""
        return self.sees_everything or bool(self.org_admin_of)

    def can_see_usage_of_user(self, user_id: str) -> bool:
        """Besides users_q(): team admins see their members' rows, not their usage."""
        return self.may_see_others_usage or user_id == self.user_id

    @property
    def may_see_error_logs(self) -> bool:
        """Error logs carry no key, user or team, so no narrower scope exists."""
        return self.sees_everything
