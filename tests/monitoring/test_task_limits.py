"""No task outlives the broker's visibility timeout: with acks_late on Redis, a task
still running when the timeout passes is handed to a second worker (a second monitor
version, a second e-mail). Checked with the production settings, in their own process."""

from __future__ import annotations

import json

from monitoring.tasks import MONITOR_SOFT_TIME_LIMIT, MONITOR_TIME_LIMIT, monitor_generate
from tests.ipgar.test_settings import GOOD_PRODUCTION_ENV, run_manage

LIMITS = """
import json
from django.conf import settings
from ipgar.celery import app
app.loader.import_default_modules()
print(json.dumps({
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "tasks": {
        name: task.time_limit or app.conf.task_time_limit
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    },
}))
"""


def test_every_task_stops_before_the_broker_hands_it_out_again():
    result = run_manage(GOOD_PRODUCTION_ENV, "shell", "-c", LIMITS)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["acks_late"]
    limits = found["tasks"]
    assert "monitoring.tasks.monitor_generate" in limits
    assert all(limits.values()), f"tasks without a hard time limit: {limits}"
    longest = max(limits, key=limits.get)
    assert limits[longest] < found["visibility_timeout"], (
        f"{longest} may run {limits[longest]} s, longer than the visibility timeout "
        f"({found['visibility_timeout']} s)"
    )


def test_the_monitor_task_is_stopped_softly_first_then_hard():
    assert monitor_generate.soft_time_limit == MONITOR_SOFT_TIME_LIMIT
    assert monitor_generate.time_limit == MONITOR_TIME_LIMIT
    assert MONITOR_SOFT_TIME_LIMIT < MONITOR_TIME_LIMIT
    assert monitor_generate.acks_late
