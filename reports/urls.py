from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.MonthListView.as_view(), name="month_list"),
    path("<str:month>/", views.MonthReportView.as_view(), name="month_report"),
]
