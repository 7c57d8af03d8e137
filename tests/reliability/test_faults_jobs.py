"""Faults under the background jobs: Redis stopped while the daily reminder job
runs, and a worker killed while it renders a kwartaalmonitor.

Both start real Celery worker processes on a Redis of the test's own (see
test_faults.py), so they carry the ``faults`` marker and run alone after the
parallel run. The workers are the application's own ``celery -A ipgar worker``,
started from a short script that changes only what the test needs to observe
or to make happen quickly: e-mails are written to files (the test settings'
in-memory outbox is invisible from another process), the broker's visibility
timeout is seconds instead of an hour (so an unacknowledged message comes back
while the test waits), and the step under test is made slow enough to hit.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from cases.selectors.deadlines import deadlines
from ipgar.celery import app as celery_app
from kernel.quarters import Quarter
from monitoring.models import Monitor, Notification
from monitoring.services.monitors import monitor_request
from monitoring.tasks import monitor_generate
from tests.conftest import ROOT, _run_env, _test_database_url
from tests.factories import CaseFactory, MeetingFactory, RegisseurFactory, UserFactory

from .test_faults import Redis, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    # Jobs go to a real worker: the test settings' eager mode does not apply.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

# Seconds, not the test settings' hour: a message a worker took but never
# acknowledged is handed out again this soon, and the sweep looks every second.
VISIBILITY_TIMEOUT = 4
TRANSPORT_OPTIONS = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "max_retries": 2,
}

# The worker process: the test settings with the changes named in the module
# docstring, then the ordinary worker command line.
WORKER_SCRIPT = f"""
import os, sys, time
import django
django.setup()
from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

MAIL_DELAY = float(os.environ["FAULTS_MAIL_DELAY"])
RENDER_DELAY = float(os.environ["FAULTS_RENDER_DELAY"])

class SlowFileMail(EmailBackend):
    def write_message(self, message):
        time.sleep(MAIL_DELAY)
        super().write_message(message)
        self.stream.flush()

sys.modules["__main__"].SlowFileMail = SlowFileMail
settings.EMAIL_BACKEND = "__main__.SlowFileMail"
settings.EMAIL_FILE_PATH = os.environ["FAULTS_MAIL_DIR"]

from monitoring.services import monitors
_render = monitors.monitor_pdf
def slow_render(**kwargs):
    time.sleep(RENDER_DELAY)
    return _render(**kwargs)
monitors.monitor_pdf = slow_render

from ipgar.celery import app
app.conf.broker_transport_options = {TRANSPORT_OPTIONS!r}
app.worker_main(["worker", "--pool", "solo", "--without-mingle", "--without-gossip",
                 "--loglevel", "INFO", "--hostname", os.environ["FAULTS_WORKER_NAME"]])
"""


@pytest.fixture
def redis(tmp_path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    yield server
    if server.answers():
        server.stop()


class Workers:
    """Starts workers of the application on the test's database and Redis; every
    worker appends to one log, so the test can count the task's deliveries."""

    def __init__(self, redis: Redis, directory: Path) -> None:
        self.redis = redis
        self.mail_dir = directory / "mail"
        self.mail_dir.mkdir()
        self.log = directory / "workers.log"
        self.processes: list[subprocess.Popen] = []

    def start(self, *, mail_delay: float = 0.0, render_delay: float = 0.0) -> subprocess.Popen:
        env = _run_env(
            DJANGO_SETTINGS_MODULE="ipgar.settings.test",
            PYTEST_XDIST_WORKER="gw0",
            DATABASE_URL=_test_database_url(),
            REDIS_URL=self.redis.url,
            CACHE_URL=self.redis.broker_url.replace("redis://", "rediscache://"),
            FAULTS_MAIL_DIR=str(self.mail_dir),
            FAULTS_MAIL_DELAY=str(mail_delay),
            FAULTS_RENDER_DELAY=str(render_delay),
            PYTHONUNBUFFERED="1",
            FAULTS_WORKER_NAME=f"faults-jobs-{len(self.processes)}-{os.getpid()}@%h",
        )
        with self.log.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-c", WORKER_SCRIPT],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def task_ids(self, task: str, outcome: str) -> list[str]:
        """The ids of the messages of ``task`` the workers logged as received (or succeeded)."""
        pattern = rf"Task {re.escape(task)}\[([0-9a-f-]+)\] {outcome}"
        return re.findall(pattern, self.log_text())

    def runs(self, task: str, outcome: str) -> int:
        return len(self.task_ids(task, outcome))

    def emails(self) -> list[email.message.EmailMessage]:
        """Every e-mail the workers wrote (the file backend separates them by a rule)."""
        rule = b"\n" + b"-" * 79 + b"\n"
        return [
            email.message_from_bytes(chunk, policy=email.policy.default)
            for path in sorted(self.mail_dir.iterdir())
            for chunk in path.read_bytes().split(rule)
            if chunk.strip()
        ]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def workers(redis, tmp_path) -> Iterator[Workers]:
    pool = Workers(redis, tmp_path)
    yield pool
    pool.stop_all()


def enqueue(redis: Redis, task: str, args: tuple = ()) -> None:
    with celery_app.connection_for_write(
        redis.broker_url, transport_options=TRANSPORT_OPTIONS
    ) as conn:
        celery_app.send_task(task, args=args, connection=conn)


# --- Redis stopped while the reminders go out -------------------------------------------


def overdue_uvo_case(n: int):
    """A phase-2 case whose UVO is overdue, directed by a regisseur with an address."""
    today = timezone.localdate()
    regisseur = RegisseurFactory(user=UserFactory(email=f"regisseur-{n}@example.org"))
    a_year_ago = today - datetime.timedelta(days=365)
    case = CaseFactory(phase2=True, regisseur=regisseur, phase_since=a_year_ago)
    MeetingFactory(case=case, kind="eerste_uvo", held_on=today - datetime.timedelta(days=300))
    MeetingFactory(case=case, held_on=today - datetime.timedelta(days=90))
    return case


def expected_reminders() -> list[tuple[int, str, datetime.date]]:
    return sorted(
        (user_id, item.key, item.due_on)
        for item in deadlines(on=timezone.localdate())
        for user_id in item.responsible_user_ids
    )


def reminders_stored() -> list[tuple[int, str, datetime.date]]:
    return sorted(Notification.objects.values_list("user_id", "item_key", "due_on"))


REMINDERS = "monitoring.tasks.reminders_daily"


def test_redis_stopped_while_reminders_go_out_loses_and_doubles_none(redis, workers):
    for n in range(6):
        overdue_uvo_case(n)
    first_items = expected_reminders()
    assert len(first_items) >= 6
    workers.start(mail_delay=0.2)  # the e-mails take seconds: time to stop Redis among them
    enqueue(redis, REMINDERS)

    # The notifications are stored, the first e-mails are out: now Redis goes away.
    wait_for(lambda: workers.emails(), seconds=180, what="the job's first e-mails")
    assert len(workers.emails()) < len(first_items)
    assert not Notification.objects.filter(email_status=Notification.EmailStatus.SENT).exists()
    redis.stop()

    # The job does not need Redis for its own work: it finishes, but cannot
    # acknowledge its message to a broker that is gone.
    wait_for(
        lambda: (
            not Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).exists()
        ),
        seconds=120,
        what="the job to finish the e-mails while Redis is down",
    )
    redis.start()

    # Between two runs a new item falls due; the next morning's run is queued.
    overdue_uvo_case(99)
    all_items = expected_reminders()
    assert len(all_items) > len(first_items)
    enqueue(redis, REMINDERS)

    # The message of the interrupted run was never acknowledged: it comes back
    # once the visibility timeout passes, and runs again, as does the new one.
    wait_for(
        lambda: workers.runs(REMINDERS, "succeeded") >= 3,
        seconds=180,
        what="the interrupted run to be delivered again and the next run to finish",
    )
    deliveries = Counter(workers.task_ids(REMINDERS, "received"))
    assert sorted(deliveries.values()) == [1, 2], workers.log_text()[-3000:]

    # Exactly one notification per person and item, and exactly one e-mail each.
    assert reminders_stored() == all_items
    assert not Notification.objects.exclude(email_status=Notification.EmailStatus.SENT).exists()
    sent = Counter((str(m["To"]), str(m["Subject"])) for m in workers.emails())
    expected = Counter(
        (n.user.email, f"ipgar: {n.message}") for n in Notification.objects.select_related("user")
    )
    assert sent == expected
    assert set(sent.values()) == {1}


# --- A worker killed while it renders the monitor ----------------------------------------

MONITOR = "monitoring.tasks.monitor_generate"


@pytest.fixture
def through_the_broker() -> Iterator[None]:
    """The button's task goes to the broker, not run in-process as the test settings do."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def media_root(tmp_path, settings, monkeypatch) -> Path:
    """Stored PDFs go to a throwaway folder, also for the workers started after this."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    return root


def test_a_worker_killed_mid_monitor_is_redelivered_and_completes_once(
    media_root, workers, redis, through_the_broker, monkeypatch
):
    for _ in range(6):
        CaseFactory(phase2=True)
    first = workers.start(render_delay=3.0)
    with celery_app.connection_for_write(
        redis.broker_url, transport_options=TRANSPORT_OPTIONS
    ) as conn:
        # As the programme team's button starts it, published on the test's Redis.
        original = monitor_generate.apply_async
        monkeypatch.setattr(
            monitor_generate,
            "apply_async",
            lambda *args, **kwargs: original(*args, connection=conn, **kwargs),  # type: ignore[call-arg]
        )
        monitor = monitor_request(period=Quarter(2026, 3), by=None, run_id=uuid.uuid4())

    wait_for(
        lambda: Monitor.objects.get(pk=monitor.pk).status == Monitor.Status.RUNNING,
        seconds=180,
        what="the first worker to start rendering",
    )
    first.send_signal(signal.SIGKILL)  # mid-render: no ack, no clean shutdown
    first.wait(timeout=30)
    assert Monitor.objects.get(pk=monitor.pk).status == Monitor.Status.RUNNING
    assert not list(media_root.rglob("*.pdf"))

    workers.start()
    wait_for(
        lambda: Monitor.objects.get(pk=monitor.pk).is_finished,
        seconds=180,
        what="the redelivered task to finish the monitor",
    )
    # And it stays finished: no later delivery of the same message makes another.
    wait_for(
        lambda: workers.runs(MONITOR, "succeeded") >= 1,
        seconds=60,
        what="the second worker's log of the task",
    )

    # One message, delivered to the killed worker and again to the new one.
    assert list(Counter(workers.task_ids(MONITOR, "received")).values()) == [2]
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE, monitor.error
    assert Monitor.objects.count() == 1 and monitor.version == 1
    pdfs = list(media_root.rglob("*.pdf"))
    assert [p.name for p in pdfs] == [monitor.download_name]
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    assert monitor.figures["summary"]["open_cases"] == 6
    # PTO-R is told once per version, however often the task ran.
    keys = Counter(Notification.objects.values_list("item_key", "user_id"))
    assert set(keys.values()) <= {1}
