"""The effect monitor's figures (docs/rules.md R-MON-2, R-MON-3): how the weighings
moved per case, the interventions reached per pillar, and what is known after exit.

``effect_figures`` is computed as of ``end``: only what is dated on or before that
day counts (a weighing by ``assessed_on``, an exit by ``exited_on``, a plan by
``adopted_on``, an intervention's status by its change history), so a change made
after ``end`` does not change the answer. Aggregates only, no case is named; every
breakdown is suppressed as a whole table (monitoring/suppression.py, R-MON-4).
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Window,
)
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext

from cases.models import (
    Assessment,
    Case,
    ExitGround,
    Intervention,
    Pillar,
)
from kernel.periods import Year

from ..selectors import SUPPRESSION_THRESHOLD, percentage
from ..suppression import Table, shown, suppress_table
from .asof import exits_between, interventions_in_force

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
# A sum not printed because it would give hidden counts back.
NOT_SHOWN = "–"


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
    # The moves from first to latest level as one table (R-MON-4) whose cells add up to
    # the cases printed above it; its row and column totals are printed nowhere.
    risk = suppress_table(
        Table(
            [[transitions[then, now] for now in LEVELS] for then in LEVELS],
            row_totals=False,
            column_totals=False,
            published_grand=True,
        )
    )
    hidden_risk = any(risk.is_hidden(r, c) for r in range(3) for c in range(3))
    # Each criterion's four moves add up to the cases counted.
    moves = suppress_table(
        Table(
            [[criteria[name][move] for move in CRITERION_MOVES] for name in CRITERIA],
            column_totals=False,
            published_rows=frozenset(range(len(CRITERIA))),
        )
    )
    return {
        "cases": len(moved),
        "levels": [{"value": str(level), "label": str(level.label)} for level in LEVELS],
        "risk": [
            {
                "from": str(then),
                "label": str(then.label),
                "to": [risk.cell(r, c) for c in range(len(LEVELS))],
            }
            for r, then in enumerate(LEVELS)
        ],
        # Lower, same and higher are sums across the table's diagonals: printed only when
        # the table hides nothing, as they would give hidden cells back.
        "direction": {
            name: NOT_SHOWN if hidden_risk else shown(directions[name])
            for name in (LOWER, SAME, HIGHER)
        },
        "criteria": [
            {
                "criterion": name,
                "label": _criterion_label(name),
                **{move: moves.cell(r, c) for c, move in enumerate(CRITERION_MOVES)},
            }
            for r, name in enumerate(CRITERIA)
        ],
    }


def _criterion_move(then: bool, now: bool) -> str:
    return f"{'met' if then else 'not_met'}_{'met' if now else 'not_met'}"


def _criterion_label(name: str) -> str:
    return gettext("Zorgcriterium") if name == "care_criterion" else gettext("Veiligheidscriterium")


# --- goals per pillar ----------------------------------------------------------------


def _pillars(end: datetime.date) -> list[dict[str, Any]]:
    """The interventions of the plans in force at ``end`` per pillar (an adopted
    version's pillars are frozen) and per status at ``end``: done, under way
    (running or planned), stopped, and the share done (one query)."""
    rows = interventions_in_force(end).order_by().values_list("pillar", "status_then")
    counts: Counter[tuple[str, str]] = Counter()
    for pillar, status in rows:
        counts[pillar or NO_PILLAR, STATUS_GROUP[Intervention.Status(status)]] += 1
    pillars: list[tuple[str, str]] = [(str(p), str(p.label)) for p in Pillar]
    if any(pillar == NO_PILLAR for pillar, _ in counts):
        pillars.append((NO_PILLAR, gettext("Geen pijler (van vóór de pijlers)")))
    groups = (DONE, UNDER_WAY, STOPPED)
    # One table with its totals per pillar printed (R-MON-4).
    table = suppress_table(
        Table(
            [[counts[value, group] for group in groups] for value, _label in pillars],
            column_totals=False,
        )
    )
    result = []
    for r, (value, label) in enumerate(pillars):
        total = sum(counts[value, group] for group in groups)
        # A share of a handful, or of a hidden count, would point at what is behind it.
        share_shown = total >= SUPPRESSION_THRESHOLD and not table.is_hidden(r, 0)
        result.append(
            {
                "pillar": value,
                "label": label,
                **{group: table.cell(r, c) for c, group in enumerate(groups)},
                "total": table.row_total(r),
                "share_done": percentage(counts[value, DONE], total) if share_shown else None,
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
    grounds = Counter(exits_between(start, end, decided_by=end))
    labels: list[tuple[str | None, str]] = [(str(g), str(g.label)) for g in ExitGround]
    if None in grounds:
        labels.append((None, gettext("Onbekend")))

    known = _reregistrations(end)
    by_ground = suppress_table(
        Table([[grounds[value]] for value, _label in labels], row_totals=False)
    )
    # The re-registrations nest (weighed within re-registered, taken in within weighed):
    # suppressed as the three parts they split into, against their printed total.
    parts = suppress_table(
        Table(
            [
                [known["reregistered"] - known["reregistered_weighed"]],
                [known["reregistered_weighed"] - known["reregistered_taken_in"]],
                [known["reregistered_taken_in"]],
            ],
            row_totals=False,
        )
    )
    weighed_hidden = parts.is_hidden(1, 0) or parts.is_hidden(2, 0)
    return {
        "exits": by_ground.column_total(0),
        "by_ground": [
            {"ground": value, "label": label, "count": by_ground.cell(r, 0)}
            for r, (value, label) in enumerate(labels)
        ],
        "exited": shown(known["exited"]),
        "reregistered": parts.column_total(0),
        "reregistered_weighed": NOT_SHOWN if weighed_hidden else known["reregistered_weighed"],
        "reregistered_taken_in": parts.cell(2, 0),
    }


# A person is the same when the BSN is (not empty), or when first name, last name (each
# not empty, compared in capitals) and date of birth are: the intake's rule.
SAME_PERSON: dict[str, tuple[list[Any], Q]] = {
    "bsn": ([F("person__bsn")], Q(person__isnull=False) & ~Q(person__bsn="")),
    "name": (
        [
            Upper("person__first_name"),
            Upper("person__last_name"),
            F("person__date_of_birth"),
        ],
        Q(person__isnull=False)
        & ~Q(person__first_name="")
        & ~Q(person__last_name="")
        & Q(person__date_of_birth__isnull=False),
    ),
}


def _reregistrations(end: datetime.date) -> Counter[str]:
    """The cases exited by ``end``, and how many of them have a re-registration: a case
    of the same person registered after the exit and by ``end``; one weighed by ``end``;
    one taken in by then (both criteria met).

    One pass over the cases: within each group of cases of the same person (by BSN and
    by name and date of birth) the window gives the latest registration by ``end`` (of
    all, of the weighed, of the taken in); an exited case has a re-registration when
    that latest one lies after its exit. A case of that person registered after the
    exit and by ``end`` exists exactly when the latest such registration is after it,
    so this counts what a look-up per exited case would, without one."""
    weighed = Assessment.objects.filter(case=OuterRef("pk"), assessed_on__lte=end)
    kinds = {
        "reregistered": Q(),
        "reregistered_weighed": Q(Exists(weighed)),
        "reregistered_taken_in": Q(
            Exists(weighed.filter(care_criterion=True, safety_criterion=True))
        ),
    }
    registered = Q(registered_on__lte=end)
    latest = {
        f"{kind}_{key}": Window(
            Max("registered_on", filter=registered & member & condition),
            partition_by=partition,
        )
        for kind, condition in kinds.items()
        for key, (partition, member) in SAME_PERSON.items()
    }
    rows = Case.objects.order_by().annotate(**latest).values("exited_on", *latest)
    known: Counter[str] = Counter()
    for row in rows.iterator():
        exited_on = row["exited_on"]
        if exited_on is None or exited_on > end:
            continue
        known["exited"] += 1
        for kind in kinds:
            known[kind] += any(
                (row[f"{kind}_{key}"] or exited_on) > exited_on for key in SAME_PERSON
            )
    return known


def effect_monitor_figures(year: Year) -> dict[str, Any]:
    """The effect monitor of ``year``: counted up to its last day, or today while it runs."""
    end = min(year.end, timezone.localdate())
    return {**effect_figures(start=year.start, end=end), "reference_date": end.isoformat()}
