"""Benchmark settings: production-like (PostgreSQL, Redis cache and broker, DEBUG
off, persistent connections) but plain HTTP on loopback, plus a trivial view at
/_bench/floor and a response header counting each request's queries.

Used by scripts/benchmark and scripts/loadtest only.
"""

from .base import *  # noqa: F403
from .base import (
    CASE_PAGES_CACHE,
    INSTALLED_APPS,
    IPGAR_BROKER_VISIBILITY_TIMEOUT,
    MIDDLEWARE,
    STAMPED_LOCAL_CACHE,
)
from .env import database_config, env, keeping_the_client, require

# The in-suite load test serves the test database and passes the test settings' key,
# so the sessions it signs in are valid in the served app.
SECRET_KEY = env.str("BENCH_SECRET_KEY", default="bench-only-key-" + "b" * 50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {
    "default": {
        **database_config(require("DATABASE_URL")),
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }
}
REDIS_URL = require("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": IPGAR_BROKER_VISIBILITY_TIMEOUT,
    "max_retries": 2,
}
CACHES = {
    "default": keeping_the_client(
        env.cache("CACHE_URL", default=REDIS_URL.replace("redis://", "rediscache://"))
    ),
    "case_pages": CASE_PAGES_CACHE,
    "stamped": STAMPED_LOCAL_CACHE,
}
ROOT_URLCONF = "benchmarks.urls"
MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *MIDDLEWARE]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The load test signs its virtual users in programmatically; lockout never applies.
AXES_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The demo and synthetic data (sampledata/) and the API's sync client (sync_client/, an app
# for its sync_mirror command): never in production.
IPGAR_SAMPLE_DATA = True
INSTALLED_APPS = [*INSTALLED_APPS, "sampledata", "sync_client"]
