from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("tree/", views.tree, name="tree"),
    path("tree/<str:code>/children/", views.tree_children, name="tree_children"),
    path("orgs/<str:code>/", views.org_detail, name="org"),
    path("orgs/<str:code>/members/new/", views.member_new, name="member_new"),
    path("orgs/<str:code>/participants/", views.participant_add_view, name="participant_add"),
    path("orgs/<str:code>/election-delay/", views.election_delay_view, name="election_delay"),
    path("participants/<int:pk>/end/", views.participant_end_view, name="participant_end"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/statuses/", views.member_status_view, name="member_status"),
    path("members/<int:pk>/reveal/", views.member_reveal_view, name="member_reveal"),
    path("findings/", views.findings, name="findings"),
    path("audit/", views.audit, name="audit"),
    path("audit/chain/", views.audit_chain, name="audit_chain"),
    path("users/", views.users, name="users"),
    path("users/<str:username>/roles/", views.user_roles, name="user_roles"),
    path("security/", views.security, name="security"),
    path("security/unlock/<str:username>/", views.user_unlock_view, name="user_unlock"),
    path("security/password/", views.password_reset_view, name="password_reset"),
    path("security/grants/", views.role_grants, name="role_grants"),
    path(
        "security/grants/<int:pk>/<str:decision>/",
        views.role_grant_decide,
        name="role_grant_decide",
    ),
]

auth_urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change_view, name="password_change"),
    path("accounts/otp/", views.otp_verify_view, name="otp_verify"),
    path("accounts/otp/setup/", views.otp_setup_view, name="otp_setup"),
]
