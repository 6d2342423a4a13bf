from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("<str:job_id>/retry/", views.RetryJobView.as_view(), name="job_retry"),
]
