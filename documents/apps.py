from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documenten")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (follows the cases app: docs in receivers.py)
