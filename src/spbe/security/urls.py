from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("security/", views.policy, name="policy"),
    path("security/register/", views.register, name="register"),
    path("security/report/", views.report_new, name="report-new"),
    path("security/reports/", views.my_reports, name="my-reports"),
    path("security/reports/<str:code>/", views.report_detail, name="report-detail"),
    path("security/reports/<str:code>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("security/leaderboard/", views.leaderboard, name="leaderboard"),
    path("console/security/reports/", views.console_list, name="console-list"),
]
