from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _

from . import permissions, services
from .admin_scoping import PlatformAdminOnly, ScopedModelAdmin
from .models import Agency, ApiToken, Institution, Membership, User


@admin.register(Institution)
class InstitutionAdmin(PlatformAdminOnly):
    list_display = ("name", "code", "kind")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            from spbe.audit.services import record

            record("core.institution.updated", obj, data={"changed": form.changed_data})
        else:
            created = services.create_institution(code=obj.code, name=obj.name, kind=obj.kind, by=request.user)
            obj.pk = created.pk


@admin.register(Agency)
class AgencyAdmin(ScopedModelAdmin):
    list_display = ("name", "short_name", "kind", "institution", "parent", "is_active")
    list_filter = ("institution", "kind", "is_active")
    search_fields = ("name", "short_name", "code")

    def get_readonly_fields(self, request, obj=None):
        return ("institution", "parent", "code") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            original = Agency.objects.get(pk=obj.pk)
            changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.AGENCY_EDITABLE_FIELDS}
            services.update_agency(original, by=request.user, **changes)
        else:
            created = services.create_agency(
                institution=obj.institution,
                parent=obj.parent,
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                short_name=obj.short_name,
                email=obj.email,
                by=request.user,
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.update_agency(obj, by=request.user, is_active=False)

    def has_delete_permission(self, request, obj=None):
        return False  # agencies are deactivated, never deleted


class MembershipForm(forms.ModelForm):
    """Refuses, as a form error, a role the signed-in admin may not give (the service checks again)."""

    class Meta:
        model = Membership
        fields = ("user", "agency", "role", "valid_until")

    def clean(self):
        data = super().clean()
        granter = getattr(self, "granter", None)
        agency, role, user = data.get("agency"), data.get("role"), data.get("user")
        if granter is not None and agency is not None and role:
            if not permissions.may_grant(granter, role, agency):
                raise forms.ValidationError(_("You may not give this role in this agency."))
            if user is not None and not permissions.may_grant_to(granter, user):
                raise forms.ValidationError(
                    _("This user works for another institution; only a platform administrator can give them a role here.")
                )
        return data


@admin.register(Membership)
class MembershipAdmin(ScopedModelAdmin):
    form = MembershipForm

    list_display = ("user", "agency", "role", "is_active", "valid_until")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name", "agency__name")
    autocomplete_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        return ("user", "agency", "role", "is_active") if obj else ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.granter = request.user
        return form

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not permissions.may_revoke(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.grant_membership(
            user=obj.user, agency=obj.agency, role=obj.role, valid_until=obj.valid_until, by=request.user
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        services.revoke_membership(obj, by=request.user)


@admin.register(User)
class UserAdmin(PlatformAdminOnly, DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (("SPBE", {"fields": ("full_name", "preferred_language")}),)
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")


@admin.register(ApiToken)
class ApiTokenAdmin(PlatformAdminOnly):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are issued through the API or the console, which show the secret once

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_token(token, by=request.user)
