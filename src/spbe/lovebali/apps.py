from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoveBaliConfig(AppConfig):
    """The public Love Bali site for tourists, in eight languages (catalogs in ./locale)."""

    name = "spbe.lovebali"
    verbose_name = _("Love Bali (public site)")

    def ready(self):
        from spbe.core import portal

        portal.register(portal.PublicService(
            _("Love Bali tourist levy"),
            _("Foreign tourists pay the Bali tourist levy online, get a QR voucher and ask the assistant in eight languages."),
            "lovebali:home", _("Pay or check the levy"), order=10))
