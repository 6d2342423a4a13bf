"""Who may read which part of a closed month's report (reports/)."""

from __future__ import annotations


class ReportRulesMixin:
    """Principal's report questions: admins read whole reports; an org admin the sections of
    their organizations (and those organizations' teams); a team admin their teams' sections."""

    @property
    def may_see_whole_report(self) -> bool:
        """The whole-proxy totals, the top entities across the proxy and the version changes."""
        return self.sees_everything

    @property
    def may_reconcile(self) -> bool:
        """The reconciliation page compares every key's, user's, team's and org's spend: admins."""
        return self.sees_everything

    @property
    def may_close_months(self) -> bool:
        """Closing (again) from the page: proxy admins (the command and the periodic job need none)."""
        return self.is_proxy_admin

    def may_see_report_org(self, organization_id: str) -> bool:
        return bool(organization_id) and (self.sees_everything or organization_id in self.org_admin_of)

    def may_see_report_team(self, team_id: str, organization_id: str | None) -> bool:
        """(organization_id: the team's organization as the close recorded it.)"""
        return bool(team_id) and (
            self.sees_everything
            or team_id in self.team_admin_of
            or bool(organization_id and organization_id in self.org_admin_of)
        )
