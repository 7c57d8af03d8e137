"""The effect monitor's figures (docs/rules.md R-MON-2, R-MON-3): how the weighings
moved per case, the interventions reached per pillar, and what is known after exit.

``effect_figures`` is computed as of ``end``: only what is dated on or before that
day counts (a weighing by ``assessed_on``, an exit by ``exited_on``, a plan by
``adopted_on``, an intervention's status by its change history), so a change made
after ``end`` does not change the answer. Aggregates only, no case is named; every
count goes through ``monitoring.selectors.suppress``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.apps import apps
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from cases.models import (
    Assessment,
    Case,
    ExitGround,
    ExitProcedure,
    Intervention,
    Pillar,
    PlanStatus,
    PlanVersion,
)

from ..selectors import SUPPRESSION_THRESHOLD, percentage, suppress

LEVELS = [Assessment.RiskLevel.LOW, Assessment.RiskLevel.MEDIUM, Assessment.RiskLevel.HIGH]
# Direction of the risk level from the first to the latest weighing.
LOWER, SAME, HIGHER = "lager", "gelijk", "hoger"
# The two criteria of a weighing, each met or not at the first and at the latest.
CRITERIA = ("care_criterion", "safety_criterion")
CRITERION_MOVES = ("met_met", "met_not_met", "not_met_met", "not_met_not_met")
# An intervention's status at ``end``, in the three groups the monitor reports.
DONE, UNDER_WAY, STOPPED = "afgerond", "lopend_gepland", "gestopt"
STATUS_GROUP = {
    Intervention.Status.DONE: DONE,
    Intervention.Status.RUNNING: UNDER_WAY,
    Intervention.Status.PLANNED: UNDER_WAY,
    Intervention.Status.STOPPED: STOPPED,
}
NO_PILLAR = "geen"


def effect_figures(*, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Everything the effect monitor of ``start`` .. ``end`` prints, JSON-ready."""
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "weighings": _weighings(end),
        "pillars": _pillars(end),
        "after_exit": _after_exit(start=start, end=end),
    }


# --- weighings: the first against the latest ------------------------------------------


def _weighings(end: datetime.date) -> dict[str, Any]:
    """Cases with two or more weighings dated by ``end``: how the risk level and the
    two criteria moved from the first weighing to the latest (one query)."""
    rows = (
        Assessment.objects.filter(assessed_on__lte=end)
        .order_by("case_id", "assessed_on", "created_at", "pk")
        .values_list("case_id", "risk_level", "care_criterion", "safety_criterion")
    )
    first: dict[int, tuple[str, bool, bool]] = {}
    latest: dict[int, tuple[str, bool, bool]] = {}
    count: Counter[int] = Counter()
    for case_id, level, care, safety in rows:
        first.setdefault(case_id, (level, care, safety))
        latest[case_id] = (level, care, safety)
        count[case_id] += 1
    moved = [(first[case_id], latest[case_id]) for case_id, n in count.items() if n >= 2]

    transitions: Counter[tuple[str, str]] = Counter()
    directions: Counter[str] = Counter()
    criteria: dict[str, Counter[str]] = {name: Counter() for name in CRITERIA}
    rank = {str(level): index for index, level in enumerate(LEVELS)}
    for (level_then, *criteria_then), (level_now, *criteria_now) in moved:
        transitions[level_then, level_now] += 1
        step = rank[level_now] - rank[level_then]
        directions[LOWER if step < 0 else HIGHER if step > 0 else SAME] += 1
        for name, then, now in zip(CRITERIA, criteria_then, criteria_now, strict=True):
            criteria[name][_criterion_move(then, now)] += 1
    return {
        "cases": suppress(len(moved)),
        "levels": [{"value": str(level), "label": str(level.label)} for level in LEVELS],
        "risk": [
            {
                "from": str(then),
                "label": str(then.label),
                "to": [suppress(transitions[then, now]) for now in LEVELS],
            }
            for then in LEVELS
        ],
        "direction": {name: suppress(directions[name]) for name in (LOWER, SAME, HIGHER)},
        "criteria": [
            {
                "criterion": name,
                "label": _criterion_label(name),
                **{move: suppress(criteria[name][move]) for move in CRITERION_MOVES},
            }
            for name in CRITERIA
        ],
    }


def _criterion_move(then: bool, now: bool) -> str:
    return f"{'met' if then else 'not_met'}_{'met' if now else 'not_met'}"


def _criterion_label(name: str) -> str:
    return gettext("Zorgcriterium") if name == "care_criterion" else gettext("Veiligheidscriterium")


# --- goals per pillar ----------------------------------------------------------------


def _plans_in_force(end: datetime.date) -> QuerySet[PlanVersion]:
    """Per case still in the approach at ``end`` (registered by then, not exited by
    then), the latest version adopted on or before ``end``."""
    adopted = PlanVersion.objects.filter(status=PlanStatus.ADOPTED, adopted_on__lte=end)
    # A subquery rather than DISTINCT ON: the quick start runs on SQLite too.
    latest = (
        adopted.filter(case=OuterRef("case")).order_by("-adopted_on", "-number").values("pk")[:1]
    )
    return adopted.filter(
        Q(case__exited_on__isnull=True) | Q(case__exited_on__gt=end),
        case__registered_on__lte=end,
        pk=Subquery(latest),
    )


def _status_at(end: datetime.date) -> Coalesce:
    """An intervention's status at the end of ``end``, read from its change history
    (django-pghistory's event table): the latest event whose ``updated_at`` (the
    moment the services wrote the change, on the application's clock; in production
    the same moment as the event's own ``pgh_created_at``, but it follows a clock set
    back when records are loaded after the fact, as the demo data are) lies before
    the next day began. An intervention with no event that early (entered after the
    fact, with a plan adopted on a past date) counts with its status as first
    recorded, which a later change does not alter either."""
    events = apps.get_model("cases", "InterventionEvent").objects.filter(pgh_obj_id=OuterRef("pk"))
    cutoff = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    at_end = events.filter(updated_at__lt=cutoff).order_by("-pgh_id")
    first = events.order_by("pgh_id")
    return Coalesce(
        Subquery(at_end.values("status")[:1]), Subquery(first.values("status")[:1]), F("status")
    )


def _pillars(end: datetime.date) -> list[dict[str, Any]]:
    """The interventions of the plans in force at ``end`` per pillar (an adopted
    version's pillars are frozen) and per status at ``end``: done, under way
    (running or planned), stopped, and the share done (one query)."""
    rows = (
        Intervention.objects.filter(plan_version__in=Subquery(_plans_in_force(end).values("pk")))
        .order_by()
        .annotate(status_at_end=_status_at(end))
        .values_list("pillar", "status_at_end")
    )
    counts: Counter[tuple[str, str]] = Counter()
    for pillar, status in rows:
        counts[pillar or NO_PILLAR, STATUS_GROUP[Intervention.Status(status)]] += 1
    pillars: list[tuple[str, str]] = [(str(p), str(p.label)) for p in Pillar]
    if any(pillar == NO_PILLAR for pillar, _ in counts):
        pillars.append((NO_PILLAR, gettext("Geen pijler (van vóór de pijlers)")))
    result = []
    for value, label in pillars:
        by_group = {group: counts[value, group] for group in (DONE, UNDER_WAY, STOPPED)}
        total = sum(by_group.values())
        result.append(
            {
                "pillar": value,
                "label": label,
                **{group: suppress(n) for group, n in by_group.items()},
                "total": suppress(total),
                # A share of a handful would point at the interventions behind it.
                "share_done": (
                    percentage(by_group[DONE], total) if total >= SUPPRESSION_THRESHOLD else None
                ),
            }
        )
    return result


# --- after exit ----------------------------------------------------------------------


def _after_exit(*, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Exits in the period by ground, and what is known of the cases exited by
    ``end`` afterwards: a weighing after exit can only belong to a new case (an
    exited case takes no weighing, cases/services/assessments.py), so what is known
    is a re-registration: a new case of the same person (the same BSN, or the same
    name and date of birth: the intake's "already known" rule, cases/selectors/
    intake.py) registered after the exit and by ``end``, and whether its weighing by
    ``end`` took the person in again. The person records are compared inside the
    database and only counts come out, so no person data is read. Once an exited
    case's person record is pseudonymised (IPGAR_RETENTION_AFTER_EXIT_DAYS after
    exit, cases/services/retention.py) it can no longer be matched: a monitor made
    after that counts fewer re-registrations for exits that long ago."""
    approved_ground = Subquery(
        ExitProcedure.objects.filter(
            case=OuterRef("pk"), status=ExitProcedure.Status.APPROVED, decided_on__lte=end
        )
        .order_by("-decided_on")
        .values("ground")[:1]
    )
    grounds = Counter(
        Case.objects.filter(exited_on__range=(start, end))
        .order_by()
        .annotate(ground=approved_ground)
        .values_list("ground", flat=True)
    )
    labels: list[tuple[str | None, str]] = [(str(g), str(g.label)) for g in ExitGround]
    if None in grounds:
        labels.append((None, gettext("Onbekend")))

    same_person = Q(person__bsn=OuterRef("person__bsn")) & ~Q(person__bsn="")
    same_person |= (
        Q(person__first_name__iexact=OuterRef("person__first_name"))
        & Q(person__last_name__iexact=OuterRef("person__last_name"))
        & Q(person__date_of_birth=OuterRef("person__date_of_birth"))
        & ~Q(person__first_name="")
        & ~Q(person__last_name="")
    )
    later_cases = Case.objects.filter(
        same_person, registered_on__gt=OuterRef("exited_on"), registered_on__lte=end
    )
    weighed = Assessment.objects.filter(case=OuterRef("pk"), assessed_on__lte=end)
    taken_in = weighed.filter(care_criterion=True, safety_criterion=True)
    exited = (
        Case.objects.filter(exited_on__lte=end)
        .order_by()
        .annotate(
            again=Exists(later_cases),
            again_weighed=Exists(later_cases.filter(Exists(weighed))),
            again_taken_in=Exists(later_cases.filter(Exists(taken_in))),
        )
    )
    known: Counter[str] = Counter()
    for again, again_weighed, again_taken_in in exited.values_list(
        "again", "again_weighed", "again_taken_in"
    ):
        known["exited"] += 1
        known["reregistered"] += int(again)
        known["reregistered_weighed"] += int(again_weighed)
        known["reregistered_taken_in"] += int(again_taken_in)
    return {
        "exits": suppress(sum(grounds.values())),
        "by_ground": [
            {"ground": value, "label": label, "count": suppress(grounds[value])}
            for value, label in labels
        ],
        **{
            name: suppress(known[name])
            for name in (
                "exited",
                "reregistered",
                "reregistered_weighed",
                "reregistered_taken_in",
            )
        },
    }
