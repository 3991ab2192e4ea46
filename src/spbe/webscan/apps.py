from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebscanConfig(AppConfig):
    name = "spbe.webscan"
    verbose_name = _("Judol scanner")

    def ready(self):
        from spbe.core import workqueue

        from . import queues

        workqueue.register("webscan", queues.tasks)  # "Tugas saya" on the console home
        from spbe.core.demo import register_demo_loader
        from spbe.core.navigation import NavItem, register

        from spbe.core.metrics import register_collector

        from . import metrics
        from .demosites import load_demo

        register_collector(metrics.collect)

        register_demo_loader(load_demo)
        from spbe.core.roles import Role, register_role_permissions

        view = ["webscan.view_finding", "webscan.view_scanrun", "webscan.view_findingevent",
                "webscan.view_alertchannel"]
        manage = ["webscan.manage_finding", "webscan.add_scanrun"]
        register_role_permissions({
            Role.AGENCY_ADMIN: view + manage + ["webscan.add_alertchannel", "webscan.delete_alertchannel"],
            Role.AGENCY_STAFF: view,
            Role.SECURITY_TRIAGER: view + manage,
            Role.SPBE_COORDINATOR: view,
        })
        register(
            NavItem(_("Judol findings"), "webscan:finding-list", "webscan.view_finding", _("Security")),
            NavItem(_("Website scans"), "webscan:scan-list", "webscan.view_scanrun", _("Security")),
        )
