"""Monitor runs (month, quarter, half-year, effect): requested by the programme team
or by the schedule, rendered by a Celery worker, stored as a new version every time.

A run is identified by its ``run_id``: requesting with a run id that exists gives
that run back, and rendering a run that is done changes nothing, so a
resubmitted form, a redelivered message or a retried task never makes a second
version or a second PDF.
"""

from __future__ import annotations

import logging
import time
import uuid
import zlib
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import RuleViolation
from kernel.periods import Period

from ..models import PERIODS, Monitor, MonitorKind
from ..pdf import monitor_pdf
from ..permissions import may_start_monitor
from ..reports import REPORTS
from .notifications import monitor_ready_notify, notifications_email_pending

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise

logger = logging.getLogger(__name__)

MONITOR_ONLY_PROGRAMME_TEAM = _("Alleen het programmateam start een monitor.")
MONITOR_QUARTER_NOT_STARTED = _(
    "Deze periode is nog niet begonnen: er is nog niets te rapporteren."
)
MONITOR_PERIOD_KIND = _("Deze periode past niet bij deze monitor.")
MONITOR_BROKER_DOWN = _(
    "De monitor kan nu niet worden gestart: de takenwachtrij is niet bereikbaar. "
    "Probeer het over enkele minuten opnieuw."
)
MONITOR_TIME_LIMIT_EXCEEDED = _("Het maken van de monitor duurde te lang en is afgebroken.")
MONITOR_FAILED = _("Het maken van de monitor is mislukt: %(error)s")

# Errors after which the task tries again (the database was briefly away).
RETRYABLE = (OperationalError, InterfaceError)
# Run ids of the quarterly schedule derive from the quarter: one scheduled run each.
SCHEDULE_NAMESPACE = uuid.UUID("6f6e0c8e-3f7c-4b5e-9d55-6b1a0e5c2a11")


def scheduled_run_id(period: Period, kind: str = MonitorKind.QUARTER) -> uuid.UUID:
    # The quarterly runs keep the ids they had before there were other kinds.
    name = "quarterly" if kind == MonitorKind.QUARTER else str(kind)
    return uuid.uuid5(SCHEDULE_NAMESPACE, f"{name}:{period.code}")


def monitor_request(
    *,
    period: Period,
    by,
    kind: str = MonitorKind.QUARTER,
    run_id: uuid.UUID | None = None,
    scheduled: bool = False,
) -> Monitor:
    """Request a run of the ``kind`` monitor for ``period`` (a new version) and queue it
    for a worker.

    Call it outside a transaction: the row is committed before the worker is told.
    Raises RuleViolation (the run is recorded as failed) when the broker is down.
    """
    if by is not None and not may_start_monitor(by):
        raise RuleViolation(MONITOR_ONLY_PROGRAMME_TEAM, code="not_programme_team")
    if kind not in REPORTS or not isinstance(period, PERIODS[kind]):
        raise ValidationError(MONITOR_PERIOD_KIND, code="period_kind")
    if period.start > timezone.localdate():
        raise ValidationError(MONITOR_QUARTER_NOT_STARTED, code="quarter_not_started")
    if scheduled:
        run_id = scheduled_run_id(period, kind)
    monitor, created = _monitor_create(
        kind=kind, period=period, by=by, run_id=run_id or uuid.uuid4()
    )
    if created:
        _enqueue(monitor)
    return monitor


@transaction.atomic
def _monitor_create(*, kind: str, period: Period, by, run_id: uuid.UUID) -> tuple[Monitor, bool]:
    if connection.vendor == "postgresql":
        # Serialise the version numbering of one period (SQLite's immediate
        # transactions serialise all writes anyway).
        key = zlib.crc32(f"{kind}:{period.code}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    existing = Monitor.objects.filter(run_id=run_id).first()
    if existing is not None:
        return existing, False
    latest = Monitor.objects.filter(kind=kind, period_code=period.code).aggregate(
        latest=Max("version")
    )
    monitor = Monitor.objects.create(
        kind=kind,
        period_code=period.code,
        version=(latest["latest"] or 0) + 1,
        run_id=run_id,
        requested_by=by,
    )
    return monitor, True


def _enqueue(monitor: Monitor) -> None:
    from ..tasks import monitor_generate  # the task module imports this one

    try:
        monitor_generate.apply_async(args=(monitor.pk,), retry=False)
    except RuleViolation:
        raise
    except Exception as error:
        # Eager mode runs the task inline; only a failure to publish lands here.
        if monitor_refreshed(monitor).status != Monitor.Status.QUEUED:
            raise
        logger.warning("monitor %s not queued: broker unreachable", monitor.pk, exc_info=True)
        monitor_fail(monitor_id=monitor.pk, error=MONITOR_BROKER_DOWN)
        raise RuleViolation(MONITOR_BROKER_DOWN, code="broker_down") from error


def monitor_refreshed(monitor: Monitor) -> Monitor:
    return Monitor.objects.get(pk=monitor.pk)


def monitor_fail(*, monitor_id: int, error: str | _StrPromise) -> Monitor:
    """Record that a run failed, with its error; a run that is done stays done."""
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor_id)
        if monitor.status != Monitor.Status.DONE:
            monitor.status = Monitor.Status.FAILED
            monitor.error = str(error)[:2000] or MONITOR_FAILED % {"error": "?"}
            monitor.save(update_fields=["status", "error"])
    return monitor


def monitor_render(*, monitor_id: int) -> Monitor:
    """Compute the figures, render the PDF and store both on the run; tell its readers.

    Idempotent: a run that is done is returned as it is. Database outages are
    raised for the task to retry; any other error marks the run failed.
    """
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor_id)
        if monitor.status == Monitor.Status.DONE:
            return monitor
        monitor.status = Monitor.Status.RUNNING
        monitor.started_at = timezone.now()
        monitor.error = ""
        monitor.save(update_fields=["status", "started_at", "error"])

    started = time.perf_counter()
    try:
        figures = REPORTS[monitor.kind].figures(monitor.period)
        pdf = monitor_pdf(monitor=monitor, figures=figures)
    except RETRYABLE:
        raise
    except SoftTimeLimitExceeded:
        return monitor_fail(monitor_id=monitor_id, error=MONITOR_TIME_LIMIT_EXCEEDED)
    except Exception as error:
        logger.exception("monitor %s failed", monitor_id)
        reason = str(error) or type(error).__name__
        return monitor_fail(monitor_id=monitor_id, error=MONITOR_FAILED % {"error": reason})
    seconds = time.perf_counter() - started

    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor_id)
        if monitor.status == Monitor.Status.DONE:  # a duplicate delivery finished first
            return monitor
        monitor.pdf.save(monitor.download_name, ContentFile(pdf), save=False)
        monitor.figures = figures
        monitor.status = Monitor.Status.DONE
        monitor.generated_at = timezone.now()
        monitor.render_seconds = round(seconds, 3)
        monitor.error = ""
        monitor.save()
        ids = monitor_ready_notify(monitor=monitor)
        transaction.on_commit(lambda: notifications_email_pending(ids=ids))
    return monitor
