from django.urls import path

from config.views.placeholder import ComingSoonView

app_name = "budgets"
urlpatterns = [
    path("", ComingSoonView.as_view(section="budgets", title="Budgets"), name="budget_overview"),
]
