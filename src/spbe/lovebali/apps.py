from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoveBaliConfig(AppConfig):
    """The public Love Bali site for tourists, in eight languages (catalogs in ./locale)."""

    name = "spbe.lovebali"
    verbose_name = _("Love Bali (public site)")
