"""The monitors pages: the runs of every kind the user may read with their status and
PDF, the programme team's start forms (one per kind), a status fragment that htmx
polls, and the download.

The PDF is never a public media URL: each download is a FileResponse after the
permission check, recorded in the access log.
"""

from __future__ import annotations

import uuid
from typing import Any

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

from ..models import PERIODS, Monitor, MonitorKind
from ..permissions import (
    may_read_monitor_kind,
    may_read_monitors,
    may_start_monitor,
    monitor_kinds_readable_by,
)
from ..reports import REPORTS
from ..selectors import monitor_by_id, monitor_line, monitors_for_list
from ..services.monitors import (
    MONITOR_ONLY_PROGRAMME_TEAM,
    MONITOR_PERIOD_KIND,
    monitor_request,
)

MONITORS_ONLY = _("De monitors zijn voor het programmateam en de leden van het PTO-R.")
MONITOR_KIND_ONLY = _("Deze monitor is alleen voor het programmateam.")
MONITOR_QUEUED = _("%(monitor)s %(period)s (versie %(version)s) wordt gemaakt.")
MONITOR_DOWNLOAD_PURPOSE = "Monitor gedownload."
POLL_SECONDS = 2


def _readers_only(request: HttpRequest) -> None:
    if not may_read_monitors(request.user):
        raise PermissionDenied(MONITORS_ONLY)


def _start_choices() -> list[dict[str, Any]]:
    """Per kind of monitor: its recent periods, newest first, the last finished one
    chosen; each period as its option shows it (code, label, chosen), in plain dicts that
    the template reads by key."""
    today = timezone.localdate()
    choices = []
    for kind, report in REPORTS.items():
        current = PERIODS[kind].of(today)
        default = current.previous()
        choices.append(
            {
                "kind": kind,
                "label": MonitorKind(kind).label,
                "help": report.help,
                "periods": [
                    {"code": period.code, "label": period.label, "chosen": period == default}
                    for period in current.last(report.periods_offered)[::-1]
                ],
                "run_id": uuid.uuid4(),
            }
        )
    return choices


@login_required
@require_GET
def monitor_list(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    monitors = monitors_for_list(kinds=monitor_kinds_readable_by(request.user))
    may_start = may_start_monitor(request.user)
    return render(
        request,
        "monitoring/monitor_list.html",
        {
            "monitors": monitors,
            "may_start": may_start,
            "start_choices": _start_choices() if may_start else [],
            "polling": any(not line["finished"] for line in monitors),
            "poll_seconds": POLL_SECONDS,
        },
    )


@login_required
@require_POST
def monitor_start(request: HttpRequest) -> HttpResponse:
    if not may_start_monitor(request.user):
        raise PermissionDenied(MONITOR_ONLY_PROGRAMME_TEAM)
    # Without a kind: the quarterly monitor (the only kind there was before).
    kind = request.POST.get("kind", MonitorKind.QUARTER)
    try:
        if kind not in REPORTS:
            raise ValidationError(MONITOR_PERIOD_KIND)
        # "quarter": the start form's field before there were other kinds.
        code = request.POST.get("period", request.POST.get("quarter", ""))
        period = PERIODS[kind].parse(code)
        run_id = uuid.UUID(request.POST.get("run_id") or str(uuid.uuid4()))
    except (ValidationError, ValueError) as error:
        messages.error(request, _message(error))
        return redirect("monitoring:monitors")
    try:
        monitor = monitor_request(kind=kind, period=period, by=request.user, run_id=run_id)
    except (ValidationError, RuleViolation) as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            MONITOR_QUEUED
            % {
                "monitor": monitor.get_kind_display(),
                "period": monitor.period,
                "version": monitor.version,
            },
        )
    return redirect("monitoring:monitors")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ValueError):
        return "Ongeldig formulier; laad de pagina opnieuw."
    return str(getattr(error, "message", error))


def _readable_monitor(request: HttpRequest, pk: int) -> Monitor:
    try:
        monitor = monitor_by_id(pk)
    except Monitor.DoesNotExist:
        raise Http404 from None
    if not may_read_monitor_kind(request.user, monitor.kind):
        raise PermissionDenied(MONITOR_KIND_ONLY)
    return monitor


@login_required
@require_GET
def monitor_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's status: a table row for htmx to swap in, or a page without JavaScript."""
    _readers_only(request)
    monitor = _readable_monitor(request, pk)
    context = {"monitor": monitor, "lines": [monitor_line(monitor)], "poll_seconds": POLL_SECONDS}
    if request.headers.get("HX-Request"):
        return render(request, "monitoring/monitor_row.html", context)
    return render(request, "monitoring/monitor_status.html", context)


@login_required
@require_GET
def monitor_download(request: HttpRequest, pk: int) -> FileResponse:
    _readers_only(request)
    monitor = _readable_monitor(request, pk)
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
