from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "keys"
urlpatterns = [
    path("", views.KeyListView.as_view(), name="key_list"),
    path("new/", views.KeyCreateView.as_view(), name="key_create"),
    path("models.json", views.KeyModelsView.as_view(), name="key_models"),
    path("bulk/", views.KeyBulkActionView.as_view(), name="key_bulk"),
    path("<id:token>/", views.KeyDetailView.as_view(), name="key_detail"),
    path("<id:token>/issued/", views.KeyIssuedView.as_view(), name="key_issued"),
    path("<id:token>/edit/", views.KeyEditView.as_view(), name="key_edit"),
    path("<id:token>/block/", views.KeyBlockView.as_view(), name="key_block"),
    path("<id:token>/unblock/", views.KeyUnblockView.as_view(), name="key_unblock"),
    path("<id:token>/regenerate/", views.KeyRegenerateView.as_view(), name="key_regenerate"),
    path("<id:token>/delete/", views.KeyDeleteView.as_view(), name="key_delete"),
]
