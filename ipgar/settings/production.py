"""Production settings: PostgreSQL, Redis, Celery workers behind an HTTPS proxy.

Every variable without a safe default is required; a missing or malformed one
stops start-up with a message naming it. `manage.py check --deploy` is clean.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CASE_PAGES_CACHE, IPGAR_BROKER_VISIBILITY_TIMEOUT, STAMPED_LOCAL_CACHE
from .env import database_config, env, keeping_the_client, require

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on in production.")

SECRET_KEY = require("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "Environment variable SECRET_KEY is malformed: use at least 50 random characters."
    )
ALLOWED_HOSTS = require("ALLOWED_HOSTS", cast=list)

_db = database_config(require("DATABASE_URL"))
if _db["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Environment variable DATABASE_URL must point at PostgreSQL.")
DATABASES = {
    "default": {
        **_db,
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    }
}

REDIS_URL = require("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
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

# HTTPS behind a proxy (nginx, a load balancer) that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /healthz is probed over plain HTTP by the orchestrator inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# The master key(s) of the stored documents (documents/crypto.py): never a default.
DOCUMENTS_ENCRYPTION_KEY = require("DOCUMENTS_ENCRYPTION_KEY", cast=list)
