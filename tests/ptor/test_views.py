"""The PTO-R meeting pages: a meeting held through its forms, from agenda to adopted
minutes, with an exit decided in it; case numbers only on the page and in the PDF; the
refusals answer 409 and write nothing."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from audit.models import AccessLog
from cases.models import CaseStatus, ExitProcedure, Person
from kernel.errors import STALE_RECORD
from ptor import services
from ptor.forms import EXIT_DECISION_CHOICE_REQUIRED
from ptor.models import AgendaItem, Meeting, MeetingForm, MeetingStatus, Presence
from ptor.services import agenda_adopt, item_add, meeting_prepare
from tests.cases.conftest import client_for
from tests.queries import assert_same_query_count, count_queries

from .conftest import TODAY

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Testpersoon",
    "last_name": "Zichtbaarniet",
    "bsn": "111222333",
    "date_of_birth": datetime.date(1999, 5, 17),
    "address": "Voorbeeldstraat 1, 1000 AA Amsterdam",
}
PERSON_TEXTS = ("Zichtbaarniet", "111222333", "17-05-1999", "1999-05-17", "Voorbeeldstraat")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _page_queries(client, url: str):
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def post(client: Any, name: str, meeting: Meeting, data: dict, **kwargs: Any) -> Any:
    return client.post(reverse(f"ptor:{name}", kwargs={"pk": meeting.pk, **kwargs}), data)


def decide(client: Any, meeting: Meeting, item: AgendaItem, decision: str, reasoning: str) -> Any:
    """Send an item's decision form as a member does: on the revision he or she loaded."""
    return post(
        client,
        "item_decide",
        meeting,
        {
            f"decide{item.pk}-revision": item.revision,
            f"decide{item.pk}-decision": decision,
            f"decide{item.pk}-reasoning": reasoning,
        },
        item_id=item.pk,
    )


def test_a_meeting_is_held_from_agenda_to_adopted_minutes(
    programme_team, members, advised, time_machine
):
    procedure = advised()
    Person.objects.filter(case=procedure.case).update(**PERSON)
    secretary = client_for(programme_team)
    member = client_for(members["politie"])

    response = secretary.post(
        reverse("ptor:meeting_new"), {"date": TODAY.isoformat(), "form": MeetingForm.IN_PERSON}
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    post(secretary, "item_add", meeting, {"kind": "algemeen", "title": "Opening en mededelingen"})
    post(secretary, "case_items_add", meeting, {"cases-revision": 1})
    meeting.refresh_from_db()
    assert (
        post(secretary, "agenda_adopt", meeting, {"adopt-revision": meeting.revision}).status_code
        == 302
    )
    presences = {
        f"attendance-presence_{a.pk}": Presence.PRESENT
        if a.member != members["wpi"]
        else Presence.ABSENT
        for a in meeting.attendances.all()
    }
    assert post(secretary, "attendance", meeting, presences).status_code == 302
    absent = meeting.attendances.get(member=members["wpi"])
    response = post(
        secretary,
        "reaction",
        meeting,
        {
            "reaction-attendance": absent.pk,
            "reaction-received_on": TODAY.isoformat(),
            "reaction-reaction": "WPI is akkoord met de uitstroom.",
        },
    )
    assert response.status_code == 302

    opening, case_item = meeting.items.order_by("order")
    page = member.get(reverse("ptor:meeting_detail", kwargs={"pk": meeting.pk})).content.decode()
    assert f"Casus {procedure.case.number}" in page
    assert not any(text in page for text in PERSON_TEXTS)
    assert AccessLog.objects.filter(user=members["politie"], object_id=str(procedure.pk)).exists()

    response = decide(
        member,
        meeting,
        case_item,
        ExitProcedure.Decision.APPROVED,
        "Geen gevaarsrisico meer; nazorg geregeld.",
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.decided_on, procedure.case.status) == (TODAY, CaseStatus.EXITED)
    post(
        secretary,
        "item_texts",
        meeting,
        {
            f"texts{opening.pk}-revision": 1,
            f"texts{opening.pk}-decision": "De agenda wordt vastgesteld.",
            f"texts{opening.pk}-conclusions": "",
            f"texts{opening.pk}-follow_up": "Het programmateam stuurt de stukken rond.",
        },
        item_id=opening.pk,
    )
    meeting.refresh_from_db()
    assert (
        post(secretary, "meeting_close", meeting, {"close-revision": meeting.revision}).status_code
        == 302
    )

    following = meeting_prepare(
        date=TODAY + datetime.timedelta(days=28),
        form=MeetingForm.ONLINE,
        previous=meeting,
        by=programme_team,
    )
    time_machine.move_to(datetime.datetime(2027, 1, 11, 10, 0, tzinfo=datetime.UTC))
    secretary = client_for(programme_team)  # the earlier session has expired meanwhile
    member = client_for(members["politie"])
    item_add(meeting=following, kind="algemeen", title="Vaststellen verslag", by=programme_team)
    following = agenda_adopt(meeting=following, by=programme_team)
    response = post(secretary, "minutes_adopt", following, {"minutes-revision": following.revision})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_ADOPTED

    response = member.get(reverse("ptor:minutes_download", kwargs={"pk": meeting.pk}))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        f"Casus {procedure.case.number}",
        "Geen gevaarsrisico meer; nazorg geregeld.",
        "De agenda wordt vastgesteld.",
        "Het programmateam stuurt de stukken rond.",
        "WPI is akkoord met de uitstroom.",
        "POLITIE",
    ):
        assert expected in text
    assert not any(person_text in text for person_text in PERSON_TEXTS)
    assert AccessLog.objects.filter(
        user=members["politie"], action=AccessLog.Action.DOWNLOAD, object_id=str(procedure.pk)
    ).exists()


def test_an_online_meeting_refuses_case_items_with_409(programme_team, members, advised):
    advised()
    online = meeting_prepare(date=TODAY, form=MeetingForm.ONLINE, by=programme_team)
    response = post(client_for(programme_team), "case_items_add", online, {"cases-revision": 1})
    assert response.status_code == 409
    assert escape(str(services.ONLINE_NO_CASES)) in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_the_programme_team_does_not_decide_a_case(meeting, programme_team, members, advised):
    advised()
    (item,) = services.case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    response = post(
        client_for(programme_team),
        "item_decide",
        meeting,
        {f"decide{item.pk}-revision": 1, f"decide{item.pk}-decision": "akkoord"},
        item_id=item.pk,
    )
    assert response.status_code == 403


def test_a_decision_without_quorum_is_refused_on_the_page(
    meeting, programme_team, members, advised
):
    procedure = advised()
    (item,) = services.case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    response = decide(
        client_for(members["ggd"]), meeting, item, ExitProcedure.Decision.APPROVED, "Akkoord."
    )
    assert response.status_code == 409
    assert "0 van de 3 kernpartners zijn aanwezig" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.decision == ""


def test_minutes_not_yet_adopted_have_no_pdf(meeting, members):
    response = client_for(members["ggd"]).get(
        reverse("ptor:minutes_download", kwargs={"pk": meeting.pk})
    )
    assert response.status_code == 404


@pytest.fixture
def held(meeting, programme_team, members, advised) -> tuple[Meeting, AgendaItem]:
    """Today's meeting running with one case item, every member present."""
    advised()
    (item,) = services.case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    services.attendance_record(
        meeting=meeting,
        presences={a.pk: Presence.PRESENT for a in meeting.attendances.all()},
        by=programme_team,
    )
    return meeting, item


def test_the_decision_form_presets_no_choice_and_names_what_it_decides_on(held, members):
    meeting, item = held
    client = client_for(members["ggd"])
    page = client.get(reverse("ptor:meeting_detail", kwargs={"pk": meeting.pk})).content.decode()
    assert f'name="decide{item.pk}-decision"' in page
    for choice in ExitProcedure.Decision.values:
        assert f'value="{choice}" selected' not in page
    assert "op plan van aanpak versie 1" in page

    response = decide(client, meeting, item, "", "Overdracht geregeld.")
    assert response.status_code == 400
    assert escape(str(EXIT_DECISION_CHOICE_REQUIRED)) in response.content.decode()


def test_a_decision_without_reasoning_keeps_the_choice_and_decides_nothing(held, members):
    meeting, item = held
    response = decide(
        client_for(members["ggd"]), meeting, item, ExitProcedure.Decision.REJECTED, ""
    )
    assert response.status_code == 400
    assert 'value="afgewezen" selected' in response.content.decode()
    item.refresh_from_db()
    assert item.exit_decision == ""


def test_a_stale_decision_shows_the_conflict(held, members):
    meeting, item = held
    AgendaItem.objects.filter(pk=item.pk).update(revision=item.revision + 1)
    response = decide(
        client_for(members["ggd"]), meeting, item, ExitProcedure.Decision.APPROVED, "Akkoord."
    )
    assert response.status_code == 409
    assert escape(str(STALE_RECORD)) in response.content.decode()
    assert ExitProcedure.objects.get(ptor_items=item).decision == ""


def test_the_meeting_page_costs_the_same_for_one_and_three_case_items(
    programme_team, members, advised
):
    """As the programme team, on a running meeting: every item with its texts and carry
    forms, a later meeting to carry to."""
    meeting_prepare(
        date=TODAY + datetime.timedelta(days=28), form=MeetingForm.IN_PERSON, by=programme_team
    )
    client = client_for(programme_team)
    # A session's first request reads the signed-in user into the cache (accounts/signed_in.py).
    client.get(reverse("home"))

    def running_with(proposals: int) -> str:
        for _ in range(proposals):
            advised()
        meeting = meeting_prepare(date=TODAY, form=MeetingForm.IN_PERSON, by=programme_team)
        services.case_items_add(meeting=meeting, by=programme_team)
        agenda_adopt(meeting=meeting, by=programme_team)
        return reverse("ptor:meeting_detail", kwargs={"pk": meeting.pk})

    small = _page_queries(client, running_with(1))
    large = _page_queries(client, running_with(3))
    assert_same_query_count(small, large, what="the PTO-R meeting page")
