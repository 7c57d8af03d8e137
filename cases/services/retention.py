"""Retention of person data (AVG art. 5(1)(e), storage limitation; docs/adr/0006).

``IPGAR_RETENTION_AFTER_EXIT_DAYS`` after a case's exit the daily job
pseudonymises its person record: first name, last name, date of birth, address
and BSN are emptied and ``pseudonymised_at`` is set. The case itself (its
pseudonymous number, phases, plans, meetings) stays, so the monitors' figures do
not change. The programme team can erase a person record earlier, with a
recorded reason (a wrongful registration, an erasure request under art. 17).

Both paths do everything in one transaction: empty the record, empty the same
fields in the record's change history (pghistory events would otherwise keep
the old name for ever), write the audit entry (the history event of the
pseudonymisation, carrying who or which job did it and why), raise the case's
revision, and send ``person_pseudonymised`` so the API writes its tombstone for
sync clients. Pseudonymising twice is harmless: the second time does nothing.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import lock_for_update

from ..models import Case, CaseStatus, Person
from ..permissions import may_erase_person
from ..signals import person_pseudonymised
from .revisions import touch_case

ERASURE_REASON_MIN_LENGTH = 20
ERASURE_ONLY_PROGRAMME_TEAM = _("Alleen het programmateam kan persoonsgegevens vervroegd wissen.")
ERASURE_REASON_TOO_SHORT = format_lazy(
    _(
        "Leg de reden voor het vervroegd wissen vast, in minstens {min_length} tekens "
        "(bijvoorbeeld een verzoek tot wissen of een onterechte aanmelding)."
    ),
    min_length=ERASURE_REASON_MIN_LENGTH,
)
ERASURE_REASON_NULL_CHARACTER = _("De reden bevat een ongeldig teken (een nul-teken).")
ERASURE_ALREADY_DONE = _("De persoonsgegevens van deze casus zijn al gepseudonimiseerd.")
ERASURE_NO_PERSON = _("Bij deze casus is geen persoonsrecord vastgelegd.")

RETENTION_JOB = "cases.retention_daily"
# The ground written on the audit entry of the daily job.
RETENTION_GROUND = "Bewaartermijn na uitstroom verstreken"
EARLY_ERASURE_GROUND = "Vervroegd gewist door het programmateam"

# The identifying fields and their emptied values, on the record and in its history.
IDENTIFYING_FIELDS: dict[str, object] = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "address": "",
    "bsn": "",
}


def retention_period() -> datetime.timedelta:
    return datetime.timedelta(days=settings.IPGAR_RETENTION_AFTER_EXIT_DAYS)


def retention_ends_on(exited_on: datetime.date) -> datetime.date:
    """The first day on which a person record may no longer identify the person."""
    return exited_on + retention_period()


def persons_due_for_pseudonymisation(*, on: datetime.date) -> QuerySet[Person]:
    """Person records of cases that exited, or were closed as not included, at least the
    retention period before ``on`` and that still identify the person."""
    ended_by = on - retention_period()
    return Person.objects.filter(
        Q(case__status=CaseStatus.EXITED, case__exited_on__lte=ended_by)
        | Q(case__status=CaseStatus.NOT_INCLUDED, case__not_included_on__lte=ended_by),
        pseudonymised_at__isnull=True,
    ).order_by("pk")


def _scrub(person: Person, *, at: datetime.datetime) -> None:
    """Empty the identifying fields on the locked record and in its history events."""
    for field, empty in IDENTIFYING_FIELDS.items():
        setattr(person, field, empty)
    person.pseudonymised_at = at
    person.save(update_fields=[*IDENTIFYING_FIELDS, "pseudonymised_at", "updated_at"])
    # The history keeps every earlier state of the record (trigger-written events,
    # the save above adds one more): empty the same fields there too.
    person_events = apps.get_model("cases", "PersonEvent")
    person_events.objects.filter(pgh_obj_id=person.pk).update(**IDENTIFYING_FIELDS)
    touch_case(person.case)
    person_pseudonymised.send(sender=Person, person=person, case=person.case)


@transaction.atomic
def person_pseudonymise_if_due(*, person_id: int, on: datetime.date) -> bool:
    """The daily job's step for one record: pseudonymise it when its retention period
    has ended on ``on``. Returns False (and changes nothing) when it is not (or no
    longer) due, so a repeated or overlapping run is harmless."""
    case_id = Person.objects.filter(pk=person_id).values_list("case_id", flat=True).first()
    if case_id is None:
        return False
    with history_context(job=RETENTION_JOB, ground=RETENTION_GROUND):
        # Lock the case first, then the person: the order person_update uses.
        lock_for_update(Case(pk=case_id), expected_revision=None)
        locked = (
            persons_due_for_pseudonymisation(on=on)
            .select_for_update()
            .select_related("case")
            .filter(pk=person_id)
            .first()
        )
        if locked is None:
            return False
        _scrub(locked, at=timezone.now())
    return True


def persons_pseudonymise_due(*, on: datetime.date) -> int:
    """Pseudonymise every record whose retention period has ended on ``on``, each in its
    own transaction (one record's failure does not undo the others; the next run
    picks it up again). Returns how many were pseudonymised."""
    due = list(persons_due_for_pseudonymisation(on=on).values_list("pk", flat=True))
    return sum(person_pseudonymise_if_due(person_id=pk, on=on) for pk in due)


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if "\x00" in reason:
        raise ValidationError(ERASURE_REASON_NULL_CHARACTER, code="reason_invalid")
    if len(reason) < ERASURE_REASON_MIN_LENGTH:
        raise ValidationError(ERASURE_REASON_TOO_SHORT, code="reason_too_short")
    return reason


@transaction.atomic
def person_erase_early(
    *, case: Case, reason: str, by: User, expected_revision: int | None = None
) -> Person:
    """The programme team erases a person record before the retention period ends.
    The reason is recorded on the audit entry (the history event), with who did it."""
    if not may_erase_person(by):
        raise RuleViolation(ERASURE_ONLY_PROGRAMME_TEAM, code="not_programme_team")
    reason = _clean_reason(reason)
    with history_context(user=by.pk, ground=EARLY_ERASURE_GROUND, reason=reason):
        return erase_person_of(case=case, expected_revision=expected_revision)


def erase_person_of(*, case: Case, expected_revision: int | None) -> Person:
    """Lock the case and its person record and empty it (inside the caller's
    transaction and history context, which name who and why)."""
    case = lock_for_update(case, expected_revision=expected_revision)
    person = Person.objects.select_for_update().filter(case=case).first()
    if person is None:
        raise RuleViolation(ERASURE_NO_PERSON, code="no_person")
    if person.pseudonymised_at is not None:
        raise RuleViolation(ERASURE_ALREADY_DONE, code="already_pseudonymised")
    person.case = case
    _scrub(person, at=timezone.now())
    return person
