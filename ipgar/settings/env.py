"""The one environment reader for all settings modules.

Every variable is read here or in the settings module that needs it, with a
one-line description. Production settings call ``require`` so that a missing or
malformed variable stops start-up with a message naming it.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file next to manage.py is read when present (never committed);
# IPGAR_NO_DOTENV=1 skips it (the tests do, so a developer's file cannot leak in).
if not os.environ.get("IPGAR_NO_DOTENV"):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def require(name: str, cast=str):
    """Read a variable that has no safe default; stop start-up naming it when missing."""
    try:
        value = env.get_value(name, cast=cast)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name} is required in production and is not set."
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc
    if value in ("", None, []):
        raise ImproperlyConfigured(f"Environment variable {name} is set but empty.")
    return value


def database_config(url: str, name: str = "DATABASE_URL") -> dict:
    """Parse a database URL; a URL no Django backend understands stops start-up."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # environ warns, then returns a config without ENGINE
        config = env.db_url_config(url)
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(
            f"Environment variable {name} is malformed: expected e.g. "
            "postgres://user:password@host:5432/name"
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL compiles a query it estimates as costly (JIT). For this application's
        # short queries with correlated look-ups the compilation cost more than the query
        # (57 ms of the 109 ms the deadline selector's case query took at 10,000 cases).
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return config


def keeping_the_client(config: dict) -> dict:
    """A cache configuration (from CACHE_URL) with kernel/cache.py's Redis cache, which
    keeps its Redis client, in place of Django's; any other backend as it is."""
    if config.get("BACKEND") == "django.core.cache.backends.redis.RedisCache":
        return {**config, "BACKEND": "kernel.cache.RedisCache"}
    return config
