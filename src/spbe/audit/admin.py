from django.contrib import admin

from spbe.core.admin_scoping import ReadOnlyScopedAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdmin):
    list_display = ("sequence", "occurred_at", "actor_repr", "action", "target_repr", "agency")
    list_filter = ("action", "actor_kind")
    search_fields = ("action", "target_repr", "actor_repr", "request_id")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
