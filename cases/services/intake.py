"""Intake: registering a case with its person, and the formal start.

A case is registered (aangemeld) with the protected person record; the person
is formally in the approach once the mayor has signed the notification letter
(docs/rules.md R-CASE-1: "De persoon zit formeel in de aanpak als de burgemeester de
notificatiebrief heeft getekend"). Every case has a regisseur and a buddy, so
both are assigned before the letter is recorded.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update
from pool.models import Region

from ..models import Case, CaseStatus, Person, Phase
from ..workflow import CASE_STATUS, NOTIFICATION_ALREADY_SIGNED, assert_transition
from ..workflow import NOTIFICATION_CASE_EXITED as NOTIFICATION_CASE_EXITED
from .phases import phase_transition_record
from .revisions import touch_case

CASE_NUMBER_REQUIRED = _("Vul een casusnummer in.")
CASE_NUMBER_TAKEN = _("Casusnummer %(number)s is al in gebruik.")
PERSON_NAME_TOO_LONG = _("Een naam is te lang: ten hoogste %(limit)s tekens.")
PERSON_NAME_REQUIRED = _("Vul de voornaam en de achternaam van de persoon in.")
BIRTH_AFTER_REGISTRATION = _("De geboortedatum ligt na de aanmelddatum.")
BSN_NOT_NINE_DIGITS = _("Een BSN bestaat uit precies 9 cijfers.")
BSN_FAILS_ELEVEN_CHECK = _("Dit BSN bestaat niet: het voldoet niet aan de elfproef.")
NOTIFICATION_NEEDS_DIRECTORS = _(
    "Wijs eerst een regisseur en een buddy toe: iedere casus heeft er vanaf de start twee."
)
NOTIFICATION_BEFORE_REGISTRATION = _("De notificatiebrief is getekend vóór de aanmelddatum.")
PERSON_PSEUDONYMISED = _(
    "De persoonsgegevens van deze casus zijn gepseudonimiseerd en worden niet meer gewijzigd."
)

# The reason on the history row of the formal start (from no phase to phase 1).
NOTIFICATION_SIGNED_REASON = "Notificatiebrief getekend"

_NINE_DIGITS = re.compile(r"[0-9]{9}")
# The elfproef for a BSN: weights 9..2 and -1 for the last digit; the sum is a
# non-zero multiple of 11.
_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def bsn_passes_eleven_check(bsn: str) -> bool:
    if not _NINE_DIGITS.fullmatch(bsn):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(bsn, _BSN_WEIGHTS, strict=True))
    return total != 0 and total % 11 == 0


def _clean_bsn(bsn: str) -> str:
    """The BSN as stored: empty, or nine digits that pass the elfproef."""
    bsn = bsn.strip()
    if not bsn:
        return ""
    if not _NINE_DIGITS.fullmatch(bsn):
        raise ValidationError(BSN_NOT_NINE_DIGITS, code="bsn_format")
    if not bsn_passes_eleven_check(bsn):
        raise ValidationError(BSN_FAILS_ELEVEN_CHECK, code="bsn_eleven_check")
    return bsn


def _clean_names(first_name: str, last_name: str) -> tuple[str, str]:
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ValidationError(PERSON_NAME_REQUIRED, code="name_required")
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        limit = getattr(Person._meta.get_field(field), "max_length", None)
        if limit is not None and len(value) > limit:
            raise ValidationError(
                PERSON_NAME_TOO_LONG, code="name_too_long", params={"limit": limit}
            )
    return first_name, last_name


@transaction.atomic
def case_register(
    *,
    number: str,
    region: Region,
    registered_on: datetime.date,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    address: str,
    bsn: str = "",
    by: User,
) -> Case:
    """Register a case (aangemeld, phase 1) together with its person record."""
    number = number.strip()
    if not number:
        raise ValidationError(CASE_NUMBER_REQUIRED, code="number_required")
    first_name, last_name = _clean_names(first_name, last_name)
    bsn = _clean_bsn(bsn)
    if date_of_birth is not None and date_of_birth > registered_on:
        raise ValidationError(BIRTH_AFTER_REGISTRATION, code="birth_after_registration")
    taken = ValidationError(CASE_NUMBER_TAKEN, code="number_taken", params={"number": number})
    if Case.objects.filter(number=number).exists():
        raise taken

    with history_context(user=by.pk):
        try:
            # A savepoint: a concurrent registration of the same number loses on the
            # unique constraint and gets the same message as the check above.
            with transaction.atomic():
                case = Case.objects.create(
                    number=number,
                    region=region,
                    registered_on=registered_on,
                    phase=Phase.CONTACT,
                    phase_since=registered_on,
                    status=CaseStatus.REGISTERED,
                )
        except IntegrityError as error:
            raise taken from error
        Person.objects.create(
            case=case,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            address=address.strip(),
            bsn=bsn,
        )
    return case


@transaction.atomic
def case_sign_notification(
    *,
    case: Case,
    signed_on: datetime.date,
    by: User,
    expected_revision: int | None = None,
) -> Case:
    """The mayor signed the notification letter: the case is in regie from ``signed_on``."""
    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        assert_transition(CASE_STATUS, case.status, CaseStatus.IN_REGIE)
        if case.notification_signed_on is not None:
            raise RuleViolation(NOTIFICATION_ALREADY_SIGNED, code="already_signed")
        if case.regisseur_id is None or case.buddy_id is None:
            raise RuleViolation(NOTIFICATION_NEEDS_DIRECTORS, code="no_directors")
        if signed_on < case.registered_on:
            raise ValidationError(
                NOTIFICATION_BEFORE_REGISTRATION, code="signed_before_registration"
            )

        case.notification_signed_on = signed_on
        case.status = CaseStatus.IN_REGIE
        phase_transition_record(
            case=case,
            from_phase=None,
            to_phase=Phase.CONTACT,
            on=signed_on,
            by=by,
            reason=NOTIFICATION_SIGNED_REASON,
        )
        case.save(
            update_fields=[
                "notification_signed_on",
                "status",
                "phase",
                "phase_since",
                "updated_at",
            ]
        )
        bump_revision(case)
    return case


@transaction.atomic
def person_update(
    *,
    case: Case,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    address: str,
    bsn: str,
    by: User,
    expected_revision: int | None = None,
) -> Person:
    """Correct the person's data. The person record has no revision of its own:
    the case's revision guards it, so the case row is locked and raised."""
    first_name, last_name = _clean_names(first_name, last_name)
    bsn = _clean_bsn(bsn)

    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        person = Person.objects.select_for_update().get(case=case)
        if person.pseudonymised_at is not None:
            raise RuleViolation(PERSON_PSEUDONYMISED, code="pseudonymised")
        if date_of_birth is not None and date_of_birth > case.registered_on:
            raise ValidationError(BIRTH_AFTER_REGISTRATION, code="birth_after_registration")

        person.first_name = first_name
        person.last_name = last_name
        person.date_of_birth = date_of_birth
        person.address = address.strip()
        person.bsn = bsn
        person.save()
        touch_case(case)
    return person
