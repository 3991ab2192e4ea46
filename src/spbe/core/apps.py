from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "spbe.core"
    verbose_name = _("Agencies and users")

    def ready(self):
        from . import roles  # noqa: F401  (registers the core grants)
        from .navigation import NavItem, register

        register(
            NavItem(_("Dashboard"), "core:console-home"),
            NavItem(_("Agencies"), "core:agency-list", perm="core.view_agency", group=_("Organisation")),
        )
