"""What the intake pages read: whether a person is already known as a case, and the
pool's candidates for a new case's regisseur and buddy.

The "already known" check tells the programme team that the same person (the same BSN,
or the same name and date of birth) is or was a case, showing only the case number and
whether it runs or is closed, with a link only for a case the reader may see
(cases/access.py ``cases_visible_to``): nothing of that case's content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pool.models import Absence, Regisseur
from pool.selectors import pool_overview

from ..access import Reader, cases_visible_to
from ..models import Case


@dataclass(frozen=True)
class KnownCase:
    """A case of the same person: its number, whether it runs, and where to read it
    (empty when the reader may not)."""

    number: str
    is_open: bool
    url: str = ""
    pk: int | None = None


def _same_person(
    *, bsn: str, first_name: str, last_name: str, date_of_birth: datetime.date | None
) -> Q | None:
    conditions = []
    if bsn.strip():
        conditions.append(Q(person__bsn=bsn.strip()))
    if first_name.strip() and last_name.strip() and date_of_birth is not None:
        conditions.append(
            Q(
                person__first_name__iexact=first_name.strip(),
                person__last_name__iexact=last_name.strip(),
                person__date_of_birth=date_of_birth,
            )
        )
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def cases_already_known(
    *,
    reader: Reader,
    bsn: str,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
) -> list[KnownCase]:
    """The cases whose person has this BSN, or this name and date of birth: two queries
    (the matches, and which of them the reader may see)."""
    same = _same_person(
        bsn=bsn, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )
    if same is None:
        return []
    matches = list(Case.objects.filter(same).only("pk", "number", "status").order_by("number"))
    if not matches:
        return []
    visible = set(
        cases_visible_to(reader)
        .filter(pk__in=[case.pk for case in matches])
        .values_list("pk", flat=True)
    )
    return [
        KnownCase(
            number=case.number,
            is_open=case.is_open,
            url=reverse("cases:detail", args=[case.pk]) if case.pk in visible else "",
            pk=case.pk,
        )
        for case in matches
    ]


def known_check_term(
    *, bsn: str, first_name: str, last_name: str, date_of_birth: datetime.date | None
) -> str:
    """What the check searched for, as the access log keeps a search's term."""
    parts = [f"BSN {bsn.strip()}"] if bsn.strip() else []
    if date_of_birth is not None:
        parts.append(f"{first_name.strip()} {last_name.strip()} {date_of_birth:%d-%m-%Y}")
    return "; ".join(parts)


# A new case's number: the prefix, the year and a serial within the year.
CASE_NUMBER_FORMAT = "R-{year}-{serial:03d}"


def next_case_number(*, on: datetime.date) -> str:
    """A suggestion for the next case number of ``on``'s year that is not taken yet."""
    prefix = CASE_NUMBER_FORMAT.format(year=on.year, serial=0)[:-3]
    taken = set(Case.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    serial = len(taken) + 1
    while CASE_NUMBER_FORMAT.format(year=on.year, serial=serial) in taken:
        serial += 1
    return CASE_NUMBER_FORMAT.format(year=on.year, serial=serial)


@dataclass(frozen=True)
class Candidate:
    """A pool member as the assignment page shows him or her beside the name."""

    regisseur: Regisseur
    free_places: int
    capacity: int
    over_capacity: bool
    region_restriction: str
    absent_until: datetime.date | None

    @property
    def label(self) -> str:
        return str(self.regisseur)


def assignment_candidates(*, on: datetime.date | None = None) -> list[Candidate]:
    """Every regisseur active on ``on`` with free places (12 per FTE minus the open cases
    held as regisseur), region restriction and an absence running on ``on``: three
    queries (the pool overview, the regisseurs, the absences)."""
    on = on or timezone.localdate()
    rows = {row.regisseur_id: row for row in pool_overview(on=on).rows}
    regisseurs = Regisseur.objects.filter(pk__in=rows).select_related(
        "user", "organisation", "region_restriction"
    )
    absent_until: dict[int, datetime.date] = {}
    for regisseur_id, ends_on in Absence.objects.filter(
        regisseur_id__in=rows, starts_on__lte=on, ends_on__gte=on
    ).values_list("regisseur_id", "ends_on"):
        absent_until[regisseur_id] = max(ends_on, absent_until.get(regisseur_id, ends_on))
    by_pk = {regisseur.pk: regisseur for regisseur in regisseurs}
    return [
        Candidate(
            regisseur=by_pk[pk],
            free_places=row.free_places,
            capacity=row.capacity,
            over_capacity=row.over_capacity,
            region_restriction=row.region_restriction or "",
            absent_until=absent_until.get(pk),
        )
        for pk, row in rows.items()
        if pk in by_pk
    ]
