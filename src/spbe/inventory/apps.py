from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "spbe.inventory"
    verbose_name = _("Asset inventory")

    def ready(self):
        from spbe.core.navigation import NavItem, register
        from spbe.core.roles import Role, register_role_permissions

        register(
            NavItem(_("Applications"), "inventory:asset-list-applications", "inventory.view_application", _("Assets")),
            NavItem(_("Websites"), "inventory:asset-list-websites", "inventory.view_website", _("Assets")),
            NavItem(_("Servers"), "inventory:asset-list-servers", "inventory.view_server", _("Assets")),
        )

        view_all = ["inventory.view_application", "inventory.view_website", "inventory.view_server"]
        register_role_permissions(
            {
                Role.AGENCY_ADMIN: ["inventory.*"],
                Role.AGENCY_STAFF: view_all
                + [
                    "inventory.add_application",
                    "inventory.change_application",
                    "inventory.add_website",
                    "inventory.change_website",
                    "inventory.add_server",
                    "inventory.change_server",
                ],
                Role.SPBE_COORDINATOR: view_all,
                Role.INTERNAL_ASSESSOR: ["inventory.view_application"],
                Role.EXTERNAL_ASSESSOR: ["inventory.view_application"],
                Role.SECURITY_TRIAGER: view_all,
            }
        )
