from django.urls import path

from config.views.placeholder import ComingSoonView

app_name = "accounts"
urlpatterns = [
    path("teams/", ComingSoonView.as_view(section="teams", title="Teams"), name="team_list"),
    path("users/", ComingSoonView.as_view(section="users", title="Users"), name="user_list"),
    path("organizations/", ComingSoonView.as_view(section="organizations", title="Organizations"), name="org_list"),
    path("end-users/", ComingSoonView.as_view(section="end_users", title="End users"), name="enduser_list"),
    path("invitations/", ComingSoonView.as_view(section="invitations", title="Invitations"), name="invitation_list"),
]
