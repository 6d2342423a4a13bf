from django.urls import path

from config.views.placeholder import ComingSoonView

app_name = "keys"
urlpatterns = [
    path("", ComingSoonView.as_view(section="keys", title="Keys"), name="key_list"),
]
