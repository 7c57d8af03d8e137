"""/healthz names the failing part, leaks no setting, and probes at most once per interval."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ipgar import health
from ipgar.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_earlier_probe():
    """Each test sees its own probe, not the result an earlier test left in the process."""
    health.health_cache_clear()
    yield
    health.health_cache_clear()


def get_health(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthy_when_database_broker_and_a_worker_answer(client, celery_worker_process):
    status, body = get_health(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "up", "broker": "up", "worker": "up", "scanner": "up"},
    }


def test_names_the_worker_when_no_worker_runs(client):
    status, body = get_health(client)
    assert status == 503
    assert body["checks"] == {
        "database": "up",
        "broker": "up",
        "worker": "down",
        "scanner": "up",
    }
    assert body["failing"] == ["worker"]


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens."""
    original = celery_app.conf["broker_url"]
    celery_app.conf["broker_url"] = "redis://127.0.0.1:9/0"
    try:
        yield
    finally:
        celery_app.conf["broker_url"] = original


def test_names_the_broker_when_redis_is_down_and_leaks_nothing(client, broker_down, settings):
    status, body = get_health(client)
    assert status == 503
    assert body["checks"]["broker"] == "down"
    assert body["checks"]["database"] == "up"
    assert "broker" in body["failing"]
    text = json.dumps(body)
    for secret in ("redis://", "postgres", settings.DATABASES["default"]["NAME"], "127.0.0.1"):
        assert secret not in text


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def probes(monkeypatch):
    """Counts the database and broker probes; both answer "up"."""
    calls = {"database": 0, "broker": 0}

    def database_up() -> bool:
        calls["database"] += 1
        return True

    def broker_up() -> bool:
        calls["broker"] += 1
        return True

    monkeypatch.setattr(health, "_database_up", database_up)
    monkeypatch.setattr(health, "_broker_up", broker_up)
    monkeypatch.setattr(health, "_worker_up", lambda: True)
    return calls


def test_calls_within_the_interval_share_one_probe(client, probes, settings, monkeypatch):
    settings.HEALTHZ_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(health, "_clock", lambda: now[0])

    first = client.get("/healthz")
    now[0] += 4
    second = client.get("/healthz")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert probes == {"database": 1, "broker": 1}

    now[0] += 2  # past the interval: probed afresh
    client.get("/healthz")
    assert probes == {"database": 2, "broker": 2}


def test_names_the_scanner_when_clamd_is_down(client, settings):
    settings.CLAMD_ADDRESS = "127.0.0.1:9"
    status, body = get_health(client)
    assert status == 503
    assert body["checks"]["scanner"] == "down"
    assert "scanner" in body["failing"]
