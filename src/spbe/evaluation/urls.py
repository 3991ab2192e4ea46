from django.urls import path

from . import followup_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.period_list, name="period-list"),
    path("<int:period_id>/", views.period_detail, name="period-detail"),
    path("<int:period_id>/stages/<str:stage>/<str:action>/", views.stage_action, name="stage-action"),
    path("<int:period_id>/gap/", views.gap_planner, name="gap"),
    path("<int:period_id>/assessors/", views.add_assessor, name="add-assessor"),
    path("<int:period_id>/indicators/", views.indicator_switch, name="indicator-switch"),
    path("<int:period_id>/export.<str:fmt>", views.export, name="export"),
    path("<int:period_id>/stages/<str:stage>/deadline/", followup_views.stage_deadline, name="stage-deadline"),
    path("<int:period_id>/followup/", followup_views.followup, name="followup"),
    path("<int:period_id>/answers.xlsx", followup_views.answers_excel, name="answers-excel"),
    path("<int:period_id>/minutes/<str:stage>.pdf", followup_views.minutes_pdf, name="minutes-pdf"),
    path("responses/<int:response_id>/", views.response_detail, name="response-detail"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence-download"),
    path("trend/", views.trend, name="trend"),
    path("calculator/", views.calculator, name="calculator"),
]
