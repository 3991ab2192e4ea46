from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "spbe.core"
    verbose_name = _("Agencies and users")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import roles  # noqa: F401  (registers the core grants)
        from .cache import create_cache_table

        post_migrate.connect(create_cache_table, sender=self)

        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_session_on_login

        user_logged_in.connect(stamp_session_on_login, dispatch_uid="spbe-session-stamp")
        from .navigation import NavItem, register

        register(
            NavItem(_("Dashboard"), "core:console-home"),
            NavItem(_("Agencies"), "core:agency-list", perm="core.view_agency", group=_("Organisation")),
        )
