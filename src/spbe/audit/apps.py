from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "spbe.audit"
    verbose_name = _("Audit log")

    def ready(self):
        from spbe.core.navigation import NavItem, register

        register(NavItem(_("Audit log"), "audit:event-list", "audit.view_auditevent", _("Oversight")))
