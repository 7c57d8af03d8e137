"""No Docker engine runs here, so the production stack is checked by reading it."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat", "migrate")


def test_every_production_service_is_there():
    assert {"postgres", "redis", "web", "worker", "beat", "clamav"} <= set(SERVICES)


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
    assert required == {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "DOCUMENTS_ENCRYPTION_KEY",
    }
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "ipgar.settings.production"
        assert required <= set(environment), name
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379")


def test_data_lives_in_named_volumes():
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata", "media", "clamav"}
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


def _database_user(url: str) -> str:
    return url.split("://", 1)[1].split(":", 1)[0]


def test_only_the_migration_connects_as_the_owner_role():
    """Web, worker and beat connect as the application role, which owns nothing and may only
    read and append to the access log (README "Database roles"); migrate as the owner."""
    assert _database_user(SERVICES["migrate"]["environment"]["DATABASE_URL"]) == "ipgar_owner"
    for name in ("web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        assert _database_user(environment["DATABASE_URL"]) == "ipgar_app", name
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["DATABASE_APP_ROLE"] == "ipgar_app", name


def test_the_database_container_makes_both_roles_with_the_script_the_tests_run():
    postgres = SERVICES["postgres"]
    assert postgres["environment"]["POSTGRES_USER"] == "postgres"
    mounted = [v.split(":")[0] for v in postgres["volumes"]]
    assert "./docker/postgres/10-ipgar-roles.sh" in mounted
    script = (ROOT / "docker/postgres/10-ipgar-roles.sh").read_text()
    for role in ("ipgar_owner", "ipgar_app"):
        assert re.search(rf"CREATE ROLE {role} LOGIN NOSUPERUSER", script), role
    # scripts/test makes its roles with the same file, so a broken script fails every run.
    assert "docker/postgres/10-ipgar-roles.sh" in (ROOT / "scripts/test").read_text()


def test_the_scanner_runs_with_its_own_freshclam_and_the_app_knows_where():
    assert SERVICES["clamav"]["image"].startswith("clamav/clamav:")
    assert "clamav:/var/lib/clamav" in SERVICES["clamav"]["volumes"]
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["CLAMD_ADDRESS"] == "clamav:3310"
