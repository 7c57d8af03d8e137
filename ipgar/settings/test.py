"""Test settings: always a real PostgreSQL and Redis, started by scripts/test.

CI never tests on SQLite: DATABASE_URL must point at PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, IPGAR_BROKER_VISIBILITY_TIMEOUT, STATIC_ROOT
from .env import database_config, require

SECRET_KEY = "test-only-key-" + "x" * 50
DATABASES = {"default": {**DATABASES["default"], **database_config(require("DATABASE_URL"))}}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Tests run on PostgreSQL only: set DATABASE_URL to postgres://...")
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Each pytest-xdist worker gets its own Redis database, so brokers, broadcasts
# (kombu prefixes fanout channels with the db) and caches never cross.
_xdist_index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"{require('REDIS_URL').rstrip('/').rsplit('/', 1)[0]}/{1 + _xdist_index % 15}"
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": IPGAR_BROKER_VISIBILITY_TIMEOUT,
    "max_retries": 2,
}
# Tests run tasks in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise scans STATIC_ROOT at start-up; tests never collect static files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The demo and synthetic data (sampledata/) and the API's sync client (sync_client/, an app
# for its sync_mirror command): never in production.
IPGAR_SAMPLE_DATA = True
INSTALLED_APPS = [*INSTALLED_APPS, "sampledata", "sync_client"]

# A fixed key for the test run only (documents/crypto.py); production requires its own.
DOCUMENTS_ENCRYPTION_KEY = ["dGVzdC1vbmx5LWtleS1pcGdhci1kb2N1bWVudHMtMzI="]
# scripts/test starts a real clamd on loopback and passes its address.
CLAMD_ADDRESS = os.environ.get("CLAMD_ADDRESS", "")
CLAMD_TIMEOUT_SECONDS = 30.0
# Encrypted document files of the test run: in its own folder, removed with the run.
DOCUMENTS_ROOT = Path(os.environ.get("IPGAR_TEST_RUN_DIR") or tempfile.gettempdir()) / "documents"
# qsessions, with the test client's address on sessions made by force_login
# (tests/session_engine.py).
SESSION_ENGINE = "tests.session_engine"
# Each test process serves its own requests: its per-process cache holds sessions and the
# signed-in user as Redis does in production (accounts/signed_in.py).
IPGAR_SINGLE_PROCESS_CACHE = True
