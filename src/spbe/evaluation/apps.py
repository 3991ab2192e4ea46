from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "spbe.evaluation"
    verbose_name = _("SPBE evaluation")
