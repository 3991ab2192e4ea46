from django.contrib import admin

from spbe.core.admin_scoping import ReadOnlyScopedAdmin

from .models import EvaluationPeriod, Evidence, PublishedIndex, Response, StageScore


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "institution", "year", "kind", "methodology_code")
    exclude = ("methodology_snapshot",)


@admin.register(Response)
class ResponseAdmin(ReadOnlyScopedAdmin):
    list_display = ("period", "indicator", "agency", "level", "status")
    list_filter = ("status",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "response", "kind", "size", "uploaded_at")


@admin.register(StageScore)
class StageScoreAdmin(ReadOnlyScopedAdmin):
    list_display = ("response", "stage", "level", "assessor", "updated_at")


@admin.register(PublishedIndex)
class PublishedIndexAdmin(admin.ModelAdmin):
    list_display = ("institution_name", "year", "index", "predicate", "source")

    def has_module_permission(self, request):
        return request.user.has_perm("evaluation.view_publishedindex")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("evaluation.view_publishedindex")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
