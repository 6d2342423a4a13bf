from django.urls import path

from . import views

app_name = "keys"
urlpatterns = [
    path("", views.KeyListView.as_view(), name="key_list"),
    path("new/", views.KeyCreateView.as_view(), name="key_create"),
    path("models.json", views.KeyModelsView.as_view(), name="key_models"),
    path("bulk/", views.KeyBulkActionView.as_view(), name="key_bulk"),
    path("<str:token>/", views.KeyDetailView.as_view(), name="key_detail"),
    path("<str:token>/issued/", views.KeyIssuedView.as_view(), name="key_issued"),
    path("<str:token>/edit/", views.KeyEditView.as_view(), name="key_edit"),
    path("<str:token>/block/", views.KeyBlockView.as_view(), name="key_block"),
    path("<str:token>/unblock/", views.KeyUnblockView.as_view(), name="key_unblock"),
    path("<str:token>/regenerate/", views.KeyRegenerateView.as_view(), name="key_regenerate"),
    path("<str:token>/delete/", views.KeyDeleteView.as_view(), name="key_delete"),
]
