"""What points at one LiteLLM_BudgetTable row (so an edit's reach is visible)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import EndUserTable, OrganizationTable, TeamMembership, TeamTable
from keys.models import VerificationToken


@dataclass
class BudgetRowUse:
    """What points at one LiteLLM_BudgetTable row (so an edit's reach is visible)."""

    orgs: list[str]
    default_of_teams: list[str]
    members: int
    keys: int
    end_users: int

    @property
    def unused(self) -> bool:
        return not (self.orgs or self.default_of_teams or self.members or self.keys or self.end_users)


def budget_row_use(budget_id: str) -> BudgetRowUse:
    return BudgetRowUse(
        orgs=list(
            OrganizationTable.objects.filter(budget_id=budget_id).values_list("organization_alias", flat=True)[:20]
        ),
        default_of_teams=[
            alias or team_id
            for team_id, alias in TeamTable.objects.filter(metadata__team_member_budget_id=budget_id).values_list(
                "team_id", "team_alias"
            )[:20]
        ],
        members=TeamMembership.objects.filter(budget_id=budget_id).count(),
        keys=VerificationToken.objects.filter(budget_id=budget_id).count(),
        end_users=EndUserTable.objects.filter(budget_id=budget_id).count(),
    )
