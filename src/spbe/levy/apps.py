from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LevyConfig(AppConfig):
    name = "spbe.levy"
    verbose_name = _("Love Bali levy")

    def ready(self):
        from spbe.core import workqueue

        from . import queues

        workqueue.register("levy", queues.tasks)  # "Tugas saya" on the console home
        from spbe.core.demo import register_demo_loader
        from spbe.core.navigation import NavItem, register
        from spbe.core.roles import Role, register_delegated_grants, register_role_permissions

        from spbe.core.metrics import register_collector

        from . import metrics
        from .demo import load_demo

        register_collector(metrics.collect)

        view = ["levy.view_order", "levy.view_payment", "levy.view_refund", "levy.view_voucher", "levy.view_endpoint",
                "levy.view_exemption", "levy.view_settlementbatch", "levy.view_commissionstatement", "levy.view_checkpointscan"]
        register_role_permissions({
            # Dinas Pariwisata levy officers run the levy; BPD Bali finance staff hold the same
            # role in their own agency record.
            Role.LEVY_OFFICER: view + [
                "levy.add_refund", "levy.change_refund", "levy.change_order", "levy.change_voucher", "levy.review_exemption",
                "levy.review_endpoint", "levy.add_settlementbatch", "levy.add_arrivalcount",
                "levy.add_commissionstatement", "levy.lookup_passport", "levy.add_signingkey", "levy.add_counterpayment", "levy.add_checkpointscan",
            ],
            Role.CHECKPOINT_OFFICER: ["levy.add_checkpointscan", "levy.lookup_passport", "levy.view_voucher"],
            # Only the partner portal: the endpoint is found through Endpoint.partner_agency,
            # never through a model scope (that would open the province's orders).
            Role.PARTNER_ENDPOINT: ["levy.partner_portal"],
        })
        # Levy officers give an approved endpoint's front office its console account.
        register_delegated_grants(Role.LEVY_OFFICER, [Role.PARTNER_ENDPOINT])
        register(
            NavItem(_("Levy dashboard"), "levy:dashboard", "levy.view_order", _("Love Bali")),
            NavItem(_("Orders"), "levy:order-list", "levy.view_order", _("Love Bali")),
            NavItem(_("Refunds"), "levy:refund-list", "levy.view_refund", _("Love Bali")),
            NavItem(_("Refund requests"), "levy:refund-request-list", "levy.view_refund", _("Love Bali")),
            NavItem(_("Exemptions"), "levy:exemption-list", "levy.view_exemption", _("Love Bali")),
            NavItem(_("Endpoints"), "levy:endpoint-list", "levy.view_endpoint", _("Love Bali")),
            NavItem(_("Reconciliation"), "levy:settlement-list", "levy.view_settlementbatch", _("Love Bali")),
            NavItem(_("Checkpoint scanner"), "levy:checkpoint", "levy.add_checkpointscan", _("Love Bali")),
            NavItem(_("Passport lookup"), "levy:lookup", "levy.lookup_passport", _("Love Bali")),
            NavItem(_("My Love Bali Endpoint"), "levy:partner-home", "levy.partner_portal", _("Love Bali")),
        )
        register_demo_loader(load_demo)
