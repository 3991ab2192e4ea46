from django.urls import path

from . import views

app_name = "webscan"
urlpatterns = [
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:finding_id>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:finding_id>/snapshot/", views.finding_snapshot, name="finding-snapshot"),
    path("scans/", views.scan_list, name="scan-list"),
]
