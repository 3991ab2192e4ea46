from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from spbe.core.metrics import metrics_view
from spbe.core.views import healthz, livez, readyz

from .api import api

handler403 = "spbe.core.views.permission_denied"
admin.site.site_header = "SPBE — Admin"
admin.site.site_title = "SPBE Admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("console/inventory/", include("spbe.inventory.urls")),
    path("console/audit/", include("spbe.audit.urls")),
    path("console/evaluation/", include("spbe.evaluation.urls")),
    path("console/webscan/", include("spbe.webscan.urls")),
    path("console/levy/", include("spbe.levy.urls")),
    path("console/assistant/", include("spbe.assistant.urls")),
    path("lovebali/", include("spbe.lovebali.urls")),
    path("indeks-spbe/", include("spbe.evaluation.public_urls")),
    path("", include("spbe.esign.urls")),
    path("", include("spbe.security.urls")),
    path("", include("spbe.core.urls")),
]
