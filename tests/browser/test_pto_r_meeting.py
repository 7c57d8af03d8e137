"""A PTO-R meeting held in Chromium from agenda to adopted minutes, each step done by the
user of the role that does it (docs/rules.md R-PTO-1 to R-PTO-6): the programme team
prepares the meeting, adds a general item and the exit proposal waiting for PTO-R, adopts
the agenda and keeps the attendance and an absent member's reaction by mail; a PTO-R
member decides the exit in the meeting; the programme team records the BESLUIT of the
opening and closes the meeting; the next meeting (online, so without case items) adopts
its minutes, which download as a PDF. The case page shows the exit afterwards."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from cases.models import CaseStatus, ExitProcedure
from ptor.models import Meeting, MeetingStatus
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    PersonFactory,
    RegisseurFactory,
    UserFactory,
    exit_advised_after_move,
)

from .conftest import assert_accessible
from .test_case_lifecycle import main_text, page_for  # noqa: F401  (page_for: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECISION = "Het PTO-R ziet geen gevaarsrisico meer; de warme overdracht aan Utrecht is geregeld."


def test_a_pto_r_meeting_from_agenda_to_adopted_minutes_decides_an_exit(page_for):  # noqa: F811
    today = timezone.localdate()
    held_on = today - datetime.timedelta(days=28)
    regisseur = RegisseurFactory(user__roles=[Role.REGISSEUR])
    case = CaseFactory(regisseur=regisseur, access_on=True)
    PersonFactory(case=case, first_name="Sam", last_name="Onzichtbaar", bsn="111222333")
    author = UserFactory()
    procedure = exit_advised_after_move(
        case,
        by=author,
        planned_on=held_on - datetime.timedelta(days=20),
        proposed_on=held_on - datetime.timedelta(days=14),
        advised_on=held_on - datetime.timedelta(days=7),
    )
    secretary = UserFactory(roles=[Role.PROGRAMME_TEAM])
    members = {
        code: UserFactory(
            first_name=f"Lid{code}",
            last_name="PTO-R",
            organisation=OrganisationFactory(code=code, name=code.upper()),
            roles=[Role.PTO_R],
        )
        for code in ("politie", "ggd", "wpi")
    }

    # --- the programme team prepares the meeting and its agenda ---
    office = page_for(secretary)
    office.goto("/")
    office.get_by_role("link", name="PTO-R", exact=True).first.click()
    office.wait_for_url("**/pto-r/")
    office.get_by_role("link", name="Nieuwe vergadering").click()
    office.locator('[name="date"]').fill(held_on.isoformat())
    office.locator('[name="form"]').select_option("fysiek")
    assert_accessible(office)
    office.get_by_role("button", name="Vergadering aanmaken").click()
    office.wait_for_url("**/pto-r/*/")
    meeting = Meeting.objects.get()
    office.locator('[name="kind"]').select_option("algemeen")
    office.locator('[name="title"]').fill("Opening, agenda en mededelingen")
    office.get_by_role("button", name="Toevoegen").click()
    office.get_by_text("Het agendapunt is toegevoegd.").wait_for()
    office.get_by_role("button", name="Uitstroomvoorstellen agenderen").click()
    office.get_by_text("1 uitstroomvoorstellen staan op de agenda.").wait_for()
    assert f"Casus {case.number}" in main_text(office)
    office.get_by_role("button", name="Agenda vaststellen").click()
    office.get_by_text("De agenda is vastgesteld.").wait_for()

    # --- attendance: two kernpartners present, one absent who reacts by mail ---
    for code, presence in (("politie", "aanwezig"), ("ggd", "aanwezig"), ("wpi", "afwezig")):
        attendance = meeting.attendances.get(member=members[code])
        office.locator(f'[name="attendance-presence_{attendance.pk}"]').select_option(presence)
    office.get_by_role("button", name="Aanwezigheid vastleggen").click()
    office.get_by_text("De aanwezigheid is vastgelegd.").wait_for()
    assert "2 van de 3 kernpartners aanwezig" in main_text(office)
    absent = meeting.attendances.get(member=members["wpi"])
    office.locator('[name="reaction-attendance"]').select_option(str(absent.pk))
    office.locator('[name="reaction-received_on"]').fill(held_on.isoformat())
    office.locator('[name="reaction-reaction"]').fill("WPI stemt in met de uitstroom.")
    office.get_by_role("button", name="Reactie vastleggen").click()
    office.get_by_text("De reactie per mail is vastgelegd.").wait_for()
    assert_accessible(office)

    # --- a PTO-R member decides the exit in the meeting ---
    member = page_for(members["politie"])
    member.goto(f"/pto-r/{meeting.pk}/")
    case_item = meeting.items.get(exit_procedure=procedure)
    proposal = member.locator("article", has_text=f"Casus {case.number}")
    assert "Verhuisd naar Utrecht; warme overdracht aan de gemeente." in proposal.inner_text()
    assert "Onzichtbaar" not in main_text(member)
    assert_accessible(member)
    proposal.locator(f'[name="decide{case_item.pk}-decision"]').select_option("akkoord")
    proposal.locator(f'[name="decide{case_item.pk}-reasoning"]').fill(DECISION)
    proposal.get_by_role("button", name="Besluit over uitstroom vastleggen").click()
    member.locator('[data-exit-decision="akkoord"]').wait_for()

    # --- the programme team records the opening's BESLUIT and closes the meeting ---
    office.reload()
    opening = meeting.items.get(order=1)
    office.locator(f'[name="texts{opening.pk}-decision"]').fill("De agenda wordt vastgesteld.")
    office.locator(f'[name="texts{opening.pk}-follow_up"]').fill(
        "Het programmateam stuurt de stukken rond."
    )
    office.locator(f"#item-{opening.pk}").locator("xpath=..").get_by_role(
        "button", name="Besluit, conclusies en vervolg vastleggen"
    ).click()
    office.get_by_text("Besluit, conclusies en vervolg zijn vastgelegd.").wait_for()
    office.get_by_role("button", name="Vergadering sluiten").click()
    office.get_by_text("De vergadering is gesloten").wait_for()
    assert office.locator("#meeting-status").inner_text() == "Gehouden"

    # --- the next meeting (online) adopts the minutes ---
    office.goto("/pto-r/nieuw/")
    office.locator('[name="date"]').fill(today.isoformat())
    office.locator('[name="form"]').select_option("online")
    office.locator('[name="previous"]').select_option(str(meeting.pk))
    office.get_by_role("button", name="Vergadering aanmaken").click()
    office.get_by_text("Casuïstiek kan niet online worden besproken").first.wait_for()
    assert office.get_by_role("button", name="Uitstroomvoorstellen agenderen").count() == 0
    office.locator('[name="kind"]').select_option("algemeen")
    office.locator('[name="title"]').fill("Vaststellen verslag")
    office.get_by_role("button", name="Toevoegen").click()
    office.get_by_text("Het agendapunt is toegevoegd.").wait_for()
    office.get_by_role("button", name="Agenda vaststellen").click()
    office.get_by_text("De agenda is vastgesteld.").wait_for()
    office.get_by_role("button", name=f"Verslag van {held_on:%d-%m-%Y} vaststellen").click()
    office.get_by_text(f"Het verslag van de vergadering van {held_on:%d-%m-%Y} is").wait_for()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_adopted_on) == (MeetingStatus.MINUTES_ADOPTED, today)

    # --- the adopted minutes as a PDF, read back ---
    member.goto(f"/pto-r/{meeting.pk}/")
    with member.expect_download() as download:
        member.locator("#minutes-pdf").click()
    with open(download.value.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # Lines wrap where the page ends them: compare the words.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        f"Casus {case.number}",
        DECISION,
        "De agenda wordt vastgesteld.",
        "WPI stemt in",
    ):
        assert expected in text
    assert "Onzichtbaar" not in text and "111222333" not in text

    # --- the case page shows the exit, decided on the meeting's day ---
    office.goto(f"/casussen/{case.pk}/")
    assert "Uitgestroomd" in main_text(office)
    office.goto(f"/casussen/{case.pk}/?tab=uitstroom")
    exits = office.locator('section[aria-labelledby="exits"]').inner_text()
    assert DECISION in exits
    assert f"Besluit PTO-R {held_on:%d-%m-%Y}" in exits
    procedure.refresh_from_db()
    assert (procedure.decision, procedure.decided_on) == (ExitProcedure.Decision.APPROVED, held_on)
    case.refresh_from_db()
    assert case.status == CaseStatus.EXITED
