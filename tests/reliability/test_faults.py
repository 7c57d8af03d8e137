"""Faults while the application runs: the database restarted under a running web
server, Redis (broker and cache) stopped and started again under a running web
server and worker.

These tests stop and start servers, so they carry the ``faults`` marker and
scripts/test runs them on their own, one at a time, after the parallel run
(never alongside other tests). The Redis tests start a Redis of their own on a
free port, so the shared one is never touched."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from cases.models import Person
from ipgar.celery import app as celery_app
from tests.conftest import ROOT, _run_env, _test_database_url, sign_in
from tests.factories import CaseFactory, PersonFactory, UserFactory

from .conftest import with_role

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    # Jobs are sent to a real worker: the test settings' eager mode does not apply.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

LONG_AGO = datetime.date(2015, 1, 5)  # an exit whose retention period ended long ago


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Any, *, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what} after {seconds} s")


def get(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310  (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, OSError):  # refused, reset or timed out: no answer
        return 0, ""


def session_cookie_of_programme_team() -> str:
    client = Client()
    sign_in(client, with_role(UserFactory(), Role.PROGRAMME_TEAM))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


# --- PostgreSQL restarted ---------------------------------------------------------------


def pg_ctl(*args: str) -> None:
    command = [f"{os.environ['PG_BIN']}/pg_ctl", "-D", os.environ["PG_DATA"], *args]
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603


@pytest.fixture
def production_connections() -> Iterator[None]:
    """Persistent connections with health checks, as production runs them (the test
    settings close every connection after each request, which would hide the fault)."""
    db = connection.settings_dict
    saved = db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]
    db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = 600, True
    yield
    db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = saved


def test_the_web_recovers_from_a_database_restart_by_itself(production_connections, live_server):
    case = CaseFactory(number="R-HERSTART")
    cookie = session_cookie_of_programme_team()
    url = live_server.url + reverse("cases:list")

    status, page = get(url, cookie)
    assert (status, case.number in page) == (200, True)  # the server's connection is open now

    pg_ctl("restart", "-m", "fast", "-w", "-l", f"{os.environ['PG_DATA']}/server.log")
    connection.close()  # this test's own connection died with the server too

    # The same server process, not restarted: the health check finds the dead
    # connection and opens a new one; the first request after the restart succeeds.
    status, page = get(url, cookie)
    assert (status, case.number in page) == (200, True)
    status, page = get(live_server.url + reverse("healthz"))
    assert json.loads(page)["checks"]["database"] == "up"


# --- Redis stopped ------------------------------------------------------------------------


class Redis:
    """A Redis of this test's own, with an append-only file so queued jobs survive a
    restart (as the production compose file's volume keeps them)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def broker_url(self) -> str:
        """The database the test settings derive for a process of xdist worker gw0."""
        return f"redis://127.0.0.1:{self.port}/1"

    def start(self) -> None:
        subprocess.run(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.directory), "--appendonly", "yes", "--save", "",
                "--daemonize", "yes", "--pidfile", str(self.directory / "redis.pid"),
                "--logfile", str(self.directory / "redis.log"),
            ],
            check=True,
            timeout=30,
        )  # fmt: skip
        wait_for(self.answers, seconds=15, what="redis to start")

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            [shutil.which("redis-cli") or "redis-cli", "-p", str(self.port), "shutdown"],
            check=False,
            timeout=30,
        )
        wait_for(lambda: not self.answers(), seconds=15, what="redis to stop")

    def answers(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0


@pytest.fixture
def redis(tmp_path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


def spawn(args: list[str], redis: Redis) -> subprocess.Popen:
    """A process of the application on this test's database and this test's Redis,
    configured as production is: Redis as broker and as cache."""
    env = _run_env(
        DJANGO_SETTINGS_MODULE="ipgar.settings.test",
        PYTEST_XDIST_WORKER="gw0",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=redis.url,
        CACHE_URL=redis.broker_url.replace("redis://", "rediscache://"),
        # /healthz must tell of an outage at once here, not from its few-second cache.
        HEALTHZ_CACHE_SECONDS="0",
    )
    return subprocess.Popen(args, cwd=ROOT, env=env)  # noqa: S603


@pytest.fixture
def web(redis) -> Iterator[str]:
    port = free_port()
    process = spawn(
        [sys.executable, "-m", "gunicorn", "ipgar.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
         "--timeout", "60"],
        redis,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(base + reverse("healthz"))[0] != 0, seconds=180, what="the web")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def worker(redis) -> Iterator[subprocess.Popen]:
    process = spawn(
        [sys.executable, "-m", "celery", "-A", "ipgar", "worker", "--pool", "solo",
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING",
         "--hostname", f"faults-{os.getpid()}@%h"],
        redis,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def enqueue(redis: Redis, task: str) -> None:
    with celery_app.connection_for_write(redis.broker_url) as conn:
        celery_app.send_task(task, connection=conn)


def due_person() -> Person:
    return PersonFactory(case=CaseFactory(exited=True, exited_on=LONG_AGO))


def pseudonymised(person: Person) -> bool:
    return Person.objects.get(pk=person.pk).pseudonymised_at is not None


def test_the_web_keeps_serving_while_redis_is_down_and_jobs_resume(redis, web, worker):
    case = CaseFactory(number="R-ZONDER-REDIS")
    cookie = session_cookie_of_programme_team()
    first = due_person()
    enqueue(redis, "cases.tasks.retention_daily")
    wait_for(lambda: pseudonymised(first), seconds=180, what="the worker's first job")
    status, health = get(web + reverse("healthz"))
    assert json.loads(health)["checks"]["broker"] == "up"

    redis.stop()

    # Pages are served from the database; only the health check tells of the outage.
    status, page = get(web + reverse("cases:list"), cookie)
    assert (status, case.number in page) == (200, True)
    status, page = get(web + reverse("cases:detail", kwargs={"pk": case.pk}), cookie)
    assert status == 200
    status, health = get(web + reverse("healthz"))
    assert status == 503
    checks = json.loads(health)["checks"]
    assert (checks["database"], checks["broker"]) == ("up", "down")

    redis.start()

    # The worker reconnects by itself and takes the next job.
    second = due_person()
    enqueue(redis, "cases.tasks.retention_daily")
    wait_for(lambda: pseudonymised(second), seconds=180, what="the job queued after the outage")
    status, health = get(web + reverse("healthz"))
    assert json.loads(health)["checks"]["broker"] == "up"


def test_a_job_queued_before_the_outage_is_not_lost(redis):
    """Queued while no worker runs, Redis restarted, then a worker starts: the job
    survived in Redis and runs once."""
    person = due_person()
    enqueue(redis, "cases.tasks.retention_daily")
    redis.stop()
    redis.start()

    process = spawn(
        [sys.executable, "-m", "celery", "-A", "ipgar", "worker", "--pool", "solo",
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING",
         "--hostname", f"faults-late-{os.getpid()}@%h"],
        redis,
    )  # fmt: skip
    try:
        wait_for(
            lambda: pseudonymised(person),
            seconds=180,
            what="the job queued before the outage",
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
