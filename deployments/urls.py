from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "deployments"
urlpatterns = [
    path("", views.DeploymentListView.as_view(), name="model_list"),
    path("new/", views.DeploymentCreateView.as_view(), name="model_create"),
    path("choices.json", views.ModelChoicesView.as_view(), name="model_choices"),
    path("teams/<id:team_id>/aliases/", views.TeamAliasesView.as_view(), name="team_aliases"),
    path("requests/", views.ModelRequestListView.as_view(), name="request_list"),
    path("requests/new/", views.ModelRequestCreateView.as_view(), name="request_create"),
    path("requests/<id:notification_id>/answer/", views.ModelRequestAnswerView.as_view(), name="request_answer"),
    path("<id:model_id>/", views.DeploymentDetailView.as_view(), name="model_detail"),
    path("<id:model_id>/edit/", views.DeploymentEditView.as_view(), name="model_edit"),
    path("<id:model_id>/delete/", views.DeploymentDeleteView.as_view(), name="model_delete"),
]
