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

from accounts.models import Organisation, User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update
from pool.models import Region

from ..models import Case, CaseStatus, Person, Phase
from ..workflow import CASE_STATUS, NOTIFICATION_ALREADY_SIGNED, assert_transition
from ..workflow import NOT_INCLUDED_ONLY_REGISTERED as NOT_INCLUDED_ONLY_REGISTERED
from ..workflow import NOTIFICATION_CASE_EXITED as NOTIFICATION_CASE_EXITED
from .assessments import case_inclusion_check, latest_assessment
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
SIGNER_TOO_LONG = _("De naam van wie tekende is te lang: ten hoogste %(limit)s tekens.")
REFERRER_NOT_KERNPARTNER = _("Kies de kernpartner die de persoon aanmeldt.")
NOT_INCLUDED_NEEDS_WEIGHING = _(
    "Weeg de casus eerst met het dynamisch beoordelingskader: een casus wordt alleen op "
    "grond van een weging niet opgenomen."
)
NOT_INCLUDED_BUT_CRITERIA_MET = _(
    "De laatste weging vindt zowel zorgproblemen als een veiligheidsrisico: de persoon hoort "
    "in de aanpak. Leg eerst een nieuwe weging vast als die conclusie niet meer klopt."
)
NOT_INCLUDED_REASON_REQUIRED = _("Onderbouw waarom de persoon niet in de aanpak wordt opgenomen.")
NOT_INCLUDED_BEFORE_WEIGHING = _("De datum ligt vóór de laatste weging (%(on)s).")
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
    referred_by: Organisation | None = None,
    interpretation: str = "",
    preliminary_findings: str = "",
    by: User,
) -> Case:
    """Register a case (aangemeld, phase 1) together with its person record, the
    kernpartner that referred the person, the duiding and what the voortraject gathered."""
    number = number.strip()
    if referred_by is not None and not referred_by.is_kernpartner:
        raise ValidationError(REFERRER_NOT_KERNPARTNER, code="referrer_not_kernpartner")
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
                    referred_by=referred_by,
                    interpretation=interpretation.strip(),
                    preliminary_findings=preliminary_findings.strip(),
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


def case_sign_notification_check(case: Case) -> None:
    """Raise the RuleViolation that refuses recording the notification letter on ``case``."""
    assert_transition(CASE_STATUS, case.status, CaseStatus.IN_REGIE)
    if case.notification_signed_on is not None:
        raise RuleViolation(NOTIFICATION_ALREADY_SIGNED, code="already_signed")
    if case.regisseur_id is None or case.buddy_id is None:
        raise RuleViolation(NOTIFICATION_NEEDS_DIRECTORS, code="no_directors")


@transaction.atomic
def case_sign_notification(
    *,
    case: Case,
    signed_on: datetime.date,
    by: User,
    signed_by: str = "",
    expected_revision: int | None = None,
) -> Case:
    """The mayor signed the notification letter: the case is in regie from ``signed_on``.
    ``signed_by`` names who signed (the mayor, or on the mayor's behalf)."""
    signed_by = signed_by.strip()
    limit = Case._meta.get_field("notification_signed_by").max_length
    if limit is not None and len(signed_by) > limit:
        raise ValidationError(SIGNER_TOO_LONG, code="signer_too_long", params={"limit": limit})
    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        case_sign_notification_check(case)
        if signed_on < case.registered_on:
            raise ValidationError(
                NOTIFICATION_BEFORE_REGISTRATION, code="signed_before_registration"
            )

        case.notification_signed_on = signed_on
        case.notification_signed_by = signed_by
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
                "notification_signed_by",
                "status",
                "phase",
                "phase_since",
                "updated_at",
            ]
        )
        bump_revision(case)
    return case


def case_close_not_included_check(case: Case) -> None:
    """Raise the RuleViolation that refuses closing ``case`` as not included: only a
    registered case without directors, and only on a weighing that does not find both
    criteria."""
    if case.regisseur_id is not None:
        raise RuleViolation(NOT_INCLUDED_ONLY_REGISTERED, code="not_registered")
    assert_transition(CASE_STATUS, case.status, CaseStatus.NOT_INCLUDED)
    inclusion = case_inclusion_check(case)
    if inclusion.assessment is None:
        raise RuleViolation(NOT_INCLUDED_NEEDS_WEIGHING, code="not_weighed")
    if inclusion.included:
        raise RuleViolation(NOT_INCLUDED_BUT_CRITERIA_MET, code="criteria_met")


@transaction.atomic
def case_close_not_included(
    *,
    case: Case,
    on: datetime.date,
    reason: str,
    by: User,
    expected_revision: int | None = None,
) -> Case:
    """The weighing did not find both care problems and a safety risk: the registered
    case is closed as not included, with the reasoning (docs/rules.md R-CASE-9)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(NOT_INCLUDED_REASON_REQUIRED, code="reason_required")
    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        case_close_not_included_check(case)
        assessment = latest_assessment(case)
        if assessment is not None and on < assessment.assessed_on:
            raise ValidationError(
                NOT_INCLUDED_BEFORE_WEIGHING,
                code="date_before_weighing",
                params={"on": f"{assessment.assessed_on:%d-%m-%Y}"},
            )
        case.status = CaseStatus.NOT_INCLUDED
        case.not_included_on = on
        case.not_included_reason = reason
        case.save(update_fields=["status", "not_included_on", "not_included_reason", "updated_at"])
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
