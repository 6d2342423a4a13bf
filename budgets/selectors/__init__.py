"""Budget reads, one module per family:

overview   every budgeted entity in one UNION ALL (the budget overview's source)
members    a team's member budgets (the member matrix, the team page)
forecast   the burn-down forecast from the daily spend tables
rows       what uses one LiteLLM_BudgetTable row
"""

from ..member_cap import active_temp_increase, member_cap, team_default_budget_id  # noqa: F401
from .forecast import FORECAST_DAYS, Forecast, daily_pace, forecast, forecast_for  # noqa: F401
from .members import MemberBudget, team_member_budgets  # noqa: F401
from .overview import KIND_LABELS, KINDS, PAGE_SIZE, SORTS, BudgetPage, BudgetRow, budget_overview, budget_union  # noqa: F401
from .rows import BudgetRowUse, budget_row_use  # noqa: F401
