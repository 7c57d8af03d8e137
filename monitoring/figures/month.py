"""The month monitor: the programme team's operational report on one month
(docs/monitors.md). Inflow, outflow and phase changes in the month; at its end, the
open cases per phase, the overdue items by kind, each regisseur's caseload, and how
the UVO and evaluation rhythm was kept. Counted as the approach stood at the end of
the month (monitoring/figures/asof.py), so a past month gives the same figures
whenever it is made. Aggregates only: no case is listed, and the caseload per regisseur
is suppressed like every breakdown (monitoring/suppression.py); a pool too large for a
roster is counted in bands of caseload per organisation (monitoring/figures/caseload.py).
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.utils import timezone

from cases.models import Case, Evaluation, Meeting, Phase, PhaseTransition, PlanVersion
from cases.selectors.deadlines import UVO_KINDS, DeadlineKind
from cases.selectors.figures import exit_ground_labels
from kernel.periods import Month

from ..selectors import PHASES, percentage
from ..suppression import Table, publish_bands, shown, suppress_table
from .asof import Snapshot, exits_between, snapshot_on
from .caseload import band_counts_by_organisation, roster_printed

# The kinds of overdue item the month monitor counts, in the order it prints them.
OVERDUE_KINDS = (
    DeadlineKind.FIRST_UVO,
    DeadlineKind.UVO,
    DeadlineKind.PLAN_EVALUATION,
    DeadlineKind.TWO_YEARLY_EVALUATION,
    DeadlineKind.INTERVENTION,
    DeadlineKind.UVO_ACTION,
    DeadlineKind.CASELOAD_REVIEW,
    DeadlineKind.THREE_WAY_TALK,
)


def month_figures(month: Month) -> dict[str, Any]:
    reference = min(month.end, timezone.localdate())
    snapshot = snapshot_on(reference)
    between = {"start": month.start, "end": reference}
    per_phase = Counter(case.phase for case in snapshot.cases.values())
    labels = exit_ground_labels()
    exits = exits_between(month.start, reference)
    return {
        "period": {
            "code": month.code,
            "start": month.start.isoformat(),
            "end": month.end.isoformat(),
        },
        "reference_date": reference.isoformat(),
        "open_cases": len(snapshot.cases),
        "per_phase": {str(phase): per_phase.get(phase, 0) for phase in PHASES},
        "inflow": Case.objects.filter(registered_on__range=(month.start, reference)).count(),
        "not_included": Case.objects.filter(
            not_included_on__range=(month.start, reference)
        ).count(),
        "outflow": sum(exits.values()),
        "outflow_by_ground": [
            {"ground": labels[ground], "count": n}
            for ground, n in sorted(exits.items(), key=lambda item: item[0] or "~")
            if n
        ],
        "phase_changes": _phase_changes(month.start, reference),
        "overdue": _overdue_by_kind(snapshot),
        "rhythm": _rhythm(snapshot, **between),
        "regisseurs": _roster(snapshot),
        "caseload_bands": _caseload_bands(snapshot),
        "pool": {
            "regisseurs": snapshot.pool.regisseur_count,
            "fte": f"{snapshot.pool.total_fte:.1f}",
            "capacity": snapshot.pool.total_capacity,
            "caseload": snapshot.pool.total_cases,
            "free_places": snapshot.pool.free_places,
        },
    }


def _roster(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The caseload per regisseur, suppressed as one column against the pool's total
    caseload printed under it (docs/rules.md R-MON-4); free places follow a hidden
    caseload (they would give it back); the buddy counts add up to nothing printed."""
    rows = snapshot.pool.rows
    if not rows or not roster_printed(rows):
        return []
    table = suppress_table(
        Table(
            [[row.total_cases] for row in rows],
            row_totals=False,
            column_totals=True,
            published_columns=frozenset({0}),
        )
    )
    return [
        {
            "name": row.name,
            "organisation": row.organisation,
            "fte": f"{row.fte:.1f}",
            "capacity": row.capacity,
            "cases": table.cell(index, 0),
            "buddy_cases": shown(row.buddy_cases),
            "free_places": "–" if table.is_hidden(index, 0) else row.free_places,
            "over_capacity": row.over_capacity,
        }
        for index, row in enumerate(rows)
    ]


def _caseload_bands(snapshot: Snapshot) -> dict[str, Any] | None:
    """The regisseurs per organisation and band of their caseload, when the pool is too
    large for a roster (docs/rules.md R-MON-6); None while the roster is printed."""
    rows = snapshot.pool.rows
    if roster_printed(rows):
        return None
    counts = band_counts_by_organisation(rows)
    return publish_bands(list(counts.items()), totals_printed_elsewhere=False)


def _phase_changes(start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """Phase transitions dated in the period, by their from and to phase."""
    moves = Counter(
        PhaseTransition.objects.filter(on__range=(start, end))
        .order_by()
        .values_list("from_phase", "to_phase")
    )
    return [
        {"from": from_phase, "to": to_phase, "count": n}
        for (from_phase, to_phase), n in sorted(
            moves.items(), key=lambda i: (i[0][0] or 0, i[0][1])
        )
    ]


def _overdue_by_kind(snapshot: Snapshot) -> list[dict[str, Any]]:
    counts: Counter[DeadlineKind] = Counter(
        kind for _case, kind, due_on in snapshot.case_items if snapshot.overdue(due_on)
    )
    counts[DeadlineKind.INTERVENTION] = sum(snapshot.interventions_overdue.values())
    counts[DeadlineKind.UVO_ACTION] = sum(snapshot.actions_overdue.values())
    counts.update(snapshot.pool_overdue)
    return [
        {"kind": kind.value, "label": str(kind.label), "count": counts[kind]}
        for kind in OVERDUE_KINDS
    ]


def _rhythm(snapshot: Snapshot, *, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """How the UVO and evaluation rhythm was kept (docs/rules.md R-CASE-3, R-CASE-8):
    at the end of the month, the phase-2 cases whose UVO was not overdue and the running
    plans whose monthly evaluation was not; and the UVOs and evaluations held in it."""
    phase2 = sum(1 for case in snapshot.cases.values() if case.phase == Phase.EXECUTION)
    uvo_on_time = sum(
        1
        for _case, kind, due_on in snapshot.case_items
        if kind == DeadlineKind.UVO and not snapshot.overdue(due_on)
    )
    evaluations = [
        not snapshot.overdue(due_on)
        for _case, kind, due_on in snapshot.case_items
        if kind == DeadlineKind.PLAN_EVALUATION
    ]
    return {
        "phase2_cases": phase2,
        "uvo_on_time": uvo_on_time,
        "uvo_percentage": percentage(uvo_on_time, phase2),
        "plans_running": len(evaluations),
        "evaluated_on_time": sum(evaluations),
        "evaluation_percentage": percentage(sum(evaluations), len(evaluations)),
        "uvos_held": Meeting.objects.filter(
            kind__in=UVO_KINDS, held_on__range=(start, end)
        ).count(),
        "evaluations_held": Evaluation.objects.filter(
            kind=Evaluation.Kind.MONTHLY, held_on__range=(start, end)
        ).count(),
        "plans_adopted": PlanVersion.objects.adopted()
        .filter(adopted_on__range=(start, end))
        .count(),
    }
