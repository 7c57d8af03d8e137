"""``manage.py`` run as the quick start runs it: the dev settings on a fresh SQLite file
in a folder of its own, with none of the test run's servers. For tests of what only the
SQLite quick start does (the suite itself runs on PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def quick_start_env(var_dir: Path) -> dict[str, str]:
    """The environment of a quick start keeping its SQLite file in ``var_dir``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_")
        and k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL")
    }
    return env | {"DJANGO_SETTINGS_MODULE": "ipgar.settings.dev", "IPGAR_VAR_DIR": str(var_dir)}


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
