from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views.auth import ConsoleLoginView, PasswordChangeView
from config.views import audit, home

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("accounts/login/", ConsoleLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("audit/", include((audit.urlpatterns, "audit"))),
    path("keys/", include("keys.urls")),
    path("budgets/", include("budgets.urls")),
    path("usage/", include("usage.urls")),
    path("database/", include("database.urls")),
    path("", include("accounts.urls")),
]

handler400 = "config.views.errors.bad_request"
handler404 = "config.views.errors.not_found"
