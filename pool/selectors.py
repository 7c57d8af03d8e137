"""Read selectors of the pool: who is in it, how full each caseload is, when the
caseload reviews and three-way talks were held, and how the team rhythm stands.

pool knows nothing of cases: cases are counted through the reverse relations
``cases_as_regisseur`` / ``cases_as_buddy`` that the cases app declares on
Regisseur and through the app registry, and "open" is the cases app's named
queryset (``open()``), never a status list of pool's own.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from django.apps import apps
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User, display_name
from kernel.compiled import CompiledQuery
from kernel.dates import day_shown

from .models import (
    Absence,
    Attendance,
    CaseloadReview,
    PoolDecision,
    PoolRule,
    Region,
    Regisseur,
    TeamActivity,
    ThreeWayTalk,
    active_on_q,
    capacity_of,
)
from .permissions import (
    VIEW_ORGANISATION_CASELOAD,
    may_see_all_caseload_reviews,
    may_see_all_three_way_talks,
    may_see_organisation_three_way_talks,
    may_see_own_caseload_reviews,
    may_see_own_three_way_talks,
)

if TYPE_CHECKING:  # django-stubs' helper, a development dependency only
    from django_stubs_ext import WithAnnotations

# Team rhythm (R-POOL-8): a team meeting every 4 weeks, intervision every 8 weeks.
TEAM_MEETING_INTERVAL = datetime.timedelta(weeks=4)
INTERVISION_INTERVAL = datetime.timedelta(weeks=8)


def regions_by_name() -> QuerySet[Region]:
    """Every region by name: what a region filter offers to choose from."""
    return Region.objects.order_by("name")


# Compiled once per process (kernel/compiled.py): the case lists' and the dashboard's
# region filters read them on every view.
REGIONS_BY_NAME: CompiledQuery[Region] = CompiledQuery(regions_by_name)


def regisseurs_active(
    *, on: datetime.date, organisation: Organisation | None = None
) -> QuerySet[Regisseur]:
    """The pool on ``on``: regisseurs whose membership covers that day."""
    regisseurs = Regisseur.objects.active_on(on).select_related(
        "user", "organisation", "region_restriction"
    )
    if organisation is not None:
        regisseurs = regisseurs.filter(organisation=organisation)
    return regisseurs


# --- pool overview (the table of R-POOL-4) ---------------------------------------


@dataclasses.dataclass(frozen=True)
class PoolRow:
    """One line of the pool overview: a regisseur and his caseload."""

    regisseur_id: int
    name: str
    organisation: str
    fte: Decimal
    capacity: int  # "casussen max"
    cases_in_regie: int
    new_cases: int
    buddy_cases: int
    remark: str  # "bijzonderheden"
    region_restriction: str | None

    @property
    def total_cases(self) -> int:
        return self.cases_in_regie + self.new_cases

    @property
    def free_places(self) -> int:
        """Room left in the caseload; negative when over capacity."""
        return self.capacity - self.total_cases

    @property
    def over_capacity(self) -> bool:
        return self.total_cases > self.capacity


@dataclasses.dataclass(frozen=True)
class PoolOverview:
    on: datetime.date
    new_since: datetime.date | None
    rows: tuple[PoolRow, ...]

    @property
    def regisseur_count(self) -> int:
        return len(self.rows)

    @property
    def total_fte(self) -> Decimal:
        return sum((row.fte for row in self.rows), Decimal(0))

    @property
    def total_capacity(self) -> int:
        return sum(row.capacity for row in self.rows)

    @property
    def cases_in_regie(self) -> int:
        return sum(row.cases_in_regie for row in self.rows)

    @property
    def new_cases(self) -> int:
        return sum(row.new_cases for row in self.rows)

    @property
    def total_cases(self) -> int:
        return sum(row.total_cases for row in self.rows)

    @property
    def buddy_cases(self) -> int:
        return sum(row.buddy_cases for row in self.rows)

    @property
    def free_places(self) -> int:
        return self.total_capacity - self.total_cases

    @property
    def over_capacity(self) -> tuple[PoolRow, ...]:
        return tuple(row for row in self.rows if row.over_capacity)

    def per_organisation(self) -> list[OrganisationTotals]:
        """The rows added up per organisation, by its name: a pool too big to read per
        regisseur."""
        groups: dict[str, list[PoolRow]] = {}
        for row in self.rows:
            groups.setdefault(row.organisation, []).append(row)
        return [
            OrganisationTotals(
                organisation=name,
                regisseurs=len(rows),
                fte=sum((row.fte for row in rows), Decimal(0)),
                capacity=sum(row.capacity for row in rows),
                cases_in_regie=sum(row.cases_in_regie for row in rows),
                new_cases=sum(row.new_cases for row in rows),
                buddy_cases=sum(row.buddy_cases for row in rows),
                over_capacity=sum(1 for row in rows if row.over_capacity),
            )
            for name, rows in sorted(groups.items())
        ]


@dataclasses.dataclass(frozen=True)
class OrganisationTotals:
    """The pool overview's rows of one organisation added up."""

    organisation: str
    regisseurs: int
    fte: Decimal
    capacity: int
    cases_in_regie: int
    new_cases: int
    buddy_cases: int
    over_capacity: int  # how many of its regisseurs are above their capacity

    @property
    def total_cases(self) -> int:
        return self.cases_in_regie + self.new_cases

    @property
    def free_places(self) -> int:
        return self.capacity - self.total_cases


def pool_overview(
    *,
    on: datetime.date,
    new_since: datetime.date | None = None,
    organisation: Organisation | None = None,
) -> PoolOverview:
    """Every regisseur active on ``on`` with capacity and open cases, in three queries
    (the regisseurs, the open cases counted per regisseur and per buddy).

    With ``new_since`` the open cases he took on from that day are "new cases" and
    the rest "in regie" (the table of R-POOL-4: cases taken over from the police);
    without it every open case is in regie. Case counts are the present
    caseload; ``on`` decides who is in the pool. ``organisation`` narrows the
    overview to one moederorganisatie (what its manager may see).
    """
    case_model = apps.get_model("cases", "Case")  # cases builds on pool, not the reverse
    open_cases = case_model.objects.open().order_by()
    if organisation is not None:
        mine = open_cases.filter(regisseur__organisation=organisation)
        buddying = open_cases.filter(buddy__organisation=organisation)
    else:
        mine, buddying = open_cases.filter(regisseur__isnull=False), open_cases
    # A case taken on before ``new_since``, or without a regisseur_since date, is in
    # regie; the rest of his open cases are new. Counted in one pass over the open
    # cases per role, not per regisseur (a count per regisseur in a subquery took half
    # a second at 100,000 cases).
    new = Value(0) if new_since is None else Count("pk", filter=Q(regisseur_since__gte=new_since))
    own = {
        regisseur_id: (total, n_new)
        for regisseur_id, total, n_new in mine.values("regisseur_id")
        .annotate(total=Count("pk"), new=new)
        .values_list("regisseur_id", "total", "new")
    }
    buddies = dict(
        buddying.filter(buddy__isnull=False)
        .values("buddy_id")
        .annotate(n=Count("pk"))
        .values_list("buddy_id", "n")
    )
    regisseurs = (
        regisseurs_active(on=on, organisation=organisation)
        .order_by("user__last_name", "user__first_name")
        .values_list(
            "pk",
            "user__first_name",
            "user__last_name",
            "user__username",
            "organisation__name",
            "fte",
            "remark",
            "region_restriction__name",
        )
    )
    rows = []
    for pk, first_name, last_name, username, organisation_name, fte, remark, region in regisseurs:
        total, n_new = own.get(pk, (0, 0))
        rows.append(
            PoolRow(
                regisseur_id=pk,
                name=display_name(first_name, last_name, username),
                organisation=organisation_name,
                fte=fte,
                capacity=capacity_of(fte),
                cases_in_regie=total - n_new,
                new_cases=n_new,
                buddy_cases=buddies.get(pk, 0),
                remark=remark,
                region_restriction=region,
            )
        )
    return PoolOverview(on=on, new_since=new_since, rows=tuple(rows))


# --- one regisseur's caseload, for the caseload review -----------------------------


def regisseur_caseload(*, regisseur: Regisseur) -> dict[str, Any]:
    """The regisseur's open cases as regisseur and as buddy, JSON-ready.

    Pseudonymous only: case number, phase, status and region code, never
    anything of the person. Two queries.
    """

    def cases(relation: QuerySet[Any]) -> list[dict[str, Any]]:
        return [
            {"number": number, "phase": phase, "status": status, "region": region}
            for number, phase, status, region in relation.order_by("number").values_list(
                "number", "phase", "status", "region__code"
            )
        ]

    as_regisseur = cases(regisseur.cases_as_regisseur.open())
    as_buddy = cases(regisseur.cases_as_buddy.open())
    return {
        "fte": f"{regisseur.fte:.2f}",  # as stored, however the caller wrote it
        "capacity": regisseur.capacity,
        "cases_as_regisseur": as_regisseur,
        "cases_as_buddy": as_buddy,
        "total": len(as_regisseur),
        "over_capacity": len(as_regisseur) > regisseur.capacity,
    }


def caseload_snapshot_shown(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A stored caseload snapshot as its page shows it: each case with ``status_label``,
    the label of the status value the snapshot froze (the case model's own choices, so a
    template never compares status strings). No queries."""
    labels = dict(apps.get_model("cases", "Case")._meta.get_field("status").flatchoices)

    def shown(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**case, "status_label": labels.get(case["status"], case["status"])} for case in cases
        ]

    return {
        **snapshot,
        "cases_as_regisseur": shown(snapshot.get("cases_as_regisseur", [])),
        "cases_as_buddy": shown(snapshot.get("cases_as_buddy", [])),
    }


# --- caseload reviews and three-way talks, for the deadlines ----------------------


class _LastTalks(TypedDict):
    last_caseload_review_on: datetime.date | None
    last_three_way_talk_on: datetime.date | None


def regisseurs_with_last_talks(
    *, on: datetime.date, organisation: Organisation | None = None
) -> QuerySet[WithAnnotations[Regisseur, _LastTalks]]:
    """Active regisseurs annotated with ``last_caseload_review_on`` and
    ``last_three_way_talk_on`` (on or before ``on``; None when never held), in one query."""

    def latest(model: type[CaseloadReview] | type[ThreeWayTalk]) -> Subquery:
        held = model.objects.filter(regisseur=OuterRef("pk"), held_on__lte=on).order_by("-held_on")
        return Subquery(held.values("held_on")[:1])

    return regisseurs_active(on=on, organisation=organisation).annotate(
        last_caseload_review_on=latest(CaseloadReview),
        last_three_way_talk_on=latest(ThreeWayTalk),
    )


def last_caseload_review_dates(
    *, on: datetime.date, organisation: Organisation | None = None
) -> dict[int, datetime.date | None]:
    """Regisseur id -> date of his latest caseload review on or before ``on``."""
    regisseurs = regisseurs_with_last_talks(on=on, organisation=organisation)
    return dict(regisseurs.values_list("pk", "last_caseload_review_on"))


def last_three_way_talk_dates(
    *, on: datetime.date, organisation: Organisation | None = None
) -> dict[int, datetime.date | None]:
    """Regisseur id -> date of his latest three-way talk on or before ``on``."""
    regisseurs = regisseurs_with_last_talks(on=on, organisation=organisation)
    return dict(regisseurs.values_list("pk", "last_three_way_talk_on"))


# --- team rhythm -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SeriesProgress:
    name: str
    held: int
    size: int

    @property
    def label(self) -> str:
        """ "3 van 10"."""
        return _("%(held)s van %(size)s") % {"held": self.held, "size": self.size}

    @property
    def completed(self) -> bool:
        return self.held >= self.size


@dataclasses.dataclass(frozen=True)
class TeamRhythm:
    on: datetime.date
    last_team_meeting_on: datetime.date | None
    last_intervision_on: datetime.date | None
    trainings_this_year: int
    outing_this_year: bool
    intervision_series: SeriesProgress | None

    @property
    def next_team_meeting_due_on(self) -> datetime.date:
        """Four weeks after the last one; due at once when none was held yet."""
        if self.last_team_meeting_on is None:
            return self.on
        return self.last_team_meeting_on + TEAM_MEETING_INTERVAL

    @property
    def next_intervision_due_on(self) -> datetime.date:
        """Eight weeks after the last one; due at once when none was held yet."""
        if self.last_intervision_on is None:
            return self.on
        return self.last_intervision_on + INTERVISION_INTERVAL

    @property
    def team_meeting_overdue(self) -> bool:
        return self.next_team_meeting_due_on < self.on

    @property
    def intervision_overdue(self) -> bool:
        return self.next_intervision_due_on < self.on


def team_rhythm_status(*, on: datetime.date) -> TeamRhythm:
    """Where the team rhythm stands on ``on`` (activities after ``on`` are ignored).

    The intervision series is the one of the latest intervision held. Two queries.
    """
    held = TeamActivity.objects.filter(held_on__lte=on)
    kind = TeamActivity.Kind
    this_year = Q(held_on__year=on.year)
    facts = held.aggregate(
        last_team_meeting_on=Max("held_on", filter=Q(kind=kind.TEAM_MEETING)),
        last_intervision_on=Max("held_on", filter=Q(kind=kind.INTERVISION)),
        trainings_this_year=Count("pk", filter=Q(kind=kind.TRAINING) & this_year),
        outings_this_year=Count("pk", filter=Q(kind=kind.OUTING) & this_year),
    )
    latest_intervision = (
        held.filter(kind=kind.INTERVISION)
        .order_by("-held_on", "-series_number")
        .annotate(
            held_in_series=Subquery(
                held.filter(kind=kind.INTERVISION, series_name=OuterRef("series_name"))
                .order_by()
                .values("series_name")
                .annotate(n=Count("pk"))
                .values("n")
            )
        )
        .values("series_name", "series_size", "held_in_series")
        .first()
    )
    series = None
    if latest_intervision is not None:
        series = SeriesProgress(
            name=latest_intervision["series_name"],
            held=latest_intervision["held_in_series"],
            size=latest_intervision["series_size"],
        )
    return TeamRhythm(
        on=on,
        last_team_meeting_on=facts["last_team_meeting_on"],
        last_intervision_on=facts["last_intervision_on"],
        trainings_this_year=facts["trainings_this_year"],
        outing_this_year=facts["outings_this_year"] > 0,
        intervision_series=series,
    )


# --- pool management (the programme team's pages) ------------------------------------


class CurrentAbsence(TypedDict):
    until: str  # the last day, dd-mm-yyyy
    stand_in: str | None  # the stand-in's name


class RegisseurLine(TypedDict):
    """One regisseur of the programme team's list as the page shows him: plain values
    in a dict (pool/templatetags/pool_list.py writes the row), the numbers and days
    already written out (the template's number localisation and date filter cost more
    than the rest of a row)."""

    pk: int
    name: str
    remark: str
    organisation: str
    fte: str  # as the floatformat:"-2" filter writes it: 0,8 / 1
    capacity: str
    open_own: str
    over_capacity: bool  # more own open cases than his capacity
    open_buddy: str
    region_restriction: str | None
    manager: str | None
    active_from: str
    active_until: str | None
    ended: bool  # his membership ended before the day of the list
    current_absences: list[CurrentAbsence]


# The list's order: by name, then id for stable pages.
_NAME_ORDER = ("user__last_name", "user__first_name", "pk")


class RegisseurPage(NamedTuple):
    page: Page[Any]  # for the page links
    lines: list[RegisseurLine]


def _regisseurs_by_name() -> QuerySet[Regisseur]:
    """Every regisseur, past and present, in name order, with what his line shows: his
    open cases as regisseur and as buddy, and the names of his user, organisation,
    region restriction and manager as annotations."""
    return (
        Regisseur.objects.only("pk", "remark", "fte", "active_from", "active_until")
        .annotate(
            open_own=_open_cases_as("regisseur"),
            open_buddy=_open_cases_as("buddy"),
            first_name=F("user__first_name"),
            last_name=F("user__last_name"),
            username=F("user__username"),
            organisation_name=F("organisation__name"),
            region_name=F("region_restriction__name"),
            manager_first_name=F("manager__first_name"),
            manager_last_name=F("manager__last_name"),
            manager_username=F("manager__username"),
        )
        .order_by(*_NAME_ORDER)
    )


def _absences_on_page(*, on: datetime.date, offset: int, size: int) -> QuerySet[Any]:
    """The absences covering ``on`` of the regisseurs on the page of ``size`` from
    ``offset`` in name order, latest start first, with their stand-ins' names: rows of
    regisseur id, last day, stand-in's first name, last name and username."""
    page = Regisseur.objects.order_by(*_NAME_ORDER).values("pk")[offset : offset + size]
    return (
        Absence.objects.filter(regisseur__in=page, starts_on__lte=on, ends_on__gte=on)
        .order_by("-starts_on")
        .values_list(
            "regisseur_id",
            "ends_on",
            "stand_in__user__first_name",
            "stand_in__user__last_name",
            "stand_in__user__username",
        )
    )


class _PageQueries(NamedTuple):
    regisseurs: CompiledQuery[Regisseur]
    absences: CompiledQuery[Any]  # rows of _absences_on_page


# The queries of one page of the list per (offset, size), compiled once per process:
# Django took longer to build the page's query (two counting subqueries, four joins)
# than PostgreSQL to run it, and PostgreSQL longer to plan it than to run it. The
# offset shapes the SQL, so each page has queries of its own: a pool of 950 has 19 pages.
_PAGES: dict[tuple[int, int], _PageQueries] = {}


def _page_queries(*, offset: int, size: int) -> _PageQueries:
    queries = _PAGES.get((offset, size))
    if queries is None:
        queries = _PAGES.setdefault(
            (offset, size),
            _PageQueries(
                regisseurs=CompiledQuery(lambda: _regisseurs_by_name()[offset : offset + size]),
                absences=CompiledQuery(
                    lambda on: _absences_on_page(on=on, offset=offset, size=size)
                ),
            ),
        )
    return queries


class PoolSize(NamedTuple):
    regisseurs: int  # every regisseur, past and present
    fte: Decimal  # of those in the pool on the day


def pool_size(*, on: datetime.date) -> PoolSize:
    """How many regisseurs the pool had, past and present, and the FTE of those in it on
    ``on``, in one query: the list of regisseurs pages by the first, the pool's rules
    show the second."""
    rows = _POOL_SIZE.rows(on=on)
    regisseurs, fte = rows[0] if rows else (0, None)
    return PoolSize(regisseurs=regisseurs, fte=fte or Decimal(0))


def _pool_totals(on: datetime.date) -> QuerySet[Any]:
    # Every regisseur has his one user and organisation: counted without joining them.
    # Grouped by a constant, so that the aggregate is a queryset to compile; an empty
    # pool gives no row.
    return (
        Regisseur.objects.order_by()
        .annotate(whole_pool=Cast(Value(1), IntegerField()))
        .values("whole_pool")
        .annotate(regisseurs=Count("*"), fte=Sum("fte", filter=active_on_q(on)))
        .values_list("regisseurs", "fte")
    )


# Asked on every view of the pool overview: Django took several times longer to build
# the aggregate than PostgreSQL to run it.
_POOL_SIZE: CompiledQuery[Any] = CompiledQuery(_pool_totals)


def regisseurs_for_management(
    *, on: datetime.date, size: PoolSize, page: str | None, per_page: int
) -> RegisseurPage:
    """One page of the ``size.regisseurs`` regisseurs, past and present, for the programme
    team's list, in name order: each a RegisseurLine with manager, region restriction,
    ``open_own`` / ``open_buddy`` case counts and the absences covering ``on`` (stand-in
    included). Two queries: the page, the page's absences."""
    # The paginator works out the page from the count; the page's rows are read below.
    shown = Paginator(range(size.regisseurs), per_page).get_page(page)
    places = shown.object_list
    if not len(places):
        return RegisseurPage(page=shown, lines=[])
    queries = _page_queries(offset=places[0], size=per_page)
    regisseurs = queries.regisseurs.instances()
    absences: dict[int, list[CurrentAbsence]] = {}
    for regisseur_id, ends_on, first_name, last_name, username in queries.absences.rows(on=on):
        stand_in = None if username is None else display_name(first_name, last_name, username)
        absences.setdefault(regisseur_id, []).append(
            CurrentAbsence(until=day_shown(ends_on), stand_in=stand_in)
        )
    # The filter itself, once per distinct fte on the page (a handful), not per row.
    ftes = {fte: floatformat(fte, "-2") for fte in {regisseur.fte for regisseur in regisseurs}}
    return RegisseurPage(
        page=shown,
        lines=[_regisseur_line(regisseur, on, ftes, absences) for regisseur in regisseurs],
    )


def _regisseur_line(
    regisseur: Regisseur,
    on: datetime.date,
    ftes: dict[Decimal, str],
    absences: dict[int, list[CurrentAbsence]],
) -> RegisseurLine:
    row = regisseur.__dict__  # the annotations of _regisseurs_by_name
    fte, open_own, active_until = regisseur.fte, row["open_own"], regisseur.active_until
    capacity = capacity_of(fte)
    return RegisseurLine(
        pk=regisseur.pk,
        name=display_name(row["first_name"], row["last_name"], row["username"]),
        remark=regisseur.remark,
        organisation=row["organisation_name"],
        fte=ftes[fte],
        capacity=str(capacity),
        open_own=str(open_own),
        over_capacity=open_own > capacity,
        open_buddy=str(row["open_buddy"]),
        region_restriction=row["region_name"],
        manager=None
        if row["manager_username"] is None
        else display_name(
            row["manager_first_name"], row["manager_last_name"], row["manager_username"]
        ),
        active_from=day_shown(regisseur.active_from),
        active_until=None if active_until is None else day_shown(active_until),
        ended=active_until is not None and active_until < on,
        current_absences=absences.get(regisseur.pk, []),
    )


def _open_cases_as(role: str, *, since: datetime.date | None = None) -> Coalesce:
    """The number of open cases with the regisseur as ``role`` (regisseur or buddy),
    taken on from ``since`` if given, counted per regisseur in a subquery: two joined
    counts multiplied each regisseur's cases by his buddy cases (230 ms at 10,000 cases)."""
    case_model = apps.get_model("cases", "Case")  # cases builds on pool, not the reverse
    cases = case_model.objects.open().filter(**{role: OuterRef("pk")})
    if since is not None:
        cases = cases.filter(regisseur_since__gte=since)
    # COUNT(*), not of the id: the index on (role, status) answers it without the table.
    counted = cases.order_by().values(role).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)


def regisseur_open_case_count(*, regisseur: Regisseur) -> int:
    """Open cases the regisseur holds as regisseur or as buddy (both must be handed
    over before he leaves the pool)."""
    own = regisseur.cases_as_regisseur.open().count()
    buddy = regisseur.cases_as_buddy.open().count()
    return own + buddy


def absences_of(*, regisseur: Regisseur) -> QuerySet[Absence]:
    """The regisseur's absences, latest first, with their stand-ins."""
    return regisseur.absences.select_related("stand_in__user").order_by("-starts_on")


# --- who sees caseload reviews and three-way talks ------------------------------------


def caseload_reviews_visible_to(user: Any) -> QuerySet[CaseloadReview]:
    """The reviews ``user`` may read: one rule for the list and the single review."""
    reviews = CaseloadReview.objects.select_related("regisseur__user", "held_by")
    if may_see_all_caseload_reviews(user):
        return reviews
    if may_see_own_caseload_reviews(user):
        return reviews.filter(regisseur__user=user)
    return reviews.none()


def three_way_talks_visible_to(user: Any) -> QuerySet[ThreeWayTalk]:
    """The three-way talks ``user`` may read: one rule for the list and the single talk."""
    talks = ThreeWayTalk.objects.select_related("regisseur__user", "held_by", "manager")
    if may_see_all_three_way_talks(user):
        return talks
    visible = Q(pk__in=[])
    if may_see_own_three_way_talks(user):
        visible |= Q(regisseur__user=user)
    if may_see_organisation_three_way_talks(user) and user.organisation_id is not None:
        visible |= Q(regisseur__organisation_id=user.organisation_id)
    return talks.filter(visible)


# --- team rhythm pages ------------------------------------------------------------------


def team_activities_with_attendance() -> QuerySet[TeamActivity]:
    """Team activities, latest first, with ``n_present`` / ``n_absent``. One query."""
    return TeamActivity.objects.annotate(
        n_present=Count("attendance", filter=Q(attendance__present=True)),
        n_absent=Count("attendance", filter=Q(attendance__present=False)),
    ).order_by("-held_on", "-pk")


@dataclasses.dataclass(frozen=True)
class AttendanceLine:
    regisseur: Regisseur
    present: bool | None  # None: not on the list yet


def attendance_of(*, activity: TeamActivity) -> list[AttendanceLine]:
    """The pool on the activity's day, and whoever else is on its list, each with
    present / absent / not recorded. Two queries."""
    recorded = {
        attendance.regisseur_id: attendance
        for attendance in Attendance.objects.filter(activity=activity).select_related(
            "regisseur__user", "regisseur__organisation", "regisseur__region_restriction"
        )
    }
    pool = {regisseur.pk: regisseur for regisseur in regisseurs_active(on=activity.held_on)}
    for attendance in recorded.values():
        pool.setdefault(attendance.regisseur_id, attendance.regisseur)
    ordered = sorted(pool.values(), key=lambda r: (r.user.last_name, r.user.first_name))
    return [
        AttendanceLine(
            regisseur=regisseur,
            present=recorded[regisseur.pk].present if regisseur.pk in recorded else None,
        )
        for regisseur in ordered
    ]


# --- choices for the pool's forms ---------------------------------------------------------


def users_without_membership() -> QuerySet[User]:
    """Who can be added to the pool: users who are not a regisseur yet."""
    return (
        User.objects.filter(is_active=True, regisseur__isnull=True)
        .select_related("organisation")
        .order_by("last_name", "first_name", "username")
    )


def managers() -> QuerySet[User]:
    """Managers (leidinggevende moederorganisatie): users whose role holds the
    capability to read their organisation's caseload figures."""
    app_label, codename = VIEW_ORGANISATION_CASELOAD.split(".")
    return (
        User.objects.filter(
            is_active=True,
            groups__permissions__content_type__app_label=app_label,
            groups__permissions__codename=codename,
        )
        .select_related("organisation")
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


# --- the decisions of the Directeurenoverleg (R-POOL-11) ---------------------------------

RULE_CASES_PER_FTE = gettext_lazy("%(cases)s casussen per fte")
RULE_PARTNER_MINIMUM_FTE = gettext_lazy(
    "minimaal %(fte)s fte als regisseur voor regisseurs van andere kernpartners dan OOV"
)
RULE_POOL_SIZE = gettext_lazy("ca. %(low)s–%(high)s fte in de hele pool (nu %(now)s fte)")


@dataclasses.dataclass(frozen=True)
class PoolRuleLine:
    """One rule of the pool as ipgar applies it (from the settings), with the decision
    of the Directeurenoverleg it rests on (None while none is in the register)."""

    rule: str
    label: str
    value: str
    decision: PoolDecision | None


def _number(value: Decimal | int) -> str:
    """A number as people read it in the active language: 0,5 / 12 / 6,0."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value, decimal_pos=0)
    return number_format(value, decimal_pos=len(f"{value.normalize():f}".split(".")[1]))


def pool_decisions() -> QuerySet[PoolDecision]:
    """The register, latest decision first, with who recorded each."""
    return PoolDecision.objects.select_related("recorded_by").order_by("-decided_on", "-pk")


# The decisions about a rule, latest first, with what the rules show of each (the day):
# the pool overview asks this on every view, so it is compiled once per process.
_DECISIONS_ON_RULES: CompiledQuery[PoolDecision] = CompiledQuery(
    lambda: (
        PoolDecision.objects.exclude(rule="")
        .order_by("-decided_on", "-pk")
        .only("pk", "rule", "decided_on")
    )
)


def pool_rules(*, size: PoolSize) -> list[PoolRuleLine]:
    """The pool's rules with their values (the pool's FTE from ``size``) and sources, in
    one query: the decisions about a rule, latest first (the register holds a handful;
    the first per rule is kept, on any database)."""
    latest: dict[str, PoolDecision] = {}
    for decision in _DECISIONS_ON_RULES.instances():
        latest.setdefault(decision.rule, decision)
    values = {
        PoolRule.CASES_PER_FTE: RULE_CASES_PER_FTE
        % {"cases": _number(settings.IPGAR_CASES_PER_FTE)},
        PoolRule.PARTNER_MINIMUM_FTE: RULE_PARTNER_MINIMUM_FTE
        % {"fte": _number(settings.IPGAR_PARTNER_MINIMUM_FTE)},
        PoolRule.POOL_SIZE: RULE_POOL_SIZE
        % {
            "low": _number(settings.IPGAR_POOL_FTE_MIN),
            "high": _number(settings.IPGAR_POOL_FTE_MAX),
            "now": number_format(size.fte, decimal_pos=1),
        },
    }
    return [
        PoolRuleLine(
            rule=rule.value,
            label=str(rule.label),
            value=str(values[rule]),
            decision=latest.get(rule.value),
        )
        for rule in PoolRule
    ]
