"""Background jobs of the monitoring app: the monitors, the daily reminders
and notification e-mails. Each task takes primary keys or nothing, calls one
service, and owns its retries and time limits."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from audit.history import history_context

from .models import PERIODS, MonitorKind
from .services.monitors import (
    MONITOR_TIME_LIMIT_EXCEEDED,
    monitor_fail,
    monitor_render,
    monitor_request,
)
from .services.notifications import notifications_email_pending
from .services.reminders import reminders_send

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the mail server was briefly away.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

# A monitor renders in about 15 s at 10,000 cases (README, Performance): ten minutes
# leave room for a far larger approach on a loaded machine, and stay well within the
# broker's visibility timeout (IPGAR_BROKER_VISIBILITY_TIMEOUT), so a running render is
# never handed to a second worker.
MONITOR_SOFT_TIME_LIMIT = 10 * 60
MONITOR_TIME_LIMIT = MONITOR_SOFT_TIME_LIMIT + 60


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=MONITOR_SOFT_TIME_LIMIT,
    time_limit=MONITOR_TIME_LIMIT,
)
def monitor_generate(self, monitor_id: int) -> str:
    """Render one requested monitor run. Idempotent: a run that is done stays done
    (a redelivered or retried message changes nothing)."""
    try:
        with history_context(job="monitoring.monitor_generate"):
            monitor = monitor_render(monitor_id=monitor_id)
    except SoftTimeLimitExceeded:
        monitor_fail(monitor_id=monitor_id, error=MONITOR_TIME_LIMIT_EXCEEDED)
        raise
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            monitor_fail(monitor_id=monitor_id, error=str(error) or type(error).__name__)
        raise
    return monitor.status


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def monitor_scheduled(kind: str) -> int:
    """At the start of a period: the ``kind`` monitor of the period that just ended. Two
    beat processes, or a redelivery, find the same run (its id derives from the kind and
    the period)."""
    period = PERIODS[kind].of(timezone.localdate()).previous()
    monitor = monitor_request(kind=kind, period=period, by=None, scheduled=True)
    return monitor.pk


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def monitor_quarterly() -> int:
    """At the start of a quarter: the kwartaalmonitor of the quarter that just ended."""
    return monitor_scheduled(MonitorKind.QUARTER)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=20 * 60,
    time_limit=21 * 60,
)
def reminders_daily() -> int:
    """Every morning: remind everyone of what is due or overdue. Safe to repeat."""
    with history_context(job="monitoring.reminders_daily"):
        return reminders_send(on=timezone.localdate())


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def notifications_email(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications if still pending."""
    return notifications_email_pending(ids=notification_ids)
