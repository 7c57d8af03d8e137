"""The kinds of monitor, each stated once: what it reports on (its period), how its
figures are computed and which template prints them (docs/monitors.md). Who reads a
kind is monitoring/permissions.py's ``read_permission_of``; when the schedule makes
it, ``CELERY_BEAT_SCHEDULE`` in the settings (monitoring.tasks.monitors_scheduled).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .figures.effect import effect_monitor_figures
from .figures.halfyear import half_year_figures
from .figures.month import month_figures
from .models import MonitorKind
from .selectors import monitor_figures


@dataclasses.dataclass(frozen=True)
class Report:
    kind: MonitorKind
    figures: Callable[[Any], dict[str, Any]]
    template: str


REPORTS: dict[str, Report] = {
    report.kind: report
    for report in (
        Report(MonitorKind.MONTH, month_figures, "monitoring/pdf/month.html"),
        Report(
            MonitorKind.QUARTER,
            lambda quarter: monitor_figures(quarter=quarter),
            "monitoring/monitor_pdf.html",
        ),
        Report(MonitorKind.HALF_YEAR, half_year_figures, "monitoring/pdf/half_year.html"),
        Report(MonitorKind.EFFECT, effect_monitor_figures, "monitoring/pdf/effect.html"),
    )
}
