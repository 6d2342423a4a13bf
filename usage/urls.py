from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "usage"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("logs/", views.SpendLogListView.as_view(), name="spendlog_list"),
    path("logs/<id:request_id>/", views.SpendLogDetailView.as_view(), name="spendlog_detail"),
    path("errors/", views.ErrorLogListView.as_view(), name="errorlog_list"),
    path("errors/<id:request_id>/", views.ErrorLogDetailView.as_view(), name="errorlog_detail"),
]
