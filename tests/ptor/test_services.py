"""PTO-R as a meeting (docs/rules.md R-PTO-1 to R-PTO-6): prepared by the programme team,
exit proposals decided in it through the one exit decision service, with a quorum, never
online; minutes adopted by the next meeting."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseStatus, ExitProcedure, ExitStatus
from kernel.errors import RuleViolation
from ptor import services
from ptor.models import AgendaItem, ItemKind, Meeting, MeetingForm, MeetingStatus, Presence
from ptor.services import (
    agenda_adopt,
    attendance_record,
    case_items_add,
    item_add,
    item_carry,
    item_decide_exit,
    item_record,
    meeting_close,
    meeting_prepare,
    minutes_adopt,
    reaction_record,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db

REASONING = "Het PTO-R ziet geen gevaarsrisico meer; nazorg via het wijkteam."


def mark(meeting: Meeting, by, **presence_by_code: str) -> None:
    """Mark the members by their kernpartner's code."""
    rows = {
        str(a.organisation and a.organisation.code): a.pk
        for a in meeting.attendances.select_related("organisation")
    }
    attendance_record(
        meeting=meeting, presences={rows[c]: p for c, p in presence_by_code.items()}, by=by
    )


def running(meeting: Meeting, by) -> Meeting:
    item_add(meeting=meeting, kind=ItemKind.GENERAL, title="Opening en mededelingen", by=by)
    return agenda_adopt(meeting=meeting, by=by)


def test_a_new_meeting_lists_each_pto_r_member_with_the_kernpartner(meeting, members):
    rows = {(a.member, a.organisation.code, a.presence) for a in meeting.attendances.all()}
    assert rows == {(user, code, Presence.UNKNOWN) for code, user in members.items()}
    assert meeting.status == MeetingStatus.CONCEPT


def test_only_the_programme_team_prepares(members):
    with pytest.raises(RuleViolation) as refusal:
        meeting_prepare(date=TODAY, form=MeetingForm.IN_PERSON, by=members["ggd"])
    assert refusal.value.code == "not_programme_team"
    assert not Meeting.objects.exists()


def test_waiting_exit_proposals_become_case_items_with_the_case_number_only(
    meeting, programme_team, advised
):
    first, second = advised(), advised()
    items = case_items_add(meeting=meeting, by=programme_team)
    assert [(i.kind, i.exit_procedure, i.title) for i in items] == [
        (ItemKind.CASE, first, f"Casus {first.case.number}"),
        (ItemKind.CASE, second, f"Casus {second.case.number}"),
    ]
    # Already on an open agenda: not added twice.
    with pytest.raises(RuleViolation) as refusal:
        case_items_add(meeting=meeting, by=programme_team)
    assert refusal.value.code == "none_waiting"


def test_an_online_meeting_holds_no_case_items(programme_team, members, advised):
    advised()
    online = meeting_prepare(date=TODAY, form=MeetingForm.ONLINE, by=programme_team)
    with pytest.raises(RuleViolation) as refusal:
        case_items_add(meeting=online, by=programme_team)
    assert refusal.value.message == services.ONLINE_NO_CASES
    assert not online.items.exists()


def test_a_case_is_decided_in_the_meeting_through_the_exit_decision(
    meeting, programme_team, members, advised
):
    procedure = advised()
    (item,) = case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    mark(meeting, programme_team, politie=Presence.PRESENT, ggd=Presence.PRESENT)
    mark(meeting, programme_team, wpi=Presence.ABSENT)

    item_decide_exit(
        item=item, decision=ExitProcedure.Decision.APPROVED, reasoning=REASONING, by=members["ggd"]
    )

    item.refresh_from_db()
    procedure.refresh_from_db()
    assert (item.exit_decision, item.decision) == (ExitProcedure.Decision.APPROVED, REASONING)
    assert (procedure.status, procedure.decided_on, procedure.decided_by) == (
        ExitStatus.APPROVED,
        TODAY,
        members["ggd"],
    )
    advice = procedure.itat_advices.get()
    assert procedure.decision_plan_version_id == advice.plan_version_id
    assert procedure.case.status == CaseStatus.EXITED
    # The decision was taken with these members present: the attendance is fixed now.
    with pytest.raises(RuleViolation) as refusal:
        mark(meeting, programme_team, wpi=Presence.PRESENT)
    assert refusal.value.code == "attendance_fixed"


def test_without_a_quorum_no_case_is_decided(meeting, programme_team, members, advised):
    procedure = advised()
    (item,) = case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    mark(meeting, programme_team, politie=Presence.PRESENT, ggd=Presence.ABSENT, wpi="afwezig")
    with pytest.raises(RuleViolation) as refusal:
        item_decide_exit(
            item=item, decision=ExitProcedure.Decision.APPROVED, reasoning="x", by=members["ggd"]
        )
    assert refusal.value.code == "no_quorum"
    assert refusal.value.params == {"present": 1, "listed": 3, "percent": 50}
    procedure.refresh_from_db()
    item.refresh_from_db()
    assert (procedure.status, item.exit_decision) == (ExitStatus.ADVISED, "")


def test_the_quorum_is_a_setting(meeting, programme_team, members, advised, settings):
    settings.IPGAR_PTO_R_QUORUM_PERCENT = 30
    advised()
    (item,) = case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    mark(meeting, programme_team, politie=Presence.PRESENT, ggd="afwezig", wpi="afwezig")
    item_decide_exit(
        item=item,
        decision=ExitProcedure.Decision.REJECTED,
        reasoning="Nog niet.",
        by=members["politie"],
    )
    item.refresh_from_db()
    assert item.exit_decision == ExitProcedure.Decision.REJECTED
    assert ExitProcedure.objects.get(ptor_items=item).case.status == CaseStatus.IN_REGIE


def test_only_a_pto_r_member_decides_a_case_item(meeting, programme_team, members, advised):
    advised()
    (item,) = case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    with pytest.raises(RuleViolation) as refusal:
        item_decide_exit(
            item=item, decision=ExitProcedure.Decision.APPROVED, reasoning="x", by=programme_team
        )
    assert refusal.value.code == "not_pto_r"


def test_a_case_is_not_decided_before_the_agenda_is_adopted(
    meeting, programme_team, members, advised
):
    advised()
    (item,) = case_items_add(meeting=meeting, by=programme_team)
    with pytest.raises(RuleViolation) as refusal:
        item_decide_exit(
            item=item, decision=ExitProcedure.Decision.APPROVED, reasoning="x", by=members["ggd"]
        )
    assert refusal.value.code == "not_running"


def test_a_meeting_still_to_come_is_not_held(programme_team, members):
    later = meeting_prepare(
        date=TODAY + datetime.timedelta(days=7), form=MeetingForm.IN_PERSON, by=programme_team
    )
    running(later, programme_team)
    with pytest.raises(RuleViolation) as refusal:
        mark(later, programme_team, ggd=Presence.PRESENT)
    assert refusal.value.code == "in_future"


def test_an_item_is_carried_to_a_named_next_meeting(meeting, programme_team, members, advised):
    advised()
    development = item_add(
        meeting=meeting, kind=ItemKind.DEVELOPMENT, title="Stand van zaken", by=programme_team
    )
    (case_item,) = case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    online = meeting_prepare(
        date=TODAY + datetime.timedelta(days=21), form=MeetingForm.ONLINE, by=programme_team
    )
    in_person = meeting_prepare(
        date=TODAY + datetime.timedelta(days=28), form=MeetingForm.IN_PERSON, by=programme_team
    )

    carried = item_carry(item=development, to=online, by=programme_team)
    assert (carried.meeting, carried.title, carried.carried_from) == (
        online,
        "Stand van zaken",
        development,
    )
    development.refresh_from_db()
    assert development.carried_to == online
    with pytest.raises(RuleViolation) as refusal:
        item_carry(item=case_item, to=online, by=programme_team)
    assert refusal.value.message == services.CARRY_CASE_TO_ONLINE
    carried_case = item_carry(item=case_item, to=in_person, by=programme_team)
    assert carried_case.exit_procedure == case_item.exit_procedure
    with pytest.raises(RuleViolation) as refusal:
        item_carry(item=case_item, to=in_person, by=programme_team)
    assert refusal.value.code == "dealt_with"


def test_texts_reactions_close_and_minutes_adopted_by_the_next_meeting(
    meeting, programme_team, members
):
    item = item_add(
        meeting=meeting, kind=ItemKind.GENERAL, title="Profielschets", by=programme_team
    )
    agenda_adopt(meeting=meeting, by=programme_team)
    item_record(
        item=item,
        decision="De agenda wordt vastgesteld.",
        conclusions="Alle kernpartners zijn het eens.",
        follow_up="Het programmateam stelt een notitie op.",
        by=programme_team,
    )
    mark(meeting, programme_team, politie="aanwezig", ggd="aanwezig", wpi="afwezig")
    wpi = meeting.attendances.get(member=members["wpi"])
    with pytest.raises(RuleViolation):
        reaction_record(
            attendance=meeting.attendances.get(member=members["ggd"]),
            reaction="Eens.",
            received_on=TODAY,
            by=programme_team,
        )
    reaction_record(
        attendance=wpi, reaction=" Eens met het voorstel. ", received_on=TODAY, by=programme_team
    )
    wpi.refresh_from_db()
    assert (wpi.reaction, wpi.reaction_received_on) == ("Eens met het voorstel.", TODAY)

    meeting_close(meeting=meeting, by=programme_team)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(ValidationError):  # the previous meeting lies before this one
        meeting_prepare(date=TODAY, form=MeetingForm.ONLINE, previous=meeting, by=programme_team)


def test_the_next_meeting_adopts_the_minutes(meeting, programme_team, members, time_machine):
    running(meeting, programme_team)
    with pytest.raises(RuleViolation) as refusal:
        minutes_adopt(meeting=meeting, by=programme_team)
    assert refusal.value.code == "no_previous"
    mark(meeting, programme_team, politie="aanwezig", ggd="aanwezig", wpi="afwezig")
    meeting_close(meeting=meeting, by=programme_team)
    next_day = TODAY + datetime.timedelta(days=28)
    following = meeting_prepare(
        date=next_day, form=MeetingForm.ONLINE, previous=meeting, by=programme_team
    )
    with pytest.raises(RuleViolation) as refusal:  # a second meeting adopting the same minutes
        meeting_prepare(date=next_day, form=MeetingForm.ONLINE, previous=meeting, by=programme_team)
    assert refusal.value.code == "previous_taken"
    running(following, programme_team)
    time_machine.move_to(datetime.datetime(2027, 1, 11, 10, 0, tzinfo=datetime.UTC))

    minutes_adopt(meeting=following, by=programme_team)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_adopted_on) == (MeetingStatus.MINUTES_ADOPTED, next_day)
    with pytest.raises(RuleViolation) as refusal:
        item_record(
            item=meeting.items.get(),
            decision="",
            conclusions="Later",
            follow_up="",
            by=programme_team,
        )
    assert refusal.value.code == "minutes_adopted"


def test_a_meeting_closes_only_with_every_case_dealt_with(
    meeting, programme_team, members, advised
):
    advised()
    case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    mark(meeting, programme_team, politie="aanwezig", ggd="aanwezig")
    with pytest.raises(RuleViolation) as refusal:
        meeting_close(meeting=meeting, by=programme_team)
    assert refusal.value.code == "attendance_unknown"
    mark(meeting, programme_team, wpi="afwezig")
    with pytest.raises(RuleViolation) as refusal:
        meeting_close(meeting=meeting, by=programme_team)
    assert refusal.value.code == "cases_open"
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.AGENDA_ADOPTED


def test_a_case_items_besluit_is_the_exit_decisions(meeting, programme_team, members, advised):
    advised()
    (item,) = case_items_add(meeting=meeting, by=programme_team)
    agenda_adopt(meeting=meeting, by=programme_team)
    with pytest.raises(RuleViolation) as refusal:
        item_record(item=item, decision="Akkoord", conclusions="", follow_up="", by=programme_team)
    assert refusal.value.code == "case_decision"
    item_record(
        item=item, decision="", conclusions="", follow_up="Nazorg volgen.", by=programme_team
    )
    assert AgendaItem.objects.get(pk=item.pk).follow_up == "Nazorg volgen."
