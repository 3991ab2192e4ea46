from django.contrib import admin

from spbe.core.admin_scoping import ScopedModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedModelAdmin):
    list_display = ("sequence", "occurred_at", "actor_repr", "action", "target_repr", "agency")
    list_filter = ("action", "actor_kind")
    search_fields = ("action", "target_repr", "actor_repr", "request_id")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
