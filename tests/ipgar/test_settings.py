"""Settings come from the environment; production refuses unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

import pytest

from tests.conftest import ROOT

GOOD_PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "ipgar.settings.production",
    "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2,
    "ALLOWED_HOSTS": "ipgar.example.org",
    "DATABASE_URL": "postgres://ipgar:secret@db.example.org:5432/ipgar",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "DOCUMENTS_ENCRYPTION_KEY": "dGVzdC1vbmx5LWtleS1pcGdhci1kb2N1bWVudHMtMzI=",
}


def run_manage(env_overrides: Mapping[str, str | None], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD_PRODUCTION_ENV
        and k not in ("DEBUG", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["IPGAR_NO_DOTENV"] = "1"
    env.update({key: value for key, value in env_overrides.items() if value is not None})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_with_production_settings_prints_no_warning():
    result = run_manage(GOOD_PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DOCUMENTS_ENCRYPTION_KEY"],
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = run_manage({**GOOD_PRODUCTION_ENV, missing: None}, "check")
    assert result.returncode != 0
    assert f"Environment variable {missing} is required" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", "short"),
        ("DATABASE_URL", "sqlite:////tmp/x.sqlite3"),
        ("DATABASE_URL", "not a url"),
    ],
)
def test_production_refuses_a_malformed_variable_naming_it(variable, value):
    result = run_manage({**GOOD_PRODUCTION_ENV, variable: value}, "check")
    assert result.returncode != 0
    assert f"Environment variable {variable}" in result.stderr


def test_production_refuses_debug():
    result = run_manage({**GOOD_PRODUCTION_ENV, "DEBUG": "1"}, "check")
    assert result.returncode != 0
    assert "DEBUG must not be on in production" in result.stderr


def test_debug_is_off_unless_asked_for():
    script = (
        "from django.conf import settings;"
        "print(settings.DEBUG, settings.TIME_ZONE, settings.LANGUAGE_CODE)"
    )
    result = run_manage(
        {"DJANGO_SETTINGS_MODULE": "ipgar.settings.dev"}, "shell", "-v", "0", "-c", script
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Europe/Amsterdam", "nl"]


def test_english_is_available_besides_dutch(settings):
    assert [code for code, _ in settings.LANGUAGES] == ["nl", "en"]
