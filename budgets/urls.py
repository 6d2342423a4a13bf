from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "budgets"
urlpatterns = [
    path("", views.BudgetOverviewView.as_view(), name="budget_overview"),
    path("rows/", views.BudgetRowListView.as_view(), name="budget_rows"),
    path("rows/new/", views.BudgetRowEditView.as_view(), name="budget_row_create"),
    path("rows/<id:budget_id>/", views.BudgetRowEditView.as_view(), name="budget_row_edit"),
    path("teams/<id:team_id>/members/", views.TeamMemberBudgetsView.as_view(), name="team_members"),
]
