from django.contrib import admin
from django.urls import include, path

from accounts.views.auth import ConsoleLoginView, PasswordChangeView
from accounts.views.sso import ConsoleLogoutView, SSOCallbackView, SSOStartView
from config.views import audit, home
from config.views.choices import EntityChoicesView

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("accounts/login/", ConsoleLoginView.as_view(), name="login"),
    path("accounts/logout/", ConsoleLogoutView.as_view(), name="logout"),
    path("accounts/sso/", SSOStartView.as_view(), name="sso_start"),
    path("accounts/sso/callback/", SSOCallbackView.as_view(), name="sso_callback"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("choices/<str:kind>.json", EntityChoicesView.as_view(), name="entity_choices"),
    path("audit/", include((audit.urlpatterns, "audit"))),
    path("keys/", include("keys.urls")),
    path("budgets/", include("budgets.urls")),
    path("usage/", include("usage.urls")),
    path("reports/", include("reports.urls")),
    path("alerts/", include("alerts.urls")),
    path("jobs/", include("jobs.urls")),
    path("models/", include("deployments.urls")),
    path("database/", include("database.urls")),
    path("", include("accounts.urls")),
]

handler400 = "config.views.errors.bad_request"
handler404 = "config.views.errors.not_found"
