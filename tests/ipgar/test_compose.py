"""No Docker engine runs here, so the production stack is checked by reading it."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat", "migrate")


def test_every_production_service_is_there():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(SERVICES)


def test_commands_start_gunicorn_celery_worker_and_beat():
    assert SERVICES["web"]["command"][:2] == ["gunicorn", "ipgar.wsgi:application"]
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "ipgar", "worker"]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "ipgar", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in SERVICES["beat"]["command"]
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_every_service_has_a_health_check_except_the_one_shot_migration():
    for name, service in SERVICES.items():
        if name == "migrate":
            continue
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name


def test_app_services_get_every_variable_production_settings_require():
    production = (ROOT / "ipgar/settings/production.py").read_text()
    required = set(re.findall(r'require\("([A-Z_]+)"', production))
    assert required == {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"}
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "ipgar.settings.production"
        assert required <= set(environment), name
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379")


def test_data_lives_in_named_volumes():
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata", "media"}
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    for name in APP_SERVICES:
        assert "media:/data/media" in SERVICES[name]["volumes"]
        assert SERVICES[name]["environment"]["MEDIA_ROOT"] == "/data/media"


def test_app_services_wait_for_healthy_database_and_redis():
    for name in ("worker", "beat", "web"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_dockerfile_builds_the_image_the_services_run():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER ipgar" in dockerfile
