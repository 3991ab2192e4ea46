"""ModelAdmin base that asks the platform's permission layer and writes through services.

Django's admin checks model-level permissions without an object; here every check passes
the object so the agency scope applies, and querysets are narrowed the same way the web
views and the API narrow them.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from . import permissions


class ScopedModelAdmin(admin.ModelAdmin):
    def _perm(self, action: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{action}_{meta.model_name}"

    def get_queryset(self, request):
        return permissions.scope_queryset(request.user, self._perm("view"), super().get_queryset(request))

    def has_module_permission(self, request):
        return permissions.has_perm(request.user, self._perm("view"))

    def has_view_permission(self, request, obj=None):
        return permissions.has_perm(request.user, self._perm("view"), obj) or self.has_change_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return permissions.has_perm(request.user, self._perm("add"))

    def has_change_permission(self, request, obj=None):
        return permissions.has_perm(request.user, self._perm("change"), obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.has_perm(request.user, self._perm("delete"), obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = permissions.agencies_for(request.user, self._perm("add"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    """Scoped, view-only admin for records that change only through their services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlatformAdminOnly(admin.ModelAdmin):
    """For records that belong to no agency (users, institutions, tokens)."""

    def _global(self, request) -> bool:
        return permissions.user_scope(request.user, "core.change_institution").everything

    def has_module_permission(self, request):
        return self._global(request)

    def has_view_permission(self, request, obj=None):
        return self._global(request)

    def has_add_permission(self, request):
        return self._global(request)

    def has_change_permission(self, request, obj=None):
        return self._global(request)

    def has_delete_permission(self, request, obj=None):
        return False
