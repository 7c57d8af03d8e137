"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pgtrigger
import pytest
from django.conf import settings
from django.core.cache import caches
from django.test.testcases import TransactionTestCase
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _flush_may_truncate_the_access_log() -> Iterator[None]:
    """Transactional tests end by truncating every table, and the access log refuses
    TRUNCATE; the test harness, and only it, flushes with that trigger ignored."""
    original = getattr(TransactionTestCase, "_fixture_teardown")  # noqa: B009  (private API)

    def teardown(self: TransactionTestCase) -> None:
        with pgtrigger.ignore("audit.AccessLog:access_log_refuses_truncate"):
            original(self)

    setattr(TransactionTestCase, "_fixture_teardown", teardown)  # noqa: B010
    yield
    setattr(TransactionTestCase, "_fixture_teardown", original)  # noqa: B010


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language (Dutch): a request that asked for English
    leaves it active in the thread (LocaleMiddleware activates, nothing resets), and a
    later test in the same worker would read English labels."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_case_pages() -> None:
    """The case page's body is kept per case revision in the process, and answers
    kept under the data stamp too; a test's rolled-back database must not meet the
    bodies or answers of an earlier test."""
    caches["case_pages"].clear()
    caches["stamped"].clear()


def _run_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(extra)
    return env


@pytest.fixture
def celery_worker_process() -> Iterator[subprocess.Popen]:
    """A real Celery worker process on the test Redis (this xdist worker's db)."""
    from ipgar.celery import app

    env = _run_env(
        DJANGO_SETTINGS_MODULE="ipgar.settings.test",
        PYTEST_XDIST_WORKER=os.environ.get("PYTEST_XDIST_WORKER", "gw0"),
        DATABASE_URL=_test_database_url(),
    )
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ipgar",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                break
            if proc.poll() is not None:
                raise RuntimeError("Celery worker exited during start-up")
        else:
            raise RuntimeError("Celery worker did not answer a ping within 30 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _test_database_url() -> str:
    """The URL of the database pytest-django created for this test process."""
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


def sign_in(client, user) -> None:
    """Sign ``user`` in on the test client with both factors passed."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import BackupCodeDevice

    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Reservecodes", "confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
