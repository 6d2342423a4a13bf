"""A team member's cap: the one rule the team page, the member matrix and the overview use.

As LiteLLM enforces it (litellm/proxy/auth/auth_checks.py::_check_team_member_budget, with
litellm/models/budget.py::effective_max_budget / active_temp_budget_increase):
- the membership's own budget row, when it has a max_budget: max_budget + its unexpired
  temp_budget_increase (unexpired: temp_budget_expiry > now);
- otherwise the team's default member budget (metadata.team_member_budget_id) when its
  max_budget > 0 (0 on the default means "no cap"), plus the member row's unexpired increase;
- otherwise no cap.
"""

from __future__ import annotations

from datetime import datetime

from config import writes


def active_temp_increase(budget, now: datetime | None = None) -> float:
    increase = getattr(budget, "temp_budget_increase", None)
    expiry = getattr(budget, "temp_budget_expiry", None)
    if increase is None or expiry is None:
        return 0.0
    return 0.0 if expiry <= (now or writes.now_utc()) else increase


def member_cap(member_budget, default_budget=None, now: datetime | None = None) -> float | None:
    """The spend at which the proxy refuses this member's requests in the team (None: no cap)."""
    now = now or writes.now_utc()
    if member_budget is not None and member_budget.max_budget is not None:
        return member_budget.max_budget + active_temp_increase(member_budget, now)
    default_max = getattr(default_budget, "max_budget", None)
    if default_max is not None and default_max > 0:
        return default_max + (active_temp_increase(member_budget, now) if member_budget is not None else 0.0)
    return None


def team_default_budget_id(team) -> str | None:
    metadata = team.metadata if isinstance(team.metadata, dict) else {}
    return metadata.get("team_member_budget_id")
