"""The kwartaalmonitor pages: the runs with their status and PDF, the programme
team's start button, a status fragment that htmx polls, and the download.

The PDF is never a public media URL: each download is a FileResponse after the
permission check, recorded in the access log.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import AccessLog
from audit.services import access_record
from kernel.errors import RuleViolation
from kernel.quarters import Quarter

from ..models import Monitor
from ..permissions import may_read_monitors, may_start_monitor
from ..selectors import monitor_by_id, monitors_for_list
from ..services.monitors import (
    MONITOR_ONLY_PROGRAMME_TEAM,
    monitor_request,
)

MONITORS_ONLY = _("De kwartaalmonitor is voor het programmateam en de leden van het PTO-R.")
MONITOR_QUEUED = _("De kwartaalmonitor %(quarter)s (versie %(version)s) wordt gemaakt.")
MONITOR_DOWNLOAD_PURPOSE = "Kwartaalmonitor gedownload."
QUARTERS_OFFERED = 8
POLL_SECONDS = 2


def _readers_only(request: HttpRequest) -> None:
    if not may_read_monitors(request.user):
        raise PermissionDenied(MONITORS_ONLY)


def _quarters_offered() -> list[Quarter]:
    """The running quarter and the ones before it, newest first."""
    return Quarter.of(timezone.localdate()).last(QUARTERS_OFFERED)[::-1]


@login_required
@require_GET
def monitor_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    monitors = list(monitors_for_list())
    return render(
        request,
        "monitoring/monitor_list.html",
        {
            "monitors": monitors,
            "may_start": may_start_monitor(request.user),
            "quarters": _quarters_offered(),
            "default_quarter": Quarter.of(timezone.localdate()).previous(),
            "run_id": uuid.uuid4(),
            "polling": any(not m.is_finished for m in monitors),
            "poll_seconds": POLL_SECONDS,
        },
    )


@login_required
@require_POST
def monitor_start(request: HttpRequest) -> HttpResponse:
    if not may_start_monitor(request.user):
        raise PermissionDenied(MONITOR_ONLY_PROGRAMME_TEAM)
    try:
        quarter = Quarter.parse(request.POST.get("quarter", ""))
        run_id = uuid.UUID(request.POST.get("run_id") or str(uuid.uuid4()))
    except (ValidationError, ValueError) as error:
        messages.error(request, _message(error))
        return redirect("monitoring:monitors")
    try:
        monitor = monitor_request(quarter=quarter, by=request.user, run_id=run_id)
    except (ValidationError, RuleViolation) as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request, MONITOR_QUEUED % {"quarter": monitor.period, "version": monitor.version}
        )
    return redirect("monitoring:monitors")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ValueError):
        return "Ongeldig formulier; laad de pagina opnieuw."
    return str(getattr(error, "message", error))


@login_required
@require_GET
def monitor_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's status: a table row for htmx to swap in, or a page without JavaScript."""
    _readers_only(request)
    try:
        monitor = monitor_by_id(pk)
    except Monitor.DoesNotExist:
        raise Http404 from None
    context = {"monitor": monitor, "poll_seconds": POLL_SECONDS}
    if request.headers.get("HX-Request"):
        return render(request, "monitoring/monitor_row.html", context)
    return render(request, "monitoring/monitor_status.html", context)


@login_required
@require_GET
def monitor_download(request: HttpRequest, pk: int) -> FileResponse:
    _readers_only(request)
    try:
        monitor = monitor_by_id(pk)
    except Monitor.DoesNotExist:
        raise Http404 from None
    if monitor.status != Monitor.Status.DONE or not monitor.pdf:
        raise Http404
    access_record(
        user=request.user,
        obj=monitor,
        action=AccessLog.Action.DOWNLOAD,
        request=request,
        purpose=MONITOR_DOWNLOAD_PURPOSE,
    )
    return FileResponse(
        monitor.pdf.open("rb"),
        as_attachment=True,
        filename=monitor.download_name,
        content_type="application/pdf",
    )
