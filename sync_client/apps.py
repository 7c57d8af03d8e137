from django.apps import AppConfig


class SyncClientConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sync_client"
    verbose_name = "Sync client (dev, test and benchmark settings only)"
