from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebscanConfig(AppConfig):
    name = "spbe.webscan"
    verbose_name = _("Judol scanner")
