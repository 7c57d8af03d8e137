"""The approach as it stood at the end of a day: the facts every monitor counts from,
so that a monitor of a past period gives the same figures whenever it is made
(docs/rules.md R-MON-3).

Two sources, in this order:

- the dated records: a case is in the approach from ``registered_on`` until it exited
  or was not taken in; its phase is that of its latest phase transition on or before the
  day; its regisseur and buddy are the assignments covering the day; meetings,
  evaluations, plan adoptions, weighings and UVO actions count when dated on or before it;
- the change history (django-pghistory) for what has no date of its own: a regisseur's
  fte and an intervention's status are read from the latest change made by the end of
  the day (dated by the row's ``updated_at`` in each event), or, when the first recorded
  change came later, from that first one (the value as it was first entered). Without
  history (the quick start's SQLite) the present value stands in.

The region of a case and the organisation of a regisseur are taken as they are now:
neither has a date of its own, and both are corrections rather than events.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Count, F, Max, Min, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import (
    OPEN_INTERVENTION_STATUSES,
    Assignment,
    Case,
    Evaluation,
    Intervention,
    Meeting,
    MeetingAction,
    Phase,
    PhaseTransition,
    PlanVersion,
    TeamMember,
)
from cases.selectors.deadlines import (
    UVO_KINDS,
    CaseFacts,
    DeadlineKind,
    case_rules,
    pool_rules,
    rule_terms,
)
from cases.selectors.figures import approved_exit_ground
from pool.models import CaseloadReview, Regisseur, ThreeWayTalk, capacity_of
from pool.selectors import PoolOverview, PoolRow, regisseurs_active


@dataclasses.dataclass(frozen=True, slots=True)
class CaseOnDay:
    """One case in the approach at the end of a day, pseudonymous: no number, no person.
    Slotted: a snapshot holds one per open case."""

    case_id: int
    region_id: int
    registered_on: datetime.date
    phase: int
    phase_since: datetime.date
    notification_signed_on: datetime.date | None
    regisseur_id: int | None
    buddy_id: int | None


def cases_open_on(day: datetime.date) -> dict[int, CaseOnDay]:
    """Every case in the approach at the end of ``day``, keyed by id. Three queries.

    A case whose phases or directors were never recorded as dated rows (data brought
    in without its history) counts with its present phase and directors from the day
    it names for them (``phase_since``, ``regisseur_since``)."""
    rows = (
        Case.objects.filter(registered_on__lte=day)
        .exclude(exited_on__lte=day)
        .exclude(not_included_on__lte=day)
        .order_by()
        .values_list(
            "pk",
            "region_id",
            "registered_on",
            "notification_signed_on",
            "phase",
            "phase_since",
            "regisseur_id",
            "buddy_id",
            "regisseur_since",
        )
    )
    cases = {row[0]: row for row in rows.iterator(chunk_size=5000)}
    phases = _phases_on(day, cases)
    directors, recorded = directors_on(day, cases)
    answer = {}
    for pk, (
        _pk,
        region,
        registered,
        signed,
        phase,
        since,
        regisseur,
        buddy,
        r_since,
    ) in cases.items():
        if pk in phases:
            phase, since = phases[pk]
        elif since > day:
            phase, since = Phase.CONTACT, registered
        director: int | None = regisseur
        partner: int | None = buddy
        if pk in recorded:
            director, partner = directors.get(pk, (None, None))
        elif r_since is not None and r_since > day:
            director = partner = None
        answer[pk] = CaseOnDay(
            case_id=pk,
            region_id=region,
            registered_on=registered,
            phase=phase,
            phase_since=since,
            notification_signed_on=signed if signed is not None and signed <= day else None,
            regisseur_id=director,
            buddy_id=partner,
        )
    return answer


def _phases_on(
    day: datetime.date, cases: Mapping[int, Any]
) -> dict[int, tuple[int, datetime.date]]:
    """Per case with phase transitions on record, its phase at the end of ``day`` and
    since when: the latest transition by then, or, when all came later, the phase the
    first one left (since registration). One query."""
    phases: dict[int, tuple[int, datetime.date]] = {}
    transitions = PhaseTransition.objects.order_by("case_id", "on", "created_at", "pk").values_list(
        "case_id", "from_phase", "to_phase", "on"
    )
    for case_id, from_phase, to_phase, on in transitions.iterator(chunk_size=5000):
        if case_id not in cases:
            continue
        if on <= day:
            phases[case_id] = (to_phase, on)
        elif case_id not in phases:
            phases[case_id] = (from_phase or Phase.CONTACT, cases[case_id][2])
    return phases


def directors_on(
    day: datetime.date, cases: Mapping[int, Any]
) -> tuple[dict[int, tuple[int | None, int | None]], set[int]]:
    """Per case of ``cases``, the regisseur and the buddy whose assignment covers ``day``
    (the later one on the day of a hand-over); and the ids of those cases with any
    assignment on record. One query."""
    current: dict[int, list[int | None]] = {}
    recorded: set[int] = set()
    assignments = Assignment.objects.order_by("started_on", "pk").values_list(
        "case_id", "role", "regisseur_id", "started_on", "ended_on"
    )
    for case_id, role, regisseur_id, started_on, ended_on in assignments.iterator(chunk_size=5000):
        if case_id not in cases:
            continue
        recorded.add(case_id)
        if started_on <= day and (ended_on is None or ended_on >= day):
            pair = current.setdefault(case_id, [None, None])
            pair[0 if role == Assignment.Role.REGISSEUR else 1] = regisseur_id
    return {case_id: (pair[0], pair[1]) for case_id, pair in current.items()}, recorded


def recorded_at(model: type[Model], field: str, day: datetime.date) -> Coalesce:
    """An expression for ``field`` of each tracked ``model`` row as it was at the end of
    ``day``, read from its change history (django-pghistory's event table): the latest
    event whose ``updated_at`` (the moment the services wrote the change, on the
    application's clock; in production the moment of the event itself, but it follows
    a clock set back when records are loaded after the fact, as the demo data are) lies
    before the next day began. A row with no event that early (entered after the fact)
    counts with its value as first recorded, which a later change does not alter either;
    a row without history (the quick start's SQLite has none) with its present value."""
    if connection.vendor != "postgresql":
        return Coalesce(F(field), F(field))
    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event").objects.filter(
        pgh_obj_id=OuterRef("pk")
    )
    cutoff = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    at_end = events.filter(updated_at__lt=cutoff).order_by("-updated_at", "-pgh_id")
    first = events.order_by("pgh_id")
    return Coalesce(Subquery(at_end.values(field)[:1]), Subquery(first.values(field)[:1]), F(field))


def plans_in_force(day: datetime.date) -> QuerySet[PlanVersion]:
    """Per case still in the approach at the end of ``day`` (registered by then, not
    exited by then), the latest version adopted on or before it."""
    adopted = PlanVersion.objects.adopted().filter(adopted_on__lte=day)
    # A subquery rather than DISTINCT ON: the quick start runs on SQLite too.
    latest = (
        adopted.filter(case=OuterRef("case")).order_by("-adopted_on", "-number").values("pk")[:1]
    )
    return adopted.filter(
        Q(case__exited_on__isnull=True) | Q(case__exited_on__gt=day),
        case__registered_on__lte=day,
        pk=Subquery(latest),
    )


def interventions_in_force(day: datetime.date) -> QuerySet[Any]:
    """The interventions of the plans in force at the end of ``day``, each annotated
    with ``status_then``: its status at that moment."""
    return Intervention.objects.filter(
        plan_version__in=Subquery(plans_in_force(day).values("pk"))
    ).annotate(status_then=recorded_at(Intervention, "status", day))


def fte_on(day: datetime.date, regisseurs: Iterable[Regisseur]) -> dict[int, Decimal]:
    """Each regisseur's fte at the end of ``day``. One query."""
    ids = [r.pk for r in regisseurs]
    return dict(
        Regisseur.objects.filter(pk__in=ids)
        .annotate(fte_then=recorded_at(Regisseur, "fte", day))
        .values_list("pk", "fte_then")
    )


def case_deadlines_on(
    day: datetime.date, cases: Mapping[int, CaseOnDay]
) -> list[tuple[int, DeadlineKind, datetime.date]]:
    """The rhythm items (first UVO, UVO, plan evaluation, two-yearly evaluation) of the
    open cases as they stood at the end of ``day``: the deadline selector's own rules
    (``case_rules``) over the records dated on or before it. Four queries."""

    def latest(queryset: Any, field: str) -> dict[int, datetime.date]:
        return dict(
            queryset.filter(**{f"{field}__lte": day})
            .order_by()
            .values("case_id")
            .annotate(latest=Max(field))
            .values_list("case_id", "latest")
        )

    uvos = latest(Meeting.objects.filter(kind__in=UVO_KINDS), "held_on")
    adoptions = latest(PlanVersion.objects.adopted(), "adopted_on")
    monthly = latest(Evaluation.objects.filter(kind=Evaluation.Kind.MONTHLY), "held_on")
    two_yearly = latest(Evaluation.objects.filter(kind=Evaluation.Kind.TWO_YEARLY), "held_on")
    items: list[tuple[int, DeadlineKind, datetime.date]] = []
    terms = rule_terms()
    for case in cases.values():
        facts = CaseFacts(
            notification_signed_on=case.notification_signed_on,
            phase=case.phase,
            phase_since=case.phase_since,
            latest_uvo=uvos.get(case.case_id),
            latest_adoption=adoptions.get(case.case_id),
            latest_monthly_evaluation=monthly.get(case.case_id),
            latest_two_yearly_evaluation=two_yearly.get(case.case_id),
        )
        items.extend((case.case_id, kind, due_on) for kind, due_on in case_rules(facts, terms))
    return items


def overdue_interventions_on(day: datetime.date, cases: Mapping[int, CaseOnDay]) -> dict[int, int]:
    """Per case, the interventions of its plan in force past their term at the end of
    ``day`` and not done or stopped by then (docs/rules.md R-CASE-6). One query."""
    rows = (
        interventions_in_force(day)
        .filter(deadline__lt=day)
        .order_by()
        .values_list("plan_version__case_id", "status_then")
    )
    return dict(
        Counter(
            case_id
            for case_id, status in rows
            if case_id in cases and status in OPEN_INTERVENTION_STATUSES
        )
    )


def overdue_actions_on(day: datetime.date, cases: Mapping[int, CaseOnDay]) -> dict[int, int]:
    """Per case, the actions agreed in an UVO held on or before ``day``, due before it
    and not done by its end. One query."""
    rows = (
        MeetingAction.objects.filter(meeting__held_on__lte=day, due_on__lt=day)
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=day))
        .order_by()
        .values_list("meeting__case_id", flat=True)
    )
    return dict(Counter(case_id for case_id in rows if case_id in cases))


def first_dates(field_queryset: Any, field: str) -> dict[int, datetime.date]:
    """Per case, the earliest ``field`` of the queryset's rows. One query."""
    return dict(
        field_queryset.order_by()
        .values("case_id")
        .annotate(first=Min(field))
        .values_list("case_id", "first")
    )


# --- the whole picture at the end of a day ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What a monitor counts at the end of ``day``: the open cases, the pool with its
    caseload (pool.selectors.PoolOverview, as the pool pages show it), and the rhythm
    items, each as it stood then."""

    day: datetime.date
    cases: dict[int, CaseOnDay]
    pool: PoolOverview
    organisation_of_regisseur: dict[int, int]
    case_items: list[tuple[int, DeadlineKind, datetime.date]]
    interventions_overdue: dict[int, int]
    actions_overdue: dict[int, int]
    pool_overdue: dict[DeadlineKind, int]

    def organisation_of(self, case: CaseOnDay) -> int | None:
        """The kernpartner of the case's regisseur that day (None without a regisseur)."""
        if case.regisseur_id is None:
            return None
        return self.organisation_of_regisseur.get(case.regisseur_id)

    def overdue(self, due_on: datetime.date) -> bool:
        return due_on < self.day


def snapshot_on(day: datetime.date) -> Snapshot:
    """The approach at the end of ``day``. A fixed number of queries, whatever its size."""
    cases = cases_open_on(day)
    regisseurs = list(regisseurs_active(on=day))
    fte = fte_on(day, regisseurs)
    as_regisseur: dict[int, int] = {}
    as_buddy: dict[int, int] = {}
    for case in cases.values():
        if case.regisseur_id is not None:
            as_regisseur[case.regisseur_id] = as_regisseur.get(case.regisseur_id, 0) + 1
        if case.buddy_id is not None:
            as_buddy[case.buddy_id] = as_buddy.get(case.buddy_id, 0) + 1
    rows = tuple(
        PoolRow(
            regisseur_id=r.pk,
            name=str(r.user),
            organisation=r.organisation.name,
            fte=fte[r.pk],
            capacity=capacity_of(fte[r.pk]),
            cases_in_regie=as_regisseur.get(r.pk, 0),
            new_cases=0,
            buddy_cases=as_buddy.get(r.pk, 0),
            remark=r.remark,
            region_restriction=r.region_restriction.name if r.region_restriction else None,
        )
        for r in sorted(regisseurs, key=lambda r: (r.user.last_name, r.user.first_name))
    )
    return Snapshot(
        day=day,
        cases=cases,
        pool=PoolOverview(on=day, new_since=None, rows=rows),
        organisation_of_regisseur=dict(Regisseur.objects.values_list("pk", "organisation_id")),
        case_items=case_deadlines_on(day, cases),
        interventions_overdue=overdue_interventions_on(day, cases),
        actions_overdue=overdue_actions_on(day, cases),
        pool_overdue=_pool_overdue_on(day, regisseurs),
    )


def _pool_overdue_on(day: datetime.date, regisseurs: list[Regisseur]) -> dict[DeadlineKind, int]:
    """How many of the pool's regisseurs were late for their caseload review and their
    three-way talk at the end of ``day`` (the deadline selector's ``pool_rules``)."""

    def latest(model: Any) -> dict[int, datetime.date]:
        return dict(
            model.objects.filter(held_on__lte=day)
            .order_by()
            .values("regisseur_id")
            .annotate(latest=Max("held_on"))
            .values_list("regisseur_id", "latest")
        )

    reviews, talks = latest(CaseloadReview), latest(ThreeWayTalk)
    overdue = {DeadlineKind.CASELOAD_REVIEW: 0, DeadlineKind.THREE_WAY_TALK: 0}
    terms = rule_terms()
    for regisseur in regisseurs:
        review_due, talk_due = pool_rules(
            {
                "latest_review": reviews.get(regisseur.pk),
                "latest_talk": talks.get(regisseur.pk),
                "active_from": regisseur.active_from,
            },
            terms,
        )
        overdue[DeadlineKind.CASELOAD_REVIEW] += review_due < day
        overdue[DeadlineKind.THREE_WAY_TALK] += talk_due < day
    return overdue


def exits_between(
    start: datetime.date, end: datetime.date, *, decided_by: datetime.date | None = None
) -> dict[str | None, int]:
    """Cases that left the approach from ``start`` to ``end``, by the ground of the exit
    PTO-R approved (None: exited without a procedure on record; ``decided_by``: as
    ``approved_exit_ground``). One query."""
    return dict(
        Case.objects.filter(exited_on__range=(start, end))
        .order_by()
        .annotate(ground=approved_exit_ground(decided_by=decided_by))
        .values("ground")
        .annotate(n=Count("pk"))
        .values_list("ground", "n")
    )


def partner_cases_on(day: datetime.date, cases: Mapping[int, CaseOnDay]) -> dict[int, int]:
    """Per organisation, the open cases it worked on as intervention partner at the end of
    ``day`` (docs/rules.md R-MON-5): an intervention of the plan then in force in its
    hands and not finished by then (planned or running), or a member of the case's
    intervention team from it. A case counts once per organisation, for as many
    organisations as work on it, so these counts do not add up to the open cases.
    Two queries."""
    interventions = (
        interventions_in_force(day)
        .order_by()
        .values_list("responsible_organisation_id", "plan_version__case_id", "status_then")
    )
    pairs = {
        (organisation, case_id)
        for organisation, case_id, status in interventions
        if case_id in cases and status in OPEN_INTERVENTION_STATUSES
    }
    members = (
        TeamMember.objects.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .order_by()
        .values_list("organisation_id", "case_id")
    )
    pairs |= {(organisation, case_id) for organisation, case_id in members if case_id in cases}
    return dict(Counter(organisation for organisation, _case in pairs))
