from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)

from . import views
from .views import invitations as views_invitations

app_name = "accounts"
urlpatterns = [
    # users
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<id:user_id>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<id:user_id>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<id:user_id>/delete/", views.UserDeleteView.as_view(), name="user_delete"),
    path(
        "users/<id:user_id>/password-reset/",
        views_invitations.PasswordResetLinkView.as_view(),
        name="user_password_reset",
    ),
    # teams and rosters
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team_create"),
    path("teams/<id:team_id>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<id:team_id>/edit/", views.TeamEditView.as_view(), name="team_edit"),
    path("teams/<id:team_id>/delete/", views.TeamDeleteView.as_view(), name="team_delete"),
    path("teams/<id:team_id>/members/add/", views.TeamMemberAddView.as_view(), name="team_member_add"),
    path(
        "teams/<id:team_id>/members/<id:user_id>/remove/",
        views.TeamMemberRemoveView.as_view(),
        name="team_member_remove",
    ),
    path("teams/<id:team_id>/members/<id:user_id>/role/", views.TeamMemberRoleView.as_view(), name="team_member_role"),
    path(
        "teams/<id:team_id>/members/<id:user_id>/budget/",
        views.TeamMemberBudgetView.as_view(),
        name="team_member_budget",
    ),
    # organizations
    path("organizations/", views.OrgListView.as_view(), name="org_list"),
    path("organizations/new/", views.OrgCreateView.as_view(), name="org_create"),
    path("organizations/<id:org_id>/", views.OrgDetailView.as_view(), name="org_detail"),
    path("organizations/<id:org_id>/edit/", views.OrgEditView.as_view(), name="org_edit"),
    path("organizations/<id:org_id>/delete/", views.OrgDeleteView.as_view(), name="org_delete"),
    path("organizations/<id:org_id>/members/add/", views.OrgMemberAddView.as_view(), name="org_member_add"),
    path(
        "organizations/<id:org_id>/members/<id:user_id>/remove/",
        views.OrgMemberRemoveView.as_view(),
        name="org_member_remove",
    ),
    path(
        "organizations/<id:org_id>/members/<id:user_id>/role/",
        views.OrgMemberRoleView.as_view(),
        name="org_member_role",
    ),
    # end users
    path("end-users/", views.EndUserListView.as_view(), name="enduser_list"),
    path("end-users/new/", views.EndUserCreateView.as_view(), name="enduser_create"),
    path("end-users/<id:end_user_id>/edit/", views.EndUserEditView.as_view(), name="enduser_edit"),
    path("end-users/<id:end_user_id>/block/", views.EndUserBlockView.as_view(), name="enduser_block"),
    # invitations
    path("invitations/", views_invitations.InvitationListView.as_view(), name="invitation_list"),
    path("invitations/new/", views_invitations.InvitationCreateView.as_view(), name="invitation_create"),
    path(
        "invitations/accept/<str:token>/",
        views_invitations.AcceptInvitationView.as_view(),
        name="invitation_accept",
    ),
    path(
        "invitations/<str:invitation_id>/", views_invitations.InvitationDetailView.as_view(), name="invitation_detail"
    ),
    path(
        "invitations/<str:invitation_id>/revoke/",
        views_invitations.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "invitations/<str:invitation_id>/reissue/",
        views_invitations.InvitationReissueView.as_view(),
        name="invitation_reissue",
    ),
]
