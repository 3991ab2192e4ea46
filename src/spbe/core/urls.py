from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views, views

app_name = "core"
urlpatterns = [
    path("", views.portal_home, name="portal-home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path("account/password/", account_views.PasswordChangeView.as_view(), name="password-change"),
    path("account/set-password/<uidb64>/<token>/", account_views.SetPasswordView.as_view(), name="set-password"),
    path("account/2fa/setup/", account_views.second_factor_setup, name="second-factor-setup"),
    path("account/2fa/verify/", account_views.second_factor_verify, name="second-factor-verify"),
    path("account/2fa/recovery-codes/", account_views.recovery_codes, name="recovery-codes"),
    path("account/2fa/disable/", account_views.second_factor_disable, name="second-factor-disable"),
    path("console/", views.console_home, name="console-home"),
    path("console/agencies/", views.agency_list, name="agency-list"),
    path("console/agencies/<int:agency_id>/", views.agency_detail, name="agency-detail"),
    path("console/agencies/<int:agency_id>/members/", views.membership_grant, name="membership-grant"),
    path("console/memberships/<int:membership_id>/revoke/", views.membership_revoke, name="membership-revoke"),
]
