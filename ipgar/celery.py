"""The Celery app. Workers and beat start with ``celery -A ipgar worker|beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipgar.settings.dev")

app = Celery("ipgar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
