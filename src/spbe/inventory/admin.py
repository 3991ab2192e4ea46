from django.contrib import admin

from spbe.core.admin_scoping import ScopedModelAdmin

from . import services
from .models import Application, Server, Website


class AssetAdmin(ScopedModelAdmin):
    list_display = ("name", "agency", "criticality", "is_active")
    list_filter = ("criticality", "is_active")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name not in ("servers",)}
        if change:
            services.update_asset(type(obj).objects.get(pk=obj.pk), by=request.user, **fields)
        else:
            agency = fields.pop("agency")
            obj.pk = services.create_asset(type(obj), agency=agency, by=request.user, **fields).pk

    def delete_model(self, request, obj):
        services.delete_asset(obj, by=request.user)


@admin.register(Application)
class ApplicationAdmin(AssetAdmin):
    list_display = ("name", "agency", "kind", "status", "criticality", "is_active")
    filter_horizontal = ("servers",)

    def save_related(self, request, form, formsets, change):
        application = Application.objects.get(pk=form.instance.pk)
        if "servers" in form.changed_data:
            services.update_asset(application, by=request.user, servers=list(form.cleaned_data["servers"]))


@admin.register(Website)
class WebsiteAdmin(AssetAdmin):
    list_display = ("domain", "name", "agency", "is_active")
    search_fields = ("domain", "name")


@admin.register(Server)
class ServerAdmin(AssetAdmin):
    list_display = ("hostname", "name", "agency", "environment", "wazuh_agent_id")
    search_fields = ("hostname", "name", "wazuh_agent_id")
