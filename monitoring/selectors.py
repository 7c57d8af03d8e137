"""Reads of the monitoring app: the kwartaalmonitor's figures, the monitor runs and
a user's notifications.

The figures come from the selectors the dashboard uses too: the pool overview
(pool.selectors), cases per phase and in- and outflow (cases/selectors/figures.py)
and the due and overdue items (cases/selectors/deadlines.py). Nothing here
identifies a person: cases appear by their pseudonymous number only, and every
count per kernpartner or region goes through ``suppress``.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from cases.models import OPEN_STATUSES, Case, Phase, PlanStatus, PlanVersion
from cases.selectors import figures as case_figures
from cases.selectors.deadlines import Deadline, DeadlineKind, deadlines
from pool.models import CaseloadReview, ThreeWayTalk
from pool.selectors import pool_overview

from .models import Monitor, Notification
from .quarters import Quarter

SUPPRESSED = "<5"
SUPPRESSION_THRESHOLD = 5
TREND_QUARTERS = 6
PHASES = [int(phase) for phase in Phase]


def suppress(count: int) -> int | str:
    """A count per kernpartner or region as it may be shown: below 5 a count of cases
    can point at a person, so it reads '<5'. The one place this rule lives."""
    return SUPPRESSED if count < SUPPRESSION_THRESHOLD else count


def percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- the kwartaalmonitor ---------------------------------------------------------


def monitor_figures(
    *, quarter: Quarter, on: datetime.date | None = None, trend_quarters: int = TREND_QUARTERS
) -> dict[str, Any]:
    """Everything the monitor of ``quarter`` prints, JSON-ready (stored with each run,
    so a past monitor can be reproduced exactly).

    ``on`` is the reference day of the "now" figures (caseload, phases, items due):
    the quarter's last day, or today while the quarter runs.
    """
    reference = on or min(quarter.end, timezone.localdate())
    overview = pool_overview(on=reference)
    org_by_name = {org.name: org for org in Organisation.objects.all()}
    cases = _open_cases()
    items = _deadline_items(reference)
    status = _case_status(items)

    per_phase = case_figures.cases_per_phase()
    flows = case_figures.flow_per_quarter(
        start=quarter.last(trend_quarters)[0].start, end=quarter.end
    )
    this_quarter = flows[-1]

    phase2 = [c for c in cases if c["phase"] == Phase.EXECUTION]
    uvo_on_time = sum(1 for c in phase2 if status[c["pk"]]["uvo_on_time"])
    evaluated = [c for c in cases if status[c["pk"]]["evaluation_on_time"] is not None]
    evaluated_on_time = sum(1 for c in evaluated if status[c["pk"]]["evaluation_on_time"])
    pool_items = [
        item
        for item in items
        if item.kind in (DeadlineKind.CASELOAD_REVIEW, DeadlineKind.THREE_WAY_TALK)
    ]
    in_quarter = {"held_on__gte": quarter.start, "held_on__lte": quarter.end}

    summary = {
        "open_cases": len(cases),
        "per_phase": {str(phase): per_phase.get(phase, 0) for phase in PHASES},
        "inflow": this_quarter.inflow,
        "outflow": this_quarter.outflow,
        "outflow_by_ground": _grounds(this_quarter.outflow_by_ground),
        "regisseurs": overview.regisseur_count,
        "fte": f"{overview.total_fte:.1f}",
        "capacity": overview.total_capacity,
        "caseload": overview.total_cases,
        "free_places": overview.free_places,
        "over_capacity": [row.name for row in overview.over_capacity],
        "uvo": {
            "phase2_cases": len(phase2),
            "on_time": uvo_on_time,
            "percentage": percentage(uvo_on_time, len(phase2)),
        },
        "plans": {
            "adopted_in_quarter": PlanVersion.objects.filter(
                status=PlanStatus.ADOPTED,
                adopted_on__gte=quarter.start,
                adopted_on__lte=quarter.end,
            ).count(),
            "running": len(evaluated),
            "evaluated_on_time": evaluated_on_time,
            "percentage": percentage(evaluated_on_time, len(evaluated)),
        },
        "caseload_reviews_held": CaseloadReview.objects.filter(**in_quarter).count(),
        "caseload_reviews_overdue": sum(
            1 for i in pool_items if i.kind == DeadlineKind.CASELOAD_REVIEW and i.overdue
        ),
        "three_way_talks_held": ThreeWayTalk.objects.filter(**in_quarter).count(),
        "three_way_talks_overdue": sum(
            1 for i in pool_items if i.kind == DeadlineKind.THREE_WAY_TALK and i.overdue
        ),
    }
    regisseurs = [
        {
            "name": row.name,
            "organisation": row.organisation,
            "fte": f"{row.fte:.1f}",
            "capacity": row.capacity,
            "cases": row.total_cases,
            "buddy_cases": row.buddy_cases,
            "free_places": row.free_places,
            "over_capacity": row.over_capacity,
        }
        for row in overview.rows
    ]
    return {
        "quarter": quarter.label,
        "period": {"start": quarter.start.isoformat(), "end": quarter.end.isoformat()},
        "reference_date": reference.isoformat(),
        "summary": summary,
        "regisseurs": regisseurs,
        "kernpartners": _kernpartners(overview, cases, status, org_by_name, quarter),
        "regions": _regions(cases),
        "trend": [
            {
                "quarter": Quarter(flow.quarter.year, flow.quarter.number).label,
                "inflow": flow.inflow,
                "outflow": flow.outflow,
            }
            for flow in flows
        ],
    }


def _open_cases() -> list[dict[str, Any]]:
    """Every open case, pseudonymous: number, phase, region, the regisseur's organisation."""
    rows: Iterable[Mapping[str, Any]] = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .order_by("number")
        .values(
            "pk",
            "number",
            "phase",
            "region__name",
            "regisseur__organisation__name",
        )
    )
    return [dict(row) for row in rows]


def _deadline_items(reference: datetime.date) -> list[Deadline]:
    """The deadline selector's items as on ``reference``. Every UVO and plan-evaluation
    item falls due within two months of its last occurrence, so this horizon holds
    them all, due or not; overdue items are always in."""
    return deadlines(on=reference, horizon_days=93)


def _case_status(items: list[Deadline]) -> dict[int, dict[str, bool | None]]:
    """Per open case: is its UVO rhythm kept, is its plan evaluated on time (None when
    no adopted plan runs)? The deadline selector's rules."""
    status: dict[int, dict[str, bool | None]] = defaultdict(
        lambda: {"uvo_on_time": None, "evaluation_on_time": None}
    )
    for item in items:
        if item.case_id is None:
            continue
        if item.kind == DeadlineKind.UVO:
            status[item.case_id]["uvo_on_time"] = not item.overdue
        elif item.kind == DeadlineKind.PLAN_EVALUATION:
            status[item.case_id]["evaluation_on_time"] = not item.overdue
    return status


def _grounds(by_ground) -> list[dict[str, Any]]:
    labels = case_figures.exit_ground_labels()
    return [
        {"ground": labels[ground], "count": count}
        for ground, count in sorted(by_ground.items(), key=lambda item: item[0] or "~")
        if count
    ]


def _kernpartners(overview, cases, status, org_by_name, quarter) -> list[dict[str, Any]]:
    """A section per kernpartner that supplies regisseurs: its capacity and caseload,
    and its cases (by the regisseur's organisation), counts suppressed below 5."""
    rows_by_org: dict[str, list] = defaultdict(list)
    for row in overview.rows:
        rows_by_org[row.organisation].append(row)
    cases_by_org: dict[str, list] = defaultdict(list)
    for case in cases:
        cases_by_org[case["regisseur__organisation__name"] or ""].append(case)
    sections = []
    for name in sorted(rows_by_org):
        pool_rows = rows_by_org[name]
        own_cases = cases_by_org.get(name, [])
        phases = Counter(case["phase"] for case in own_cases)
        phase2 = [c for c in own_cases if c["phase"] == Phase.EXECUTION]
        shown = len(own_cases) >= SUPPRESSION_THRESHOLD
        # Two queries per kernpartner: their number grows with the partners, not the cases.
        [flow] = case_figures.flow_per_quarter(
            start=quarter.start, end=quarter.end, organisation=org_by_name[name]
        )
        capacity = sum(row.capacity for row in pool_rows)
        caseload = sum(row.total_cases for row in pool_rows)
        sections.append(
            {
                "organisation": name,
                "regisseurs": len(pool_rows),
                "fte": f"{sum((row.fte for row in pool_rows), Decimal(0)):.1f}",
                "capacity": capacity,
                "caseload": caseload,
                "over_capacity": [row.name for row in pool_rows if row.over_capacity],
                "cases": suppress(len(own_cases)),
                "per_phase": {str(p): suppress(phases.get(p, 0)) for p in PHASES},
                "inflow": suppress(flow.inflow),
                "outflow": suppress(flow.outflow),
                "uvo_on_time": suppress(sum(1 for c in phase2 if status[c["pk"]]["uvo_on_time"])),
                "phase2_cases": suppress(len(phase2)),
                # Below the threshold even the list would give the count away.
                "case_rows": [
                    {
                        "number": c["number"],
                        "phase": c["phase"],
                        "uvo_on_time": status[c["pk"]]["uvo_on_time"],
                        "evaluation_on_time": status[c["pk"]]["evaluation_on_time"],
                    }
                    for c in own_cases
                ]
                if shown
                else [],
                "case_rows_suppressed": not shown,
            }
        )
    return sections


def _regions(cases) -> list[dict[str, Any]]:
    by_region: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        by_region[case["region__name"]][case["phase"]] += 1
    return [
        {
            "region": region,
            "cases": suppress(sum(counter.values())),
            "per_phase": {str(p): suppress(counter.get(p, 0)) for p in PHASES},
        }
        for region, counter in sorted(by_region.items())
    ]


# --- runs and notifications --------------------------------------------------------


def monitors_for_list() -> QuerySet[Monitor]:
    """Every run, latest quarter and version first, with who started it."""
    return Monitor.objects.select_related("requested_by").order_by("-quarter", "-version", "-pk")


def monitor_by_id(monitor_id: int) -> Monitor:
    """Raises Monitor.DoesNotExist."""
    return Monitor.objects.select_related("requested_by").get(pk=monitor_id)


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notifications, unread first, newest first."""
    return Notification.objects.filter(user=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def unread_notification_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
