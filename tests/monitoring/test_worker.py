"""The monitor task through a real Celery worker process on the test Redis."""

from __future__ import annotations

import time
import uuid

import pytest

from ipgar.celery import app as celery_app
from kernel.quarters import Quarter
from monitoring.models import Monitor
from monitoring.services.monitors import monitor_request
from tests.factories import CaseFactory

WAIT_SECONDS = 120


@pytest.fixture
def through_the_broker():
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_monitor(
    media_root, programme_team_member, through_the_broker, celery_worker_process
):
    for _ in range(6):
        CaseFactory(phase2=True)
    monitor = monitor_request(
        period=Quarter(2026, 3), by=programme_team_member, run_id=uuid.uuid4()
    )
    assert monitor.status == Monitor.Status.QUEUED  # the web request does not wait

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        monitor.refresh_from_db()
        if monitor.is_finished:
            break
        time.sleep(0.5)
    assert monitor.status == Monitor.Status.DONE, monitor.error
    assert (media_root / monitor.pdf.name).read_bytes().startswith(b"%PDF")
    assert monitor.figures["summary"]["open_cases"] == 6
    assert monitor.render_seconds is not None
