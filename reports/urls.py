from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.MonthListView.as_view(), name="month_list"),
    path("reconcile/", views.ReconcileView.as_view(), name="reconcile"),
    path("<str:month>/", views.MonthReportView.as_view(), name="month_report"),
]
