"""Every due and overdue item, computed from the rules in one place.

The dashboard worklists, the daily reminders and the quarterly monitor all read
``deadlines()``, so they cannot disagree about what is due. No due date is
stored: an item is due because of dates already recorded (the notification
letter, the latest UVO, evaluation, plan adoption, caseload review, three-way
talk, exit advice), and recording the next event moves its due date on. The
latest of a case's UVOs, adoptions and evaluations, and its plan in force, are
read from ``CaseRhythm``, which the database keeps by triggers in the statement
that records them; the rules that turn them into due dates are below, once.
Items beyond the horizon are never built: the dated ones are filtered in the
query, the others as their rule gives their date.

An item is identified by ``(key, due_on)``: the key names the obligation
("uvo:case:12"), the date names its occurrence. Logging an UVO keeps the key and
moves the date, so a reminder job that stores ``(key, due_on)`` once reminds
once per occurrence.

The computation runs in a fixed number of queries whatever the number of cases:
one for the members of the programme team and PTO-R, one for the stand-ins of the
day, one for all case-level kinds, one for running exit procedures, one for the
interventions of the plans in force (R-CASE-6: each has its term), one for the open
UVO actions, and one for the pool-level kinds. Rows are read as tuples and who is
reminded is worked out once per regisseur and region, not per row: at 100,000 cases
a computation builds about as many items.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

# python-dateutil ships no types (types-python-dateutil is not a dev dependency).
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, display_name
from accounts.selectors import active_user_ids_holding
from kernel.collector import cyclic_gc_paused
from kernel.compiled import CompiledPerShape, CompiledQuery
from pool.models import Absence, CaseloadReview, Regisseur, ThreeWayTalk, active_on_q
from pool.permissions import MANAGE_POOL

from ..access import stand_in_covers
from ..models import (
    MOVE_GROUNDS,
    OPEN_INTERVENTION_STATUSES,
    OPEN_STATUSES,
    Case,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    Phase,
)
from ..permissions import DECIDE_EXIT
from .figures import kept_under_stamp


class DeadlineKind(models.TextChoices):
    FIRST_UVO = "first_uvo", _("Eerste UVO")
    UVO = "uvo", _("UVO (minimaal eens per 2 maanden)")
    PLAN_EVALUATION = "plan_evaluation", _("Maandelijkse evaluatie plan van aanpak")
    TWO_YEARLY_EVALUATION = "two_yearly_evaluation", _("Tweejaarlijkse evaluatie")
    CASELOAD_REVIEW = "caseload_review", _("Caseloadbespreking")
    THREE_WAY_TALK = "three_way_talk", _("Driegesprek")
    EXIT_ADVICE = "exit_advice", _("Uitstroomvoorstel wacht op advies ITAT-R")
    EXIT_DECISION = "exit_decision", _("Uitstroomvoorstel wacht op besluit PTO-R")
    INTERVENTION = "intervention", _("Termijn interventie plan van aanpak")
    UVO_ACTION = "uvo_action", _("Actie uit een UVO")


# The short text of a reminder or worklist line, per kind.
_LABELS = {
    DeadlineKind.FIRST_UVO: _("Eerste UVO voor casus %(case)s"),
    DeadlineKind.UVO: _("UVO voor casus %(case)s"),
    DeadlineKind.PLAN_EVALUATION: _("Evaluatie plan van aanpak voor casus %(case)s"),
    DeadlineKind.TWO_YEARLY_EVALUATION: _("Tweejaarlijkse evaluatie voor casus %(case)s"),
    DeadlineKind.CASELOAD_REVIEW: _("Caseloadbespreking met %(regisseur)s"),
    DeadlineKind.THREE_WAY_TALK: _("Driegesprek met %(regisseur)s"),
    DeadlineKind.EXIT_ADVICE: _("Uitstroomvoorstel casus %(case)s wacht op advies ITAT-R"),
    DeadlineKind.EXIT_DECISION: _("Uitstroomvoorstel casus %(case)s wacht op besluit PTO-R"),
    DeadlineKind.INTERVENTION: _("Termijn interventie in het plan van casus %(case)s"),
    DeadlineKind.UVO_ACTION: _("Actie uit een UVO van casus %(case)s"),
}

# Meetings that are an UVO of the intervention team. A breakthrough meeting may be
# held with ITAT-R instead of the team (R-CASE-3), so it neither counts as the
# first UVO nor keeps up the two-monthly rhythm.
UVO_KINDS = (Meeting.Kind.FIRST, Meeting.Kind.REGULAR, Meeting.Kind.PLUS)


class Deadline(NamedTuple):
    """One due or overdue item. A named tuple, immutable and hashable as a frozen
    dataclass would be, but built in a quarter of the time: a computation builds tens
    of thousands (and keeps them in the cache, where a tuple is also smaller).

    ``regisseur_id`` is the case's regisseur (for a pool-level item: the regisseur
    it concerns); ``responsible_user_ids`` are the people to remind. ``never_held``:
    a caseload review or three-way talk this regisseur never had, due counted from
    joining the pool (the number of days overdue then says little).
    """

    kind: DeadlineKind
    due_on: datetime.date
    overdue: bool
    days_overdue: int
    case_id: int | None
    case_number: str | None
    regisseur_id: int | None
    responsible_user_ids: tuple[int, ...]
    label: str
    key: str
    never_held: bool = False


def deadlines(
    *,
    on: datetime.date,
    horizon_days: int | None = None,
    regisseur: Regisseur | None = None,
    include_buddy: bool = False,
    organisation: Organisation | None = None,
    case_ids: Iterable[int] | None = None,
    directed_by: int | None = None,
    kinds: Collection[DeadlineKind] | None = None,
) -> list[Deadline]:
    """Items due on or before ``on`` + horizon (overdue ones included), by due date
    then key.

    ``regisseur``: items of the cases he directs and of his own caseload review
    and three-way talk; with ``include_buddy`` also items of cases where he is
    buddy ("mijn casussen"). ``organisation``: items of that organisation's
    regisseurs. ``case_ids``: items of those cases only (no pool-level items).
    ``directed_by`` (a user's id): items of the cases the user directs or stands in
    for on ``on``, and the reviews and talks of the regisseur the user is or manages:
    every item a user outside the programme team and PTO-R can be responsible for
    (and more: ``responsible_user_ids`` still decides). ``kinds``: items of these
    kinds only, asking only the queries they need (a worklist).
    """
    if horizon_days is None:
        horizon_days = settings.IPGAR_DEADLINE_HORIZON_DAYS
    return _all_deadlines(
        on=on,
        until=on + datetime.timedelta(days=horizon_days),
        regisseur=regisseur,
        include_buddy=include_buddy,
        organisation=organisation,
        case_ids=case_ids,
        directed_by=directed_by,
        kinds=kinds,
    )


def next_deadline_per_case(*, on: datetime.date, case_ids: Iterable[int]) -> dict[int, Deadline]:
    """The first item due per case, however far ahead; cases with nothing due are absent.
    Kept under the data stamp (``kept_under_stamp``) per set of cases: a list read
    again while nothing changed asks one query instead of the selector's."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}

    def compute() -> dict[int, Deadline]:
        first: dict[int, Deadline] = {}
        for item in _all_deadlines(on=on, until=None, case_ids=ids):
            if item.case_id is not None:
                first.setdefault(item.case_id, item)
        return first

    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    return kept_under_stamp("next-due", (on.isoformat(), get_language(), digest), compute)


# By due date, then key: by position (a C-level look-up per item, not a call).
_by_due_on = operator.itemgetter(Deadline._fields.index("due_on"))
_by_key = operator.itemgetter(Deadline._fields.index("key"))


def _all_deadlines(
    *,
    on: datetime.date,
    until: datetime.date | None,
    regisseur: Regisseur | None = None,
    include_buddy: bool = False,
    organisation: Organisation | None = None,
    case_ids: Iterable[int] | None = None,
    directed_by: int | None = None,
    kinds: Collection[DeadlineKind] | None = None,
) -> list[Deadline]:
    """The items in scope, by due date then key."""
    ids = None if case_ids is None else list(case_ids)
    if ids == []:
        return []
    wanted = frozenset(DeadlineKind if kinds is None else kinds)
    case_scope = _CaseScope(
        regisseur=regisseur,
        include_buddy=include_buddy,
        organisation=organisation,
        case_ids=ids,
        until=until,
        directors=None if directed_by is None else _directed_by(directed_by, on),
    )
    members = _role_members(on)
    items: list[Deadline] = []
    # About one item per open case, none of them in a reference cycle.
    with cyclic_gc_paused():
        if wanted & CASE_KINDS:
            items.extend(_case_deadlines(on, case_scope, members, wanted))
        if wanted & EXIT_KINDS:
            items.extend(
                item for item in _exit_deadlines(on, case_scope, members) if item.kind in wanted
            )
        if DeadlineKind.INTERVENTION in wanted:
            items.extend(_intervention_deadlines(on, case_scope, members))
        if DeadlineKind.UVO_ACTION in wanted:
            items.extend(_action_deadlines(on, case_scope, members))
        if ids is None and wanted & POOL_KINDS:
            # Caseload reviews and three-way talks belong to a regisseur, not to a case.
            items.extend(
                _pool_deadlines(
                    on,
                    _POOL.rows(
                        on=on,
                        regisseur=regisseur,
                        organisation=organisation,
                        directed_by=directed_by,
                    ),
                    members,
                    until,
                    wanted,
                )
            )
        # By key, then (the sort being stable) by due date: the order of a sort by
        # (due date, key) without a tuple built and compared per item.
        items.sort(key=_by_key)
        items.sort(key=_by_due_on)
    return items


# --- scope ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _CaseScope:
    regisseur: Regisseur | None
    include_buddy: bool
    organisation: Organisation | None
    case_ids: list[int] | None
    # Items due after this day are left out (None: however far ahead).
    until: datetime.date | None
    # Only the cases of these regisseurs, or all.
    directors: list[int] | None = None

    def due(self, due_on: datetime.date) -> bool:
        return self.until is None or due_on <= self.until

    def arguments(self) -> dict[str, Any]:
        """The scope as keyword arguments, for a query built from them (``_scoped``)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def q(self, prefix: str = "") -> Q:
        """The filter on cases, reached through ``prefix`` from the model queried."""
        condition = Q(**{f"{prefix}status__in": OPEN_STATUSES})
        if self.regisseur is not None:
            mine = Q(**{f"{prefix}regisseur": self.regisseur})
            if self.include_buddy:
                mine |= Q(**{f"{prefix}buddy": self.regisseur})
            condition &= mine
        if self.organisation is not None:
            condition &= Q(**{f"{prefix}regisseur__organisation": self.organisation})
        if self.case_ids is not None:
            condition &= Q(**{f"{prefix}pk__in": self.case_ids})
        if self.directors is not None:
            condition &= Q(**{f"{prefix}regisseur_id__in": self.directors})
        return condition


def _directed_by(user_id: int, on: datetime.date) -> list[int]:
    """The regisseurs whose cases the user works on ``on``: his own, and those of the
    regisseurs he stands in for (R-POOL-3). One query, read before the case queries:
    as a subquery PostgreSQL guessed it half the pool and scanned every case."""
    return [pk for (pk,) in _DIRECTED_BY.rows(user_id=user_id, on=on)]


def _regisseurs_directed_by(user_id: int, on: datetime.date) -> models.QuerySet[Any]:
    stands_in_for = Absence.objects.filter(
        starts_on__lte=on, ends_on__gte=on, stand_in__user_id=user_id
    ).values("regisseur_id")
    return (
        Regisseur.objects.filter(Q(user_id=user_id) | Q(pk__in=stands_in_for))
        .order_by()
        .values_list("pk")
    )


_DIRECTED_BY: CompiledQuery[Any] = CompiledQuery(_regisseurs_directed_by)


def _pool_rows(
    *,
    on: datetime.date,
    regisseur: Regisseur | None,
    organisation: Organisation | None,
    directed_by: int | None,
) -> models.QuerySet[Any]:
    """The regisseurs in the pool on ``on`` within the scope, with their latest caseload
    review and three-way talk."""
    return (
        Regisseur.objects.active_on(on)
        .filter(
            _pool_scope(regisseur=regisseur, organisation=organisation, directed_by=directed_by)
        )
        .annotate(
            latest_review=_latest(
                CaseloadReview.objects.filter(regisseur=OuterRef("pk")), "held_on"
            ),
            latest_talk=_latest(ThreeWayTalk.objects.filter(regisseur=OuterRef("pk")), "held_on"),
        )
        .values_list(
            "pk",
            "user_id",
            "manager_id",
            "active_from",
            "user__first_name",
            "user__last_name",
            "user__username",
            "latest_review",
            "latest_talk",
        )
        .order_by()
    )


# Compiled once per process for each shape of the scope (``_scoped``).
_POOL: CompiledPerShape = CompiledPerShape(_pool_rows)


def _pool_scope(
    *,
    regisseur: Regisseur | None,
    organisation: Organisation | None,
    directed_by: int | None = None,
) -> Q:
    condition = Q()
    if regisseur is not None:
        condition &= Q(pk=regisseur.pk)
    if organisation is not None:
        condition &= Q(organisation=organisation)
    if directed_by is not None:
        condition &= Q(user_id=directed_by) | Q(manager_id=directed_by)
    return condition


def _scoped(
    build: Callable[..., models.QuerySet[Any]],
) -> Callable[[datetime.date, _CaseScope], Sequence[tuple[Any, ...]]]:
    """The rows of ``build(on=..., <the scope's parts>)``, a query compiled once per
    process for each shape of the scope (kernel/compiled.py): Django spent about 15 ms
    building and compiling the queries of a regisseur's notifications, PostgreSQL a few
    running them."""
    compiled = CompiledPerShape(build)

    def rows(on: datetime.date, scope: _CaseScope) -> Sequence[tuple[Any, ...]]:
        return compiled.rows(on=on, **scope.arguments())

    return rows


# --- who is reminded --------------------------------------------------------------------


class _Directors:
    """Who works a case on ``on`` and is reminded of it (R-POOL-3): its regisseur while
    he is active, with the stand-in who holds his cases during an absence (one kept to
    another region does not stand in for the case); without an active regisseur, the
    programme team, which assigns and hands over cases, so no item goes unowned.

    The absences of the day are read once (one query, a handful of rows) and each
    answer is kept per regisseur and region of the case: thousands of cases share them,
    where a correlated look-up per row cost the case query half its time.
    """

    def __init__(self, on: datetime.date, programme_team: tuple[int, ...]) -> None:
        self.programme_team = programme_team
        # Regisseur id: [(stand-in's account, the region the stand-in is kept to)], the
        # latest absence first.
        self.stand_ins: dict[int, list[tuple[int | None, int | None]]] = {}
        for regisseur_id, user_id, region_id in _ABSENCES.rows(on=on):
            self.stand_ins.setdefault(regisseur_id, []).append((user_id, region_id))
        self._known: dict[tuple[int | None, int | None], tuple[int, ...]] = {}

    def of(
        self, regisseur_id: int | None, region_id: int | None, user_id: int | None, active: bool
    ) -> tuple[int, ...]:
        """The accounts to remind of a case, from the columns ``_with_directors`` adds."""
        key = (regisseur_id, region_id)
        known = self._known.get(key)
        if known is None:
            if active:
                stand_in = next(
                    (
                        stand_in_user
                        for stand_in_user, kept_to in self.stand_ins.get(regisseur_id or 0, ())
                        if stand_in_covers(kept_to, region_id)
                    ),
                    None,
                )
                known = _user_ids([user_id, stand_in])
            else:
                known = self.programme_team
            self._known[key] = known
        return known


def _absences_of(on: datetime.date) -> models.QuerySet[Any]:
    return (
        Absence.objects.filter(starts_on__lte=on, ends_on__gte=on, stand_in__isnull=False)
        .order_by("-starts_on", "-pk")
        .values_list("regisseur_id", "stand_in__user_id", "stand_in__region_restriction_id")
    )


_ABSENCES: CompiledQuery[Any] = CompiledQuery(_absences_of)


def _with_directors(
    queryset: models.QuerySet[Any], on: datetime.date, case_path: str = ""
) -> tuple[models.QuerySet[Any], tuple[str, ...]]:
    """``queryset`` with the columns ``_Directors.of`` takes, reached through
    ``case_path`` ("" from a case, "meeting__case__" from an UVO action): the case's
    regisseur, region and the regisseur's account, and whether he is in the pool on
    ``on`` (null without a regisseur); and the names of those columns."""
    annotated = queryset.annotate(
        director_active=ExpressionWrapper(
            active_on_q(on, prefix=f"{case_path}regisseur__"), output_field=BooleanField()
        )
    )
    return annotated, (
        f"{case_path}regisseur_id",
        f"{case_path}region_id",
        f"{case_path}regisseur__user_id",
        "director_active",
    )


@dataclasses.dataclass(frozen=True)
class _Members:
    programme_team: tuple[int, ...]
    pto_r: tuple[int, ...]
    items: _Items
    directors: _Directors
    terms: RuleTerms


def _role_members(on: datetime.date) -> _Members:
    """Who answers for the pool (assigns and hands over cases, registers advice, holds
    reviews and talks: the programme team) and who decides exits (PTO-R), by what
    their roles allow, in one query; and who stands in for whom on ``on``, in another."""
    holders = active_user_ids_holding(MANAGE_POOL, DECIDE_EXIT)
    programme_team = _user_ids(holders[MANAGE_POOL])
    return _Members(
        programme_team=programme_team,
        pto_r=_user_ids(holders[DECIDE_EXIT]),
        items=_Items(on),
        directors=_Directors(on, programme_team),
        terms=rule_terms(),
    )


def _user_ids(*groups: Iterable[int | None]) -> tuple[int, ...]:
    return tuple(sorted({user_id for group in groups for user_id in group if user_id is not None}))


# Stands for the case number or the regisseur's name in a label translated once per
# computation; it occurs in no translation.
_MARK = "\x00"


class _Items:
    """Builds the items of one computation. What items share is worked out once: each
    kind's label in the active language (translated once rather than per item, and
    split around the case number or the regisseur's name, which ``str.join`` puts
    back: the text ``label % {"case": ..., "regisseur": ...}`` gives), each kind's key
    prefix, and how late each due date is (thousands of items share a date). At
    100,000 cases a computation builds about as many items."""

    def __init__(self, on: datetime.date) -> None:
        self.on = on
        labels = {kind: str(text) for kind, text in _LABELS.items()}
        # A case's items name its number; a regisseur's items (no case) his name.
        self._around_case = {
            kind: tuple((text % {"case": _MARK, "regisseur": ""}).split(_MARK))
            for kind, text in labels.items()
        }
        self._around_name = {
            kind: tuple((text % {"case": None, "regisseur": _MARK}).split(_MARK))
            for kind, text in labels.items()
        }
        self._late: dict[datetime.date, tuple[bool, int]] = {}

    def of_case(
        self,
        kind: DeadlineKind,
        due_on: datetime.date,
        key: str,
        case_id: int,
        case_number: str,
        regisseur_id: int | None,
        responsible_user_ids: tuple[int, ...],
    ) -> Deadline:
        """An item of a case (positional: a call per item, where keywords cost a
        dictionary each)."""
        late = self._late.get(due_on)
        if late is None:
            late = self._late[due_on] = (due_on < self.on, max((self.on - due_on).days, 0))
        # The fields in Deadline's order, made a Deadline without its generated
        # __new__ (a Python call per item, half the cost of building one).
        return _as_deadline(
            Deadline,
            (
                kind,
                due_on,
                late[0],
                late[1],
                case_id,
                case_number,
                regisseur_id,
                responsible_user_ids,
                case_number.join(self._around_case[kind]),
                key,
                False,
            ),
        )

    def of_regisseur(
        self,
        kind: DeadlineKind,
        due_on: datetime.date,
        regisseur_id: int,
        responsible_user_ids: tuple[int, ...],
        regisseur_name: str,
        never_held: bool,
    ) -> Deadline:
        """A caseload review or three-way talk: it concerns a regisseur, not a case."""
        return _as_deadline(
            Deadline,
            (
                kind,
                due_on,
                due_on < self.on,
                max((self.on - due_on).days, 0),
                None,
                None,
                regisseur_id,
                responsible_user_ids,
                regisseur_name.join(self._around_name[kind]),
                f"{kind._value_}:regisseur:{regisseur_id}",
                never_held,
            ),
        )


_as_deadline = tuple.__new__


# --- the rules --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _months_after(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus a number of calendar months; memoised, as thousands of cases share
    their dates (and positional, as a keyword makes each look-up build a key)."""
    return day + relativedelta(months=months)


def _latest(queryset: models.QuerySet[Any], field: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


class RuleTerms(NamedTuple):
    """The terms of the rules below (docs/rules.md), read from the settings once per
    computation: a setting read goes through Django's lazy settings object, which at
    100,000 cases cost a quarter of a second of look-ups."""

    first_uvo: datetime.timedelta
    uvo_months: int
    plan_evaluation_months: int
    two_yearly_months: int
    caseload_review_months: int
    three_way_talk_months: int


def rule_terms() -> RuleTerms:
    return RuleTerms(
        first_uvo=datetime.timedelta(weeks=settings.IPGAR_FIRST_UVO_WEEKS),
        uvo_months=settings.IPGAR_UVO_INTERVAL_MONTHS,
        plan_evaluation_months=settings.IPGAR_PLAN_EVALUATION_MONTHS,
        two_yearly_months=12 * settings.IPGAR_EXIT_EVALUATION_YEARS,
        caseload_review_months=settings.IPGAR_CASELOAD_REVIEW_MONTHS,
        three_way_talk_months=settings.IPGAR_THREE_WAY_TALK_MONTHS,
    )


class CaseFacts(NamedTuple):
    """What the case-level rules count from: the case's own dates and its rhythm (the
    latest UVO, plan adoption and evaluations recorded)."""

    notification_signed_on: datetime.date | None
    phase: int
    phase_since: datetime.date
    latest_uvo: datetime.date | None
    latest_adoption: datetime.date | None
    latest_monthly_evaluation: datetime.date | None
    latest_two_yearly_evaluation: datetime.date | None


# The columns of CaseFacts as the case query reads them (the rhythm as the database
# keeps it, CaseRhythm: one joined row).
_CASE_FACT_FIELDS = (
    "notification_signed_on",
    "phase",
    "phase_since",
    "rhythm__latest_uvo_on",
    "rhythm__latest_adoption_on",
    "rhythm__latest_monthly_evaluation_on",
    "rhythm__latest_two_yearly_evaluation_on",
)
CASE_KINDS = frozenset(
    {
        DeadlineKind.FIRST_UVO,
        DeadlineKind.UVO,
        DeadlineKind.PLAN_EVALUATION,
        DeadlineKind.TWO_YEARLY_EVALUATION,
    }
)
EXIT_KINDS = frozenset({DeadlineKind.EXIT_ADVICE, DeadlineKind.EXIT_DECISION})
POOL_KINDS = frozenset({DeadlineKind.CASELOAD_REVIEW, DeadlineKind.THREE_WAY_TALK})


def _case_deadlines(
    on: datetime.date, scope: _CaseScope, members: _Members, wanted: frozenset[DeadlineKind]
) -> Iterator[Deadline]:
    """First UVO, UVO, plan evaluation and two-yearly evaluation: one query for all cases.
    About one row in a hundred thousand cases: the loop reads the row's columns by
    position (pk, number, the seven facts, then the four of ``_with_directors``)."""
    directors_of, terms, until = members.directors.of, members.terms, scope.until
    of_case = members.items.of_case
    keys = {kind: f"{kind._value_}:case:" for kind in CASE_KINDS}
    every_kind = wanted >= CASE_KINDS
    for row in _case_rows(on, scope):
        responsible = None
        for kind, due_on in case_rules(_as_facts(CaseFacts, row[2:9]), terms):
            if (until is not None and due_on > until) or not (every_kind or kind in wanted):
                continue
            if responsible is None:
                responsible = directors_of(row[9], row[10], row[11], row[12])
            pk = row[0]
            yield of_case(kind, due_on, f"{keys[kind]}{pk}", pk, row[1], row[9], responsible)


_as_facts = tuple.__new__


@_scoped
def _case_rows(*, on: datetime.date, **scope: Any) -> models.QuerySet[Any]:
    cases, directors = _with_directors(Case.objects.filter(_CaseScope(**scope).q()), on)
    return cases.values_list("pk", "number", *_CASE_FACT_FIELDS, *directors).order_by()


# The members the rules name, read once: an enum member read through its class costs a
# look-up in the enum's metaclass, and the rules run for every open case.
_FIRST_UVO = DeadlineKind.FIRST_UVO
_UVO = DeadlineKind.UVO
_PLAN_EVALUATION = DeadlineKind.PLAN_EVALUATION
_TWO_YEARLY_EVALUATION = DeadlineKind.TWO_YEARLY_EVALUATION
_EXECUTION = Phase.EXECUTION
_EXIT = Phase.EXIT


def case_rules(facts: CaseFacts, terms: RuleTerms) -> Iterator[tuple[DeadlineKind, datetime.date]]:
    (
        signed_on,
        phase,
        phase_since,
        latest_uvo,
        adopted_on,
        latest_monthly_evaluation,
        latest_two_yearly_evaluation,
    ) = facts

    # R-CASE-4 and assumption A-1 (docs/rules.md): the first UVO as soon as possible after
    # the notification letter.
    if signed_on is not None and latest_uvo is None:
        yield _FIRST_UVO, signed_on + terms.first_uvo

    # R-CASE-3: in phase 2 an UVO at least once every two months, counted from the
    # latest UVO or, when none was held since, from entering phase 2.
    if phase == _EXECUTION:
        since = max(latest_uvo or phase_since, phase_since)
        yield _UVO, _months_after(since, terms.uvo_months)

    # R-CASE-8: while an adopted plan runs it is evaluated monthly; adopting a new
    # version (which follows an evaluation) starts the month again.
    if phase in (_EXECUTION, _EXIT) and adopted_on is not None:
        since = max(latest_monthly_evaluation or adopted_on, adopted_on)
        yield _PLAN_EVALUATION, _months_after(since, terms.plan_evaluation_months)

    # R-CASE-10: every two years the team asks whether the person can exit. In phase 3
    # that question has been answered: the exit procedure runs instead.
    since_two_yearly = latest_two_yearly_evaluation or signed_on
    if phase != _EXIT and since_two_yearly is not None:
        yield _TWO_YEARLY_EVALUATION, _months_after(since_two_yearly, terms.two_yearly_months)


def pool_rules(row: Mapping[str, Any], terms: RuleTerms) -> tuple[datetime.date, datetime.date]:
    """R-POOL-6, R-POOL-7: a caseload review every 3 months, a three-way talk with the
    manager every year, counted from the last one or from joining the pool. ``row``
    holds ``latest_review``, ``latest_talk`` and ``active_from``; the answer is the
    review's and the talk's due date."""
    return (
        _months_after(row["latest_review"] or row["active_from"], terms.caseload_review_months),
        _months_after(row["latest_talk"] or row["active_from"], terms.three_way_talk_months),
    )


def _exit_deadlines(on: datetime.date, scope: _CaseScope, members: _Members) -> Iterator[Deadline]:
    """Running exit procedures waiting for ITAT-R's advice or PTO-R's decision: one query."""
    term = datetime.timedelta(days=settings.IPGAR_EXIT_DECISION_DAYS)
    for row in _exit_rows(on, scope):
        pk, status, ground, opened_on, team_judgement_on, case_id, number, *director = row
        *director, latest_exit_advice = director
        directing = members.directors.of(*director)
        if status == ExitProcedure.Status.OPEN:
            # R-EXIT-2: ITAT-R advises on a proposal (the team's judgement at the end of
            # phase 3) or on a move, which is its own proposal; before either exists the
            # ITAT-R step is not due, so never overdue.
            if team_judgement_on is None and ground not in MOVE_GROUNDS:
                continue
            kind = DeadlineKind.EXIT_ADVICE
            waiting_since: datetime.date = team_judgement_on or opened_on
            responsible = _user_ids(directing, members.programme_team)
        else:
            kind = DeadlineKind.EXIT_DECISION
            # "advies" without a recorded exit advice cannot happen through the
            # services; fall back on the latest date known rather than drop the item.
            waiting_since = latest_exit_advice or team_judgement_on or opened_on
            responsible = _user_ids(directing, members.pto_r)
        if not scope.due(waiting_since + term):
            continue
        yield members.items.of_case(
            kind,
            waiting_since + term,
            f"{kind._value_}:exit:{pk}",
            case_id,
            number,
            director[0],
            responsible,
        )


@_scoped
def _exit_rows(*, on: datetime.date, **scope: Any) -> models.QuerySet[Any]:
    procedures, directors = _with_directors(
        ExitProcedure.objects.running().filter(_CaseScope(**scope).q("case__")), on, "case__"
    )
    latest_exit_advice = _latest(
        ItatAdvice.objects.filter(exit_procedure=OuterRef("pk"), subject=ItatAdvice.Subject.EXIT),
        "given_on",
    )
    return (
        procedures.annotate(latest_exit_advice=latest_exit_advice)
        .values_list(
            "pk",
            "status",
            "ground",
            "opened_on",
            "team_judgement_on",
            "case_id",
            "case__number",
            *directors,
            "latest_exit_advice",
        )
        .order_by()
    )


def _intervention_deadlines(
    on: datetime.date, scope: _CaseScope, members: _Members
) -> Iterator[Deadline]:
    """R-CASE-6: every intervention of the plan in force (the case's latest adopted
    version) has a term; one not yet done or stopped is due on it. One query."""
    return _dated_items(
        _intervention_rows(on, scope),
        kind=DeadlineKind.INTERVENTION,
        subject="intervention",
        on=on,
        members=members,
    )


@_scoped
def _intervention_rows(*, on: datetime.date, **scope: Any) -> models.QuerySet[Any]:
    in_scope = _CaseScope(**scope)
    return _dated_rows(
        Intervention.objects.filter(
            in_scope.q("plan_version__case__"),
            plan_version__in_force_for__isnull=False,
            status__in=OPEN_INTERVENTION_STATUSES,
        ),
        until=in_scope.until,
        case_path="plan_version__case",
        due_field="deadline",
        on=on,
    )


def _action_deadlines(
    on: datetime.date, scope: _CaseScope, members: _Members
) -> Iterator[Deadline]:
    """Actions agreed in an UVO and not yet done, due on their date. One query."""
    return _dated_items(
        _action_rows(on, scope),
        kind=DeadlineKind.UVO_ACTION,
        subject="action",
        on=on,
        members=members,
    )


@_scoped
def _action_rows(*, on: datetime.date, **scope: Any) -> models.QuerySet[Any]:
    in_scope = _CaseScope(**scope)
    return _dated_rows(
        MeetingAction.objects.filter(in_scope.q("meeting__case__"), done_on__isnull=True),
        until=in_scope.until,
        case_path="meeting__case",
        due_field="due_on",
        on=on,
    )


def _dated_rows(
    queryset: models.QuerySet[Any],
    *,
    until: datetime.date | None,
    case_path: str,
    due_field: str,
    on: datetime.date,
) -> models.QuerySet[Any]:
    """Records of a case that are due on a date of their own (``due_field``), reached
    through ``case_path``, with their case and its directors."""
    if until is not None:
        queryset = queryset.filter(**{f"{due_field}__lte": until})
    queryset, directors = _with_directors(queryset, on, f"{case_path}__")
    return queryset.values_list(
        "pk", due_field, f"{case_path}_id", f"{case_path}__number", *directors
    ).order_by()


def _dated_items(
    rows: Iterable[tuple[Any, ...]],
    *,
    kind: DeadlineKind,
    subject: str,
    on: datetime.date,
    members: _Members,
) -> Iterator[Deadline]:
    """The items of ``_dated_rows``: their regisseur and his directors are responsible."""
    directors_of, of_case = members.directors.of, members.items.of_case
    prefix = f"{kind._value_}:{subject}:"
    for pk, due_on, case_id, number, regisseur_id, region_id, user_id, active in rows:
        yield of_case(
            kind,
            due_on,
            f"{prefix}{pk}",
            case_id,
            number,
            regisseur_id,
            directors_of(regisseur_id, region_id, user_id, active),
        )


def _pool_deadlines(
    on: datetime.date,
    rows: Iterable[tuple[Any, ...]],
    members: _Members,
    until: datetime.date | None,
    wanted: frozenset[DeadlineKind],
) -> Iterator[Deadline]:
    """Caseload reviews and three-way talks of every active regisseur (``_pool_rows``)."""
    for pk, user_id, manager_id, active_from, first, last, username, review, talk in rows:
        name = display_name(first, last, username)
        review_due, talk_due = pool_rules(
            {"latest_review": review, "latest_talk": talk, "active_from": active_from},
            members.terms,
        )
        if DeadlineKind.CASELOAD_REVIEW in wanted and (until is None or review_due <= until):
            yield members.items.of_regisseur(
                DeadlineKind.CASELOAD_REVIEW,
                review_due,
                pk,
                _user_ids(members.programme_team, [user_id]),
                name,
                review is None,
            )
        if DeadlineKind.THREE_WAY_TALK in wanted and (until is None or talk_due <= until):
            yield members.items.of_regisseur(
                DeadlineKind.THREE_WAY_TALK,
                talk_due,
                pk,
                _user_ids(members.programme_team, [user_id, manager_id]),
                name,
                talk is None,
            )
