"""Intake: registering a case with its person (unique number, BSN elfproef), the
formal start by the notification letter, and correcting the person's data."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case, CaseStatus, Person, Phase, PhaseTransition
from cases.services.assignments import case_assign
from cases.services.intake import (
    BIRTH_AFTER_REGISTRATION,
    BSN_FAILS_ELEVEN_CHECK,
    BSN_NOT_NINE_DIGITS,
    CASE_NUMBER_TAKEN,
    NOTIFICATION_ALREADY_SIGNED,
    NOTIFICATION_NEEDS_DIRECTORS,
    NOTIFICATION_SIGNED_REASON,
    PERSON_NAME_REQUIRED,
    PERSON_PSEUDONYMISED,
    bsn_passes_eleven_check,
    case_register,
    case_sign_notification,
    person_update,
)
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from tests.factories import (
    ASSIGNED_ON,
    REGISTERED_ON,
    SIGNED_ON,
    RegionFactory,
    RegisseurFactory,
    weigh_in,
)

pytestmark = pytest.mark.django_db

# Nine digits that pass the elfproef: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11.
VALID_BSN = "111222333"


def register(author, **overrides) -> Case:
    data = {
        "number": "R-2025-001",
        "region": RegionFactory(),
        "registered_on": REGISTERED_ON,
        "first_name": "Testpersoon",
        "last_name": "Fictief",
        "date_of_birth": datetime.date(1999, 5, 17),
        "address": "Voorbeeldstraat 1, 1000 AA Amsterdam",
        "by": author,
    }
    data.update(overrides)
    return case_register(**data)


def correct_person(case: Case, *, by, **changes) -> Person:
    """Correct the case's person to the name a started case has (Testpersoon Fictief),
    without birth date, address or BSN, but for ``changes``."""
    fields = {
        "first_name": "Testpersoon",
        "last_name": "Fictief",
        "date_of_birth": None,
        "address": "",
        "bsn": "",
    }
    return person_update(case=case, by=by, **(fields | changes))


def test_registering_creates_the_case_in_phase_1_with_its_person(author):
    case = register(author, bsn=VALID_BSN)

    case.refresh_from_db()
    assert (case.status, case.phase, case.phase_since) == (
        CaseStatus.REGISTERED,
        Phase.CONTACT,
        REGISTERED_ON,
    )
    assert case.regisseur is None and case.notification_signed_on is None
    person = Person.objects.get(case=case)
    assert (person.first_name, person.last_name, person.bsn) == (
        "Testpersoon",
        "Fictief",
        VALID_BSN,
    )


def test_a_taken_case_number_is_refused_with_a_message_not_a_database_error(author):
    register(author, number="R-2025-001")
    with pytest.raises(ValidationError) as refused:
        register(author, number=" R-2025-001 ")
    assert refused.value.message == CASE_NUMBER_TAKEN
    assert refused.value.params == {"number": "R-2025-001"}
    assert Case.objects.count() == 1
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("bsn", "message"),
    [
        ("12345678", BSN_NOT_NINE_DIGITS),
        ("1234567890", BSN_NOT_NINE_DIGITS),
        ("11122233a", BSN_NOT_NINE_DIGITS),
        ("111222334", BSN_FAILS_ELEVEN_CHECK),
        ("000000000", BSN_FAILS_ELEVEN_CHECK),
    ],
)
def test_a_bsn_must_be_nine_digits_passing_the_eleven_check(author, bsn, message):
    with pytest.raises(ValidationError) as refused:
        register(author, bsn=bsn)
    assert refused.value.message == message
    assert not Case.objects.exists()


def test_the_bsn_is_optional(author):
    case = register(author)
    assert Person.objects.get(case=case).bsn == ""


@pytest.mark.parametrize(
    ("bsn", "passes"),
    [("111222333", True), ("123456782", True), ("123456789", False), ("000000000", False)],
)
def test_eleven_check(bsn, passes):
    assert bsn_passes_eleven_check(bsn) is passes


def test_the_person_needs_a_name_and_a_birth_date_before_registration(author):
    with pytest.raises(ValidationError) as refused:
        register(author, last_name="  ")
    assert refused.value.message == PERSON_NAME_REQUIRED
    with pytest.raises(ValidationError) as refused:
        register(author, date_of_birth=REGISTERED_ON + datetime.timedelta(days=1))
    assert refused.value.message == BIRTH_AFTER_REGISTRATION


def test_the_notification_letter_needs_a_regisseur_and_a_buddy(author):
    case = register(author)
    with pytest.raises(RuleViolation) as refused:
        case_sign_notification(case=case, signed_on=SIGNED_ON, by=author)
    assert refused.value.message == NOTIFICATION_NEEDS_DIRECTORS
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert not PhaseTransition.objects.filter(case=case).exists()


def test_the_signed_notification_letter_is_the_formal_start(author):
    case = register(author)
    weigh_in(case, by=author)
    case_assign(
        case=case,
        regisseur=RegisseurFactory(),
        buddy=RegisseurFactory(),
        on=ASSIGNED_ON,
        reason="Nieuwe casus",
        by=author,
    )
    revision = Case.objects.get(pk=case.pk).revision

    started = case_sign_notification(case=case, signed_on=SIGNED_ON, by=author)

    assert (started.status, started.notification_signed_on, started.phase_since) == (
        CaseStatus.IN_REGIE,
        SIGNED_ON,
        SIGNED_ON,
    )
    assert started.revision == revision + 1
    transition = PhaseTransition.objects.get(case=case)
    assert (transition.from_phase, transition.to_phase, transition.on) == (
        None,
        Phase.CONTACT,
        SIGNED_ON,
    )
    assert (transition.by, transition.reason) == (author, NOTIFICATION_SIGNED_REASON)


def test_the_notification_letter_is_signed_once(author, start_case):
    case = start_case()
    with pytest.raises(RuleViolation) as refused:
        case_sign_notification(case=case, signed_on=SIGNED_ON, by=author)
    assert refused.value.message == NOTIFICATION_ALREADY_SIGNED


def test_correcting_the_person_checks_the_bsn_and_raises_the_case_revision(author, start_case):
    case = start_case()
    with pytest.raises(ValidationError) as refused:
        correct_person(case, by=author, bsn="111222334")
    assert refused.value.message == BSN_FAILS_ELEVEN_CHECK

    person = correct_person(
        case,
        by=author,
        last_name="Andersnaam",
        address="Zonder vaste woon- of verblijfplaats",
        bsn=VALID_BSN,
        expected_revision=case.revision,
    )
    assert (person.last_name, person.bsn) == ("Andersnaam", VALID_BSN)
    assert Case.objects.get(pk=case.pk).revision == case.revision + 1


def test_correcting_the_person_on_a_stale_case_is_refused(author, start_case):
    case = start_case()
    with pytest.raises(StaleObject) as refused:
        correct_person(case, by=author, last_name="Andersnaam", expected_revision=case.revision - 1)
    assert refused.value.message == STALE_RECORD
    assert Person.objects.get(case=case).last_name == "Fictief"


def test_a_pseudonymised_person_is_not_corrected(author, start_case):
    case = start_case()
    Person.objects.filter(case=case).update(pseudonymised_at=timezone.now())
    with pytest.raises(RuleViolation) as refused:
        correct_person(case, by=author, last_name="Andersnaam")
    assert refused.value.message == PERSON_PSEUDONYMISED
