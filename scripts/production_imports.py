"""Run by scripts/production-check in the production dependency set, with production settings:
imports every module the web, worker and beat processes can load (every URL, view, admin and
Celery task module, every migration), resolves every URL pattern to its view, and checks that
the sample-data app and the sync client are neither installed nor importable. Exits non-zero
naming what failed."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import django

# The packages a production process may import (the server side of the house).
SERVER_PACKAGES = ("ipgar", "kernel", "accounts", "audit", "pool", "cases", "monitoring", "api")
# Packages that exist only beside the server: never importable under production settings.
NOT_IN_PRODUCTION = ("sampledata", "sync_client")
# Settings modules of other environments: read by their own processes, not by production's.
OTHER_SETTINGS = ("ipgar.settings.dev", "ipgar.settings.test", "ipgar.settings.bench")


def main() -> int:
    django.setup()
    from django.conf import settings
    from django.contrib import admin
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.urls import URLPattern, URLResolver, get_resolver

    failures: list[str] = []
    imported = 0
    for name in SERVER_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if module.name in OTHER_SETTINGS:
                continue
            try:
                importlib.import_module(module.name)
                imported += 1
            except Exception as exc:  # every failure is reported, then exit 1
                failures.append(f"import {module.name}: {type(exc).__name__}: {exc}")

    views = 0

    def walk(patterns: list, prefix: str = "") -> None:
        nonlocal views
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if not callable(pattern.callback):
                    failures.append(f"URL {prefix}{pattern.pattern}: no view")
                views += 1

    walk(get_resolver().url_patterns)

    from ipgar.celery import app as celery_app

    celery_app.loader.import_default_modules()
    tasks = sorted(t for t in celery_app.tasks if t.split(".")[0] in SERVER_PACKAGES)
    if not tasks:
        failures.append("Celery: no task of the project registered")

    if not admin.site._registry:
        failures.append("admin: no model registered")

    for name in NOT_IN_PRODUCTION:
        if name in settings.INSTALLED_APPS:
            failures.append(f"{name} is in INSTALLED_APPS under production settings")
        try:
            importlib.import_module(name)
        except ImportError:
            pass
        else:
            failures.append(f"{name} is importable under production settings")
    for command in ("load_demo_data", "generate_data", "sync_mirror"):
        try:
            call_command(command, "--help")
        except CommandError:
            pass
        except SystemExit:
            failures.append(f"manage.py {command} runs under production settings")
        else:
            failures.append(f"manage.py {command} runs under production settings")

    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    print(
        f"production imports: {imported} modules, {views} URL patterns, "
        f"{len(admin.site._registry)} admin models, {len(tasks)} Celery tasks, "
        f"{len(failures)} failures"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
