"""The half-year monitor: for the PTO-R and the Directeurenoverleg (docs/monitors.md).
The trend over the half-year per kernpartner and per region (open cases at each
month's end, inflow and outflow per month), lead times (notification letter to the
first UVO and to the first adopted plan, time per phase, time in the approach), exits
by ground, stuck cases and doorbraakoverleggen. Counted as the approach stood at the
end of each month (monitoring/figures/asof.py). Aggregates only; every breakdown is
suppressed as a whole table (monitoring/suppression.py), and a lead time over fewer
than five cases shows no median or mean.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation
from cases.models import (
    Assignment,
    Case,
    Escalation,
    EscalationStep,
    Meeting,
    PhaseTransition,
    PlanVersion,
)
from cases.selectors.deadlines import UVO_KINDS
from cases.selectors.figures import exit_ground_labels
from kernel.periods import HalfYear
from pool.models import Region, Regisseur

from ..selectors import PHASES, SUPPRESSION_THRESHOLD
from ..suppression import Table, columns_published, shown, suppress_column, suppress_table
from .asof import cases_open_on, exits_between, first_dates


def half_year_figures(half: HalfYear) -> dict[str, Any]:
    reference = min(half.end, timezone.localdate())
    months = [month for month in half.months() if month.start <= reference]
    organisation_of = dict(Regisseur.objects.values_list("pk", "organisation_id"))
    organisations = dict(Organisation.objects.values_list("pk", "name"))
    regions = dict(Region.objects.values_list("pk", "name"))
    trend = []
    for month in months:
        day = min(month.end, reference)
        cases = cases_open_on(day)
        by_partner = Counter(
            organisation_of.get(case.regisseur_id) if case.regisseur_id else None
            for case in cases.values()
        )
        by_region = Counter(case.region_id for case in cases.values())
        trend.append(
            {
                "month": month.code,
                "label": month.label,
                "short_label": month.short_label,
                "open_cases": len(cases),
                "inflow": Case.objects.filter(registered_on__range=(month.start, day)).count(),
                "outflow": Case.objects.filter(exited_on__range=(month.start, day)).count(),
                "per_kernpartner": {
                    organisations[pk]: n for pk, n in by_partner.items() if pk is not None
                },
                "per_region": {regions[pk]: n for pk, n in by_region.items()},
            }
        )
    labels = exit_ground_labels()
    exits = exits_between(half.start, reference)
    return {
        "period": {"code": half.code, "start": half.start.isoformat(), "end": half.end.isoformat()},
        "reference_date": reference.isoformat(),
        "trend": [_totals(row) for row in trend],
        "kernpartners": _table(trend, "per_kernpartner", sorted(organisations.values())),
        "regions": _table(trend, "per_region", sorted(regions.values())),
        "lead_times": _lead_times(half.start, reference),
        "exits": {
            "total": sum(exits.values()),
            "by_ground": _column(
                [(labels[ground], n) for ground, n in sorted(exits.items(), key=_ground_order)],
                total=sum(exits.values()),
            ),
        },
        "escalations": _escalations(half.start, reference),
        "exits_per_kernpartner": _exits_per_partner(
            half.start, reference, organisation_of, organisations
        ),
    }


def _totals(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("month", "label", "short_label", "open_cases", "inflow", "outflow")
    return {key: row[key] for key in keys}


def _ground_order(item: tuple[str | None, int]) -> str:
    return item[0] or "~"


def _table(trend: list[dict[str, Any]], key: str, names: list[str]) -> list[dict[str, Any]]:
    """Per kernpartner or region, its open cases at each month's end, suppressed as one
    table against the month totals printed above it (docs/rules.md R-MON-4)."""
    names = [name for name in names if any(row[key].get(name, 0) for row in trend)]
    if not names:
        return []
    cells = [[row[key].get(name, 0) for row in trend] for name in names]
    table = suppress_table(
        Table(
            cells,
            row_totals=False,
            column_totals=False,
            published_columns=columns_published(cells, [row["open_cases"] for row in trend]),
        )
    )
    return [
        {"name": name, "months": [table.cell(r, c) for c in range(len(trend))]}
        for r, name in enumerate(names)
    ]


def _column(rows: list[tuple[str, int]], *, total: int) -> list[dict[str, Any]]:
    """One column of counts whose sum is the ``total`` printed beside it, suppressed."""
    rows = [(name, n) for name, n in rows if n]
    shown_counts = suppress_column([n for _name, n in rows], total=total) if rows else []
    return [{"name": name, "count": n} for (name, _n), n in zip(rows, shown_counts, strict=True)]


def _spread(days: Iterable[int]) -> dict[str, Any]:
    """The number of cases, and the median and mean of their days (suppressed with
    fewer than five cases: a lead time of one or two cases tells of those persons)."""
    values = list(days)
    if len(values) < SUPPRESSION_THRESHOLD:
        return {"cases": shown(len(values)), "median": None, "mean": None}
    return {
        "cases": len(values),
        "median": round(statistics.median(values)),
        "mean": round(statistics.fmean(values)),
    }


def _lead_times(start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Lead times of the milestones reached from ``start`` to ``end``, in days."""
    signed = {
        pk: day
        for pk, day in Case.objects.filter(notification_signed_on__lte=end)
        .order_by()
        .values_list("pk", "notification_signed_on")
        if day is not None
    }
    first_uvo = first_dates(Meeting.objects.filter(kind__in=UVO_KINDS, held_on__lte=end), "held_on")
    first_plan = first_dates(
        PlanVersion.objects.adopted().filter(adopted_on__lte=end), "adopted_on"
    )

    def from_letter(firsts: dict[int, datetime.date]) -> list[int]:
        return [
            (day - signed[case_id]).days
            for case_id, day in firsts.items()
            if start <= day <= end and case_id in signed and day >= signed[case_id]
        ]

    registered: dict[int, datetime.date] = dict(
        Case.objects.order_by().values_list("pk", "registered_on")
    )
    entered: dict[int, datetime.date] = {}
    per_phase: dict[int, list[int]] = defaultdict(list)
    transitions = (
        PhaseTransition.objects.filter(on__lte=end)
        .order_by("case_id", "on", "created_at", "pk")
        .values_list("case_id", "from_phase", "on")
    )
    for case_id, from_phase, on in transitions.iterator(chunk_size=5000):
        since = entered.get(case_id, registered.get(case_id))
        if from_phase is not None and since is not None and start <= on:
            per_phase[from_phase].append((on - since).days)
        entered[case_id] = on
    in_approach = [
        (exited - registered_on).days
        for exited, registered_on in Case.objects.filter(exited_on__range=(start, end))
        .order_by()
        .values_list("exited_on", "registered_on")
        if exited is not None
    ]
    return {
        "letter_to_first_uvo": _spread(from_letter(first_uvo)),
        "letter_to_first_plan": _spread(from_letter(first_plan)),
        "per_phase": [{"phase": phase, **_spread(per_phase.get(phase, []))} for phase in PHASES],
        "in_approach": _spread(in_approach),
    }


def _escalations(start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Stuck cases (docs/rules.md R-CASE-11): those stuck at the end, those that got stuck
    and got going again in the period, and the doorbraakoverleggen held."""
    stuck_at_end = (
        Escalation.objects.filter(stuck_since__lte=end)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=end))
        .count()
    )
    return {
        "stuck_at_end": stuck_at_end,
        "opened": Escalation.objects.filter(stuck_since__range=(start, end)).count(),
        "resolved": Escalation.objects.filter(resolved_on__range=(start, end)).count(),
        "breakthrough_meetings": EscalationStep.objects.filter(
            kind=EscalationStep.Kind.BREAKTHROUGH, held_on__range=(start, end)
        ).count(),
    }


def _exits_per_partner(
    start: datetime.date,
    end: datetime.date,
    organisation_of: dict[int, int],
    organisations: dict[int, str],
) -> list[dict[str, Any]]:
    """Exits in the period per kernpartner of the regisseur the case had on leaving
    (the latest regisseur assignment that started by the exit day). One query."""
    rows = (
        Assignment.objects.filter(
            role=Assignment.Role.REGISSEUR,
            case__exited_on__range=(start, end),
            started_on__lte=F("case__exited_on"),
        )
        .order_by("case_id", "started_on", "pk")
        .values_list("case_id", "regisseur_id")
    )
    # Ordered by start, so each case's latest assignment wins.
    leaving = dict(rows)
    counts = Counter(organisations[organisation_of[r]] for r in leaving.values())
    return _column(sorted(counts.items()), total=sum(counts.values()))


__all__ = ["half_year_figures"]
