from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Toegangslog")

    def ready(self) -> None:
        from . import dbroles

        # Once per migrate (sender=self), after every app's migrations have run.
        post_migrate.connect(dbroles.grant_after_migrate, sender=self, dispatch_uid="audit_grants")
