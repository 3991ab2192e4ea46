from django import forms
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.forms import https_formfield

from .models import Application, Server, Website

FORM_FIELDS = {
    Application: ["agency", "name", "description", "kind", "status", "url", "technology", "criticality", "is_active"],
    Website: ["agency", "name", "domain", "base_url", "admin_email", "cms", "description", "criticality", "is_active"],
    Server: [
        "agency",
        "name",
        "hostname",
        "ip_address",
        "environment",
        "location",
        "operating_system",
        "wazuh_agent_id",
        "criticality",
        "is_active",
    ],
}


def asset_form_class(model):
    meta = type("Meta", (), {
        "model": model,
        "fields": FORM_FIELDS[model],
        "widgets": {"description": forms.Textarea(attrs={"rows": 3})},
        "formfield_callback": https_formfield,
    })

    class AssetForm(forms.ModelForm):
        Meta = meta

        def __init__(self, *args, user=None, perm=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["agency"].queryset = permissions.agencies_for(user, perm)
            self.fields["agency"].label = _("Owning agency")
            for field in self.fields.values():
                css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
                if isinstance(field.widget, forms.Select):
                    css = "form-select"
                field.widget.attrs.setdefault("class", css)

        def validate_unique(self):
            # Uniqueness is checked by the service (which reports it in the user's language).
            pass

    return AssetForm
