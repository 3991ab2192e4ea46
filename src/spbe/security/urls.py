from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("security/", views.policy, name="policy"),
    path("security/register/", views.register, name="register"),
    path("security/signup/", views.signup, name="signup"),
    path("security/report/", views.report_new, name="report-new"),
    path("security/reports/", views.my_reports, name="my-reports"),
    path("security/reports/<str:code>/", views.report_detail, name="report-detail"),
    path("security/reports/<str:code>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("security/leaderboard/", views.leaderboard, name="leaderboard"),
    path("console/security/reports/", views.console_list, name="console-list"),
    path("console/security/itsa/", views.itsa_list, name="itsa-list"),
    path("console/security/itsa/<int:assessment_id>/", views.itsa_detail, name="itsa-detail"),
    path("console/security/itsa/<int:assessment_id>/report.pdf", views.itsa_pdf, name="itsa-pdf"),
    path("console/security/soc/", views.soc, name="soc"),
    path("security/certificates/<str:code>/", views.certificate, name="certificate"),
    path("security/certificates/<str:code>/certificate.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("security/cohorts/", views.cohort_list, name="cohort-list"),
    path("security/cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort-detail"),
    path("security/cohorts/<int:cohort_id>/grades.csv", views.cohort_grades, name="cohort-grades"),
]
