from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts en organisaties")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the sign-in receivers)
