from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PtorConfig(AppConfig):
    name = "ptor"
    verbose_name = _("PTO-R")
