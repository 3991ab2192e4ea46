from django.contrib import admin

from spbe.core.admin_scoping import ReadOnlyScopedAdmin

from .models import AlertChannel, Finding, ScanRun


@admin.register(Finding)
class FindingAdmin(ReadOnlyScopedAdmin):
    list_display = ("url", "website", "severity", "status", "detected_at", "deadline")
    list_filter = ("status", "severity")
    search_fields = ("url",)


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyScopedAdmin):
    list_display = ("website", "trigger", "status", "queued_at", "pages", "infected_pages", "worker")
    list_filter = ("status", "trigger")


@admin.register(AlertChannel)
class AlertChannelAdmin(ReadOnlyScopedAdmin):
    list_display = ("agency", "kind", "target", "is_active")
    exclude = ("secret",)
