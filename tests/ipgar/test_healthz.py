"""/healthz names the failing part and leaks no setting."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ipgar.celery import app as celery_app

pytestmark = pytest.mark.django_db


def get_health(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthy_when_database_broker_and_a_worker_answer(client, celery_worker_process):
    status, body = get_health(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "up", "broker": "up", "worker": "up"}}


def test_names_the_worker_when_no_worker_runs(client):
    status, body = get_health(client)
    assert status == 503
    assert body["checks"] == {"database": "up", "broker": "up", "worker": "down"}
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
