"""A team's member budgets: each member's spend in the team against their budget row (the
cap the proxy enforces, budgets/member_cap.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts.models import TeamMembership, UserTable
from config import writes

from ..member_cap import active_temp_increase, member_cap, team_default_budget_id
from ..models import BudgetTable
from ..thresholds import budget_state


@dataclass
class MemberBudget:
    user_id: str
    email: str | None
    role: str
    spend: float
    budget_id: str | None
    max_budget: float | None
    budget_duration: str | None
    reset_at: datetime | None
    tpm_limit: int | None
    rpm_limit: int | None
    shared: bool  # still on the team's default member budget row
    temp_increase: float = 0.0  # an unexpired temporary increase (counts towards the cap)
    temp_expiry: datetime | None = None
    cap: float | None = None  # budgets.member_cap.member_cap: what the proxy enforces

    @property
    def effective_max(self) -> float | None:
        return self.cap

    @property
    def pct(self) -> float | None:
        cap = self.effective_max
        if cap is None:
            return None
        return 100.0 if cap == 0 else 100.0 * (self.spend or 0) / cap

    @property
    def state(self) -> str:
        return budget_state(self.pct)

    @property
    def meter_width(self) -> float:
        return min(100.0, self.pct or 0.0)


def team_member_budgets(team) -> list[MemberBudget]:
    """Each member of the roster with their membership spend and budget row (three queries)."""
    roster = team.members_with_roles if isinstance(team.members_with_roles, list) else []
    memberships = {
        m["user_id"]: m
        for m in TeamMembership.objects.filter(team_id=team.team_id).values("user_id", "spend", "budget_id")
    }
    user_ids = [m.get("user_id") for m in roster if m.get("user_id")] + list(memberships)
    emails = dict(UserTable.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "user_email"))
    default_id = team_default_budget_id(team)
    budget_ids = {m["budget_id"] for m in memberships.values() if m["budget_id"]} | ({default_id} - {None})
    budgets = {b.budget_id: b for b in BudgetTable.objects.filter(budget_id__in=budget_ids)}
    now = writes.now_utc()
    rows, seen = [], set()
    for member in roster:
        user_id = member.get("user_id")
        if not user_id or user_id in seen:
            continue
        seen.add(user_id)
        membership = memberships.get(user_id, {})
        budget = budgets.get(membership.get("budget_id"))
        rows.append(
            MemberBudget(
                user_id=user_id,
                email=emails.get(user_id) or member.get("user_email"),
                role=member.get("role") or "user",
                spend=membership.get("spend") or 0.0,
                budget_id=membership.get("budget_id"),
                max_budget=getattr(budget, "max_budget", None),
                budget_duration=getattr(budget, "budget_duration", None),
                reset_at=getattr(budget, "budget_reset_at", None),
                tpm_limit=getattr(budget, "tpm_limit", None),
                rpm_limit=getattr(budget, "rpm_limit", None),
                shared=bool(default_id) and membership.get("budget_id") == default_id,
                **_temp_increase(budget),
                cap=member_cap(budget, budgets.get(default_id), now),
            )
        )
    return rows


def _temp_increase(budget) -> dict:
    increase = active_temp_increase(budget)
    return {"temp_increase": increase, "temp_expiry": budget.temp_budget_expiry} if increase else {}
