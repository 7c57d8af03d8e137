"""Stuck cases (docs/rules.md R-CASE-11) as the programme team's dashboard lists them:
pseudonymous case numbers, who directs the case, since when it is stuck and how far
the escalation has come; never what it is stuck on (that is case content, read on
the case page, where the read is logged)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import Max, Q

from accounts.models import Organisation
from pool.models import Region

from ..models import OPEN_STATUSES, Escalation, EscalationStatus


@dataclasses.dataclass(frozen=True)
class StuckCase:
    escalation_id: int
    case_id: int
    case_number: str
    regisseur_id: int | None
    regisseur_name: str
    stuck_since: datetime.date
    status: EscalationStatus
    latest_step_on: datetime.date | None

    @property
    def status_label(self) -> str:
        return str(self.status.label)


def stuck_cases(
    *,
    organisation: Organisation | None = None,
    phase: int | None = None,
    region: Region | None = None,
) -> list[StuckCase]:
    """The running escalations of open cases, longest stuck first: one query."""
    condition = Q(case__status__in=OPEN_STATUSES)
    if organisation is not None:
        condition &= Q(case__regisseur__organisation=organisation)
    if phase is not None:
        condition &= Q(case__phase=phase)
    if region is not None:
        condition &= Q(case__region=region)
    rows: Any = (
        Escalation.objects.running()
        .filter(condition)
        .values(
            "pk",
            "case_id",
            "case__number",
            "case__regisseur_id",
            "case__regisseur__user__first_name",
            "case__regisseur__user__last_name",
            "case__regisseur__user__username",
            "stuck_since",
            "status",
        )
        .annotate(latest_step_on=Max("steps__held_on"))
        .order_by("stuck_since", "case__number")
    )
    return [
        StuckCase(
            escalation_id=row["pk"],
            case_id=row["case_id"],
            case_number=row["case__number"],
            regisseur_id=row["case__regisseur_id"],
            regisseur_name=(
                f"{row['case__regisseur__user__first_name'] or ''} "
                f"{row['case__regisseur__user__last_name'] or ''}"
            ).strip()
            or (row["case__regisseur__user__username"] or ""),
            stuck_since=row["stuck_since"],
            status=EscalationStatus(row["status"]),
            latest_step_on=row["latest_step_on"],
        )
        for row in rows
    ]
