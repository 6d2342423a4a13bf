from django.urls import path

from config.views.placeholder import ComingSoonView

app_name = "usage"
urlpatterns = [
    path("", ComingSoonView.as_view(section="usage", title="Usage"), name="dashboard"),
    path("logs/", ComingSoonView.as_view(section="logs", title="Request logs"), name="spendlog_list"),
]
