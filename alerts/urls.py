from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.AlertListView.as_view(), name="alert_list"),
    path("test/<str:channel>/", views.TestAlertView.as_view(), name="test_alert"),
]
