"""The kinds of monitor, each stated once: how its figures are computed, which template
prints them and what its start form offers (docs/monitors.md); the period each reports
on is ``monitoring.models.PERIODS``, who reads a kind monitoring/permissions.py's
``read_permission_of``, and when the schedule makes it ``CELERY_BEAT_SCHEDULE`` in the
settings (monitoring.tasks.monitor_scheduled).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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
    # What the start form says of it, and how many of its recent periods it offers.
    help: Promise
    periods_offered: int


REPORTS: dict[str, Report] = {
    report.kind: report
    for report in (
        Report(
            MonitorKind.MONTH,
            month_figures,
            "monitoring/pdf/month.html",
            _("Operationeel, voor het programmateam."),
            12,
        ),
        Report(
            MonitorKind.QUARTER,
            lambda quarter: monitor_figures(quarter=quarter),
            "monitoring/monitor_pdf.html",
            _("Voor de kernpartners en het PTO-R."),
            8,
        ),
        Report(
            MonitorKind.HALF_YEAR,
            half_year_figures,
            "monitoring/pdf/half_year.html",
            _("Trends en doorlooptijden, voor het PTO-R en het Directeurenoverleg."),
            6,
        ),
        Report(
            MonitorKind.EFFECT,
            effect_monitor_figures,
            "monitoring/pdf/effect.html",
            _("Effecten per casus, in totalen, met de analisten van het AcVZ."),
            5,
        ),
    )
}
