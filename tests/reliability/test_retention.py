"""Retention (AVG storage limitation, docs/adr/0006): a person record is
pseudonymised by the daily job once the retention period after exit has ended,
or earlier by the programme team with a recorded reason. Nothing of the person
survives in the record or its change history; the case and its course remain."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from pghistory.models import MiddlewareEvents

from accounts.roles import Role
from audit.models import AccessLog
from cases.models import Case, CaseStatus, Person
from cases.services.intake import PERSON_PSEUDONYMISED, person_update
from cases.services.retention import (
    EARLY_ERASURE_GROUND,
    ERASURE_ALREADY_DONE,
    ERASURE_ONLY_PROGRAMME_TEAM,
    ERASURE_REASON_NULL_CHARACTER,
    ERASURE_REASON_TOO_SHORT,
    RETENTION_GROUND,
    RETENTION_JOB,
    person_erase_early,
    retention_ends_on,
)
from cases.signals import person_pseudonymised
from cases.tasks import retention_daily
from cases.views.retention import ERASE_PAGE_PURPOSE, ERASED
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from tests.conftest import sign_in
from tests.factories import CaseFactory, PersonFactory, RegisseurFactory, UserFactory

from .conftest import morning, with_role

pytestmark = pytest.mark.django_db

EXITED_ON = datetime.date(2026, 6, 1)
OLD_NAME = ("Oudenaam", "Verleden")
NEW_NAME = ("Testpersoon", "Gecorrigeerd")
BSN = "111222333"  # passes the elfproef
REASON = "Verzoek tot wissen van betrokkene (AVG art. 17), beoordeeld door de FG."
IDENTIFYING = ("first_name", "last_name", "date_of_birth", "address", "bsn")


@pytest.fixture
def sent() -> Any:
    """The person_pseudonymised signals sent during the test."""
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    person_pseudonymised.connect(receiver, dispatch_uid="test-retention")
    yield received
    person_pseudonymised.disconnect(dispatch_uid="test-retention")


@pytest.fixture
def exited_person() -> Person:
    """A person of an exited case whose name was corrected once, so the history holds
    two states that identify the person."""
    case = CaseFactory(exited=True, exited_on=EXITED_ON)
    person = PersonFactory(case=case, first_name=OLD_NAME[0], last_name=OLD_NAME[1], bsn=BSN)
    person_update(
        case=case,
        first_name=NEW_NAME[0],
        last_name=NEW_NAME[1],
        date_of_birth=person.date_of_birth,
        address=person.address,
        bsn=BSN,
        by=UserFactory(),
    )
    person.refresh_from_db()
    return person


def history_rows_naming(*needles: str) -> int:
    """Rows of the person history table in which any of the strings still occurs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_personevent e WHERE row_to_json(e)::text LIKE ANY (%s)",
            [[f"%{needle}%" for needle in needles]],
        )
        return cursor.fetchone()[0]


def last_event(person: Person) -> Any:
    return MiddlewareEvents.objects.tracks(person).order_by("pgh_created_at", "pgh_id").last()


def identifying_values(person: Person) -> tuple[Any, ...]:
    person.refresh_from_db()
    return tuple(getattr(person, field) for field in IDENTIFYING)


def test_the_period_is_a_setting_and_the_job_runs_daily():
    assert settings.IPGAR_RETENTION_AFTER_EXIT_DAYS == 5 * 365
    assert retention_ends_on(EXITED_ON) == EXITED_ON + datetime.timedelta(days=5 * 365)
    assert settings.CELERY_BEAT_SCHEDULE["retention-daily"]["task"] == (
        "cases.tasks.retention_daily"
    )


def test_nothing_happens_the_day_before_the_period_ends(exited_person, sent, time_machine):
    before = identifying_values(exited_person)
    time_machine.move_to(morning(retention_ends_on(EXITED_ON) - datetime.timedelta(days=1)))

    assert retention_daily.delay().get() == 0

    assert identifying_values(exited_person) == before
    assert exited_person.pseudonymised_at is None
    assert history_rows_naming(*OLD_NAME, *NEW_NAME, BSN) == 2  # insert + correction
    assert sent == []


def test_on_the_day_the_record_and_its_history_are_pseudonymised(exited_person, sent, time_machine):
    case_before = Case.objects.get(pk=exited_person.case_id)
    time_machine.move_to(morning(retention_ends_on(EXITED_ON)), tick=False)

    assert retention_daily.delay().get() == 1

    assert identifying_values(exited_person) == ("", "", None, "", "")
    assert exited_person.pseudonymised_at == morning(retention_ends_on(EXITED_ON))
    # Not a trace of the name, the date of birth, the address or the BSN in the history.
    assert history_rows_naming(*OLD_NAME, *NEW_NAME, BSN, "Voorbeeldstraat", "1999-05-17") == 0
    # The case stays, with its number, status and exit: the monitors still count it.
    case = Case.objects.get(pk=exited_person.case_id)
    assert (case.number, case.status, case.exited_on, case.phase) == (
        case_before.number,
        CaseStatus.EXITED,
        EXITED_ON,
        case_before.phase,
    )
    assert case.revision == case_before.revision + 1  # sync clients see the change
    # The tombstone signal, once, with the record and its case.
    assert [(s["person"].pk, s["case"].pk) for s in sent] == [(exited_person.pk, case.pk)]


def test_the_audit_entry_names_the_job_and_its_ground(exited_person, time_machine):
    time_machine.move_to(morning(retention_ends_on(EXITED_ON)), tick=False)
    retention_daily.delay().get()

    last = last_event(exited_person)
    assert last is not None
    assert last.pgh_context["job"] == RETENTION_JOB
    assert last.pgh_context["ground"] == RETENTION_GROUND
    assert "pseudonymised_at" in last.pgh_diff


def test_running_again_is_harmless(exited_person, sent, time_machine):
    time_machine.move_to(morning(retention_ends_on(EXITED_ON)), tick=False)
    retention_daily.delay().get()
    exited_person.refresh_from_db()
    first = (exited_person.pseudonymised_at, Case.objects.get(pk=exited_person.case_id).revision)
    events = apps.get_model("cases", "PersonEvent").objects.count()

    time_machine.move_to(morning(retention_ends_on(EXITED_ON) + datetime.timedelta(days=1)))
    assert retention_daily.delay().get() == 0

    exited_person.refresh_from_db()
    again = (exited_person.pseudonymised_at, Case.objects.get(pk=exited_person.case_id).revision)
    assert again == first
    assert apps.get_model("cases", "PersonEvent").objects.count() == events
    assert len(sent) == 1


def test_open_and_recently_exited_cases_are_left_alone(exited_person, time_machine):
    open_person = PersonFactory(case=CaseFactory())
    recent = PersonFactory(
        case=CaseFactory(exited=True, exited_on=EXITED_ON + datetime.timedelta(days=1))
    )
    time_machine.move_to(morning(retention_ends_on(EXITED_ON)), tick=False)

    assert retention_daily.delay().get() == 1

    assert Person.objects.filter(pseudonymised_at__isnull=False).get() == exited_person
    assert identifying_values(open_person)[0] == "Testpersoon"
    assert identifying_values(recent)[0] == "Testpersoon"


def test_a_failing_tombstone_undoes_everything(exited_person, time_machine):
    """All in one transaction: if the tombstone cannot be written, the record and its
    history keep the data, and the next run tries again."""

    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("tombstone table unavailable")

    before = identifying_values(exited_person)
    person_pseudonymised.connect(broken, dispatch_uid="test-broken")
    time_machine.move_to(morning(retention_ends_on(EXITED_ON)), tick=False)
    try:
        with pytest.raises(RuntimeError):
            retention_daily.delay().get()
    finally:
        person_pseudonymised.disconnect(dispatch_uid="test-broken")

    assert identifying_values(exited_person) == before
    assert exited_person.pseudonymised_at is None
    assert history_rows_naming(*NEW_NAME) == 1
    assert retention_daily.delay().get() == 1


def test_a_pseudonymised_record_is_not_corrected_afterwards(exited_person, time_machine):
    time_machine.move_to(morning(retention_ends_on(EXITED_ON)), tick=False)
    retention_daily.delay().get()

    with pytest.raises(RuleViolation, match=str(PERSON_PSEUDONYMISED)):
        person_update(
            case=exited_person.case,
            first_name="Nieuwe",
            last_name="Naam",
            date_of_birth=None,
            address="",
            bsn="",
            by=UserFactory(),
        )


# --- early erasure by the programme team --------------------------------------------


@pytest.fixture
def programme_team():
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


@pytest.fixture
def open_person() -> Person:
    return PersonFactory(case=CaseFactory(), first_name="Vroeg", last_name="Gewist", bsn=BSN)


def test_the_programme_team_erases_early_with_a_recorded_reason(open_person, programme_team, sent):
    person_erase_early(case=open_person.case, reason=f"  {REASON}  ", by=programme_team)

    assert identifying_values(open_person) == ("", "", None, "", "")
    assert history_rows_naming("Vroeg", "Gewist", BSN) == 0
    last = last_event(open_person)
    assert last is not None
    assert last.pgh_context["user"] == programme_team.pk
    assert last.pgh_context["reason"] == REASON
    assert last.pgh_context["ground"] == EARLY_ERASURE_GROUND
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("te kort", ERASURE_REASON_TOO_SHORT),
        ("   " + " " * 30, ERASURE_REASON_TOO_SHORT),
        (REASON + "\x00", ERASURE_REASON_NULL_CHARACTER),
    ],
)
def test_early_erasure_without_a_proper_reason_changes_nothing(
    open_person, programme_team, sent, reason, message
):
    before = identifying_values(open_person)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        person_erase_early(case=open_person.case, reason=reason, by=programme_team)
    assert identifying_values(open_person) == before
    assert sent == []


def test_only_the_programme_team_erases_early(open_person):
    regisseur = with_role(RegisseurFactory().user, Role.REGISSEUR)
    with pytest.raises(RuleViolation, match=str(ERASURE_ONLY_PROGRAMME_TEAM)):
        person_erase_early(case=open_person.case, reason=REASON, by=regisseur)
    assert identifying_values(open_person)[0] == "Vroeg"


def test_erasing_twice_is_refused(open_person, programme_team):
    person_erase_early(case=open_person.case, reason=REASON, by=programme_team)
    with pytest.raises(RuleViolation, match=str(ERASURE_ALREADY_DONE)):
        person_erase_early(case=open_person.case, reason=REASON, by=programme_team)


def test_erasing_a_record_someone_just_changed_is_refused(open_person, programme_team):
    loaded = open_person.case.revision
    Case.objects.filter(pk=open_person.case_id).update(revision=loaded + 1)
    with pytest.raises(StaleObject, match=str(STALE_RECORD)):
        person_erase_early(
            case=open_person.case, reason=REASON, by=programme_team, expected_revision=loaded
        )
    assert identifying_values(open_person)[0] == "Vroeg"


# --- the erasure page ----------------------------------------------------------------


def test_the_erasure_page_shows_whom_and_logs_the_read(client, open_person, programme_team):
    sign_in(client, programme_team)
    response = client.get(reverse("cases:erase_person", kwargs={"pk": open_person.case_id}))

    assert response.status_code == 200
    assert "Vroeg Gewist" in response.content.decode()
    entry = AccessLog.objects.get(user=programme_team)
    assert (entry.object_type, entry.case_id, entry.purpose) == (
        "cases.person",
        open_person.case_id,
        ERASE_PAGE_PURPOSE,
    )


def test_erasing_through_the_page(client, open_person, programme_team):
    sign_in(client, programme_team)
    url = reverse("cases:erase_person", kwargs={"pk": open_person.case_id})

    response = client.post(
        url, {"reason": REASON, "revision": open_person.case.revision}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "cases:person", kwargs={"pk": open_person.case_id}
    )
    page = response.content.decode()
    assert str(ERASED) in page
    assert "Vroeg" not in page
    assert identifying_values(open_person) == ("", "", None, "", "")


def test_the_page_refuses_a_short_reason_and_a_stale_revision(client, open_person, programme_team):
    sign_in(client, programme_team)
    url = reverse("cases:erase_person", kwargs={"pk": open_person.case_id})
    revision = open_person.case.revision

    short = client.post(url, {"reason": "te kort", "revision": revision})
    assert short.status_code == 400
    assert str(ERASURE_REASON_TOO_SHORT) in short.content.decode()

    stale = client.post(url, {"reason": REASON, "revision": revision - 1 or revision + 1})
    assert stale.status_code == 409
    assert str(STALE_RECORD) in stale.content.decode()
    assert identifying_values(open_person)[0] == "Vroeg"


def test_a_regisseur_of_the_case_may_not_erase(client, open_person):
    regisseur_user = with_role(open_person.case.regisseur.user, Role.REGISSEUR)
    from cases.access import case_access_sync

    case_access_sync(case=open_person.case)
    sign_in(client, regisseur_user)
    response = client.post(
        reverse("cases:erase_person", kwargs={"pk": open_person.case_id}),
        {"reason": REASON, "revision": open_person.case.revision},
    )
    assert response.status_code == 403
    assert identifying_values(open_person)[0] == "Vroeg"
