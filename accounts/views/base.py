"""Loaders the people pages share: each fetches one object within what the principal may see (404 otherwise)."""

from __future__ import annotations

from budgets.selectors import forecast_for as budget_forecast_for
from config import policy

from ..models import OrganizationTable, TeamTable, UserTable


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


def _forecast(kind: str, object_id: str, row):
    """The burn-down forecast of a user's or team's own budget columns (None without one)."""
    return budget_forecast_for(
        kind,
        object_id,
        spend=row.spend,
        max_budget=row.max_budget,
        reset_at=row.budget_reset_at,
        duration=row.budget_duration or "",
    )
