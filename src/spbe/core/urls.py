from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.portal_home, name="portal-home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("console/", views.console_home, name="console-home"),
    path("console/agencies/", views.agency_list, name="agency-list"),
    path("console/agencies/<int:agency_id>/", views.agency_detail, name="agency-detail"),
    path("console/agencies/<int:agency_id>/members/", views.membership_grant, name="membership-grant"),
    path("console/memberships/<int:membership_id>/revoke/", views.membership_revoke, name="membership-revoke"),
]
