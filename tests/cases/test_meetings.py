"""UVO meetings: logged whole in one transaction, the first UVO first and only once,
dated in the past and not before the case, with attendees; corrections use the
meeting's revision; agreed actions are marked done."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cases.models import Meeting, MeetingAction, MeetingAttendee
from cases.services.meetings import (
    ACTION_ALREADY_DONE,
    ACTION_DESCRIPTION_REQUIRED,
    ACTION_DONE_BEFORE_MEETING,
    ACTION_DONE_IN_FUTURE,
    ACTION_DUE_BEFORE_MEETING,
    ACTION_OWNER_REQUIRED,
    ATTENDEE_NAME_REQUIRED,
    ATTENDEE_NOT_IN_TEAM,
    ATTENDEE_ORGANISATION_REQUIRED,
    MEETING_BEFORE_FIRST_UVO,
    MEETING_BEFORE_REGISTRATION,
    MEETING_CASE_EXITED,
    MEETING_FIRST_UVO_AFTER_OTHERS,
    MEETING_FIRST_UVO_EXISTS,
    MEETING_FIRST_UVO_INCOMPLETE,
    MEETING_FIRST_UVO_MISSING,
    MEETING_FIRST_UVO_PART_ONE_MISSING,
    MEETING_FIRST_UVO_PART_TWO_EXISTS,
    MEETING_FIRST_UVO_SINGLE,
    MEETING_IN_FUTURE,
    MEETING_KIND_INVALID,
    MEETING_NO_ATTENDEES,
    MEETING_PART_NOT_FIRST_UVO,
    MEETING_PART_ONE_AFTER_PART_TWO,
    MEETING_PART_TWO_BEFORE_PART_ONE,
    ActionInput,
    AttendeeInput,
    action_mark_done,
    meeting_log,
    meeting_update,
)
from kernel.errors import RuleViolation, StaleObject
from tests.factories import CaseFactory, MeetingFactory, OrganisationFactory, TeamMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

FIRST_UVO_ON = datetime.date(2025, 2, 3)
SECOND_UVO_ON = datetime.date(2025, 4, 1)


def attendee(name: str = "Regisseur", code: str = "oov", team_member=None) -> AttendeeInput:
    return AttendeeInput(
        name=name, organisation=OrganisationFactory(code=code), team_member=team_member
    )


def action(description: str = "Huisarts benaderen", due_on=datetime.date(2025, 3, 1)):
    return ActionInput(
        description=description, owner_organisation=OrganisationFactory(code="ggd"), due_on=due_on
    )


def log(case, by, **fields) -> Meeting:
    values: dict[str, Any] = {
        "held_on": FIRST_UVO_ON,
        "kind": Meeting.Kind.FIRST,
        "person_attended": False,
        "agenda": "Kennismaking; beeld van de casus; spelregels.",
        "development": "",
        "decisions": "Plan van aanpak in concept voor het volgende UVO.",
        "exit_in_sight": False,
        "attendees": [attendee("Regisseur", "oov"), attendee("Wijkagent", "politie")],
    } | fields
    if "actions" not in values:
        values["actions"] = [action(due_on=values["held_on"] + datetime.timedelta(weeks=4))]
    return meeting_log(case=case, by=by, **values)


def nothing_written(case) -> bool:
    return not (
        Meeting.objects.filter(case=case).exists()
        or MeetingAttendee.objects.filter(meeting__case=case).exists()
        or MeetingAction.objects.filter(meeting__case=case).exists()
    )


# --- Logging ------------------------------------------------------------------


def test_the_first_uvo_is_logged_with_attendees_and_actions(author, time_machine):
    case = CaseFactory()
    member = TeamMemberFactory(case=case)
    before = (case.revision, case.updated_at)
    time_machine.shift(datetime.timedelta(minutes=5))

    meeting = log(
        case,
        author,
        attendees=[attendee("Regisseur"), attendee(member.name, "ggd", team_member=member)],
        actions=[action("Huisarts benaderen"), action("Woningcorporatie bellen")],
    )

    assert (meeting.kind, meeting.held_on, meeting.recorded_by) == (
        Meeting.Kind.FIRST,
        FIRST_UVO_ON,
        author,
    )
    assert sorted(a.name for a in meeting.attendees.all()) == sorted(["Regisseur", member.name])
    assert meeting.attendees.get(team_member=member).organisation.code == "ggd"
    assert sorted(meeting.actions.values_list("description", flat=True)) == [
        "Huisarts benaderen",
        "Woningcorporatie bellen",
    ]
    case.refresh_from_db()
    assert case.revision == before[0] + 1
    assert case.updated_at > before[1]


def test_the_first_meeting_of_a_case_is_the_first_uvo(author):
    case = CaseFactory()
    with pytest.raises(RuleViolation) as refused:
        log(case, author, kind=Meeting.Kind.REGULAR)
    assert refused.value.messages == [MEETING_FIRST_UVO_MISSING]
    assert nothing_written(case)


def test_a_case_has_only_one_first_uvo(author):
    case = CaseFactory()
    log(case, author)
    with pytest.raises(RuleViolation) as refused:
        log(case, author, held_on=SECOND_UVO_ON)
    assert refused.value.messages == [MEETING_FIRST_UVO_EXISTS]
    assert case.meetings.count() == 1


def test_a_regular_uvo_follows_the_first(author):
    case = CaseFactory()
    log(case, author)

    second = log(case, author, kind=Meeting.Kind.REGULAR, held_on=SECOND_UVO_ON)

    assert second.kind == Meeting.Kind.REGULAR
    with pytest.raises(ValidationError) as refused:
        log(case, author, kind=Meeting.Kind.REGULAR, held_on=FIRST_UVO_ON - datetime.timedelta(1))
    assert refused.value.messages == [MEETING_BEFORE_FIRST_UVO]


# --- A first UVO in two meetings (R-CASE-4) ----------------------------------------

PART_TWO_ON = datetime.date(2025, 2, 17)


def test_a_first_uvo_in_two_meetings_is_complete_after_part_two(author):
    case = CaseFactory()
    part_one = log(case, author, first_uvo_part=Meeting.Part.FIRST)
    with pytest.raises(RuleViolation) as refused:
        log(case, author, kind=Meeting.Kind.REGULAR, held_on=SECOND_UVO_ON)
    assert refused.value.messages == [MEETING_FIRST_UVO_INCOMPLETE]

    part_two = log(case, author, held_on=PART_TWO_ON, first_uvo_part=Meeting.Part.SECOND)
    regular = log(case, author, kind=Meeting.Kind.REGULAR, held_on=SECOND_UVO_ON)

    assert [m.first_uvo_part for m in (part_one, part_two, regular)] == [1, 2, None]
    assert "deel 2 van 2" in str(part_two)


def test_a_regular_uvo_is_not_held_before_the_first_uvo_is_complete(author):
    case = CaseFactory()
    log(case, author, first_uvo_part=Meeting.Part.FIRST)
    log(case, author, held_on=PART_TWO_ON, first_uvo_part=Meeting.Part.SECOND)
    with pytest.raises(ValidationError) as refused:
        log(case, author, kind=Meeting.Kind.REGULAR, held_on=PART_TWO_ON - datetime.timedelta(1))
    assert refused.value.messages == [MEETING_BEFORE_FIRST_UVO]


def test_part_two_without_part_one_is_refused(author):
    case = CaseFactory()
    with pytest.raises(RuleViolation) as refused:
        log(case, author, first_uvo_part=Meeting.Part.SECOND)
    assert refused.value.messages == [MEETING_FIRST_UVO_PART_ONE_MISSING]
    assert nothing_written(case)


@pytest.mark.parametrize(
    ("first_part", "message"),
    [(None, MEETING_FIRST_UVO_SINGLE), (Meeting.Part.SECOND, MEETING_FIRST_UVO_PART_TWO_EXISTS)],
)
def test_a_second_part_two_or_one_after_a_single_meeting_is_refused(author, first_part, message):
    case = CaseFactory()
    if first_part is None:
        log(case, author)
    else:
        log(case, author, first_uvo_part=Meeting.Part.FIRST)
        log(case, author, held_on=PART_TWO_ON, first_uvo_part=Meeting.Part.SECOND)
    count = case.meetings.count()
    with pytest.raises(RuleViolation) as refused:
        log(case, author, held_on=SECOND_UVO_ON, first_uvo_part=Meeting.Part.SECOND)
    assert refused.value.messages == [message]
    assert case.meetings.count() == count


def test_part_one_comes_once(author):
    case = CaseFactory()
    log(case, author, first_uvo_part=Meeting.Part.FIRST)
    with pytest.raises(RuleViolation) as refused:
        log(case, author, held_on=PART_TWO_ON, first_uvo_part=Meeting.Part.FIRST)
    assert refused.value.messages == [MEETING_FIRST_UVO_EXISTS]


def test_part_two_is_not_held_before_part_one(author):
    case = CaseFactory()
    part_one = log(case, author, first_uvo_part=Meeting.Part.FIRST)
    with pytest.raises(ValidationError) as refused:
        log(
            case,
            author,
            held_on=FIRST_UVO_ON - datetime.timedelta(1),
            first_uvo_part=Meeting.Part.SECOND,
        )
    assert refused.value.messages == [MEETING_PART_TWO_BEFORE_PART_ONE]

    log(case, author, held_on=PART_TWO_ON, first_uvo_part=Meeting.Part.SECOND)
    with pytest.raises(ValidationError) as late:
        meeting_update(meeting=part_one, held_on=PART_TWO_ON + datetime.timedelta(1), by=author)
    assert late.value.messages == [MEETING_PART_ONE_AFTER_PART_TWO]


@pytest.mark.parametrize("kind", [Meeting.Kind.REGULAR, Meeting.Kind.PLUS])
def test_only_a_first_uvo_has_parts(author, kind):
    case = CaseFactory()
    log(case, author)
    with pytest.raises(ValidationError) as refused:
        log(case, author, kind=kind, held_on=SECOND_UVO_ON, first_uvo_part=Meeting.Part.FIRST)
    assert refused.value.messages == [MEETING_PART_NOT_FIRST_UVO]


def test_the_database_keeps_parts_on_first_uvos_only():
    with pytest.raises(IntegrityError):
        MeetingFactory(kind=Meeting.Kind.REGULAR, first_uvo_part=Meeting.Part.FIRST)


@pytest.mark.parametrize("kind", [Meeting.Kind.PLUS, Meeting.Kind.BREAKTHROUGH])
def test_an_uvo_plus_or_breakthrough_meeting_may_be_held_any_time(author, kind):
    case = CaseFactory()
    meeting = log(case, author, kind=kind)
    assert meeting.kind == kind
    assert log(case, author, held_on=SECOND_UVO_ON).kind == Meeting.Kind.FIRST


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (lambda: {"held_on": datetime.date(2026, 11, 24)}, MEETING_IN_FUTURE),
        (lambda: {"held_on": datetime.date(2025, 1, 5)}, MEETING_BEFORE_REGISTRATION),
        (lambda: {"attendees": []}, MEETING_NO_ATTENDEES),
        (lambda: {"attendees": [attendee(name=" ")]}, ATTENDEE_NAME_REQUIRED),
        (
            lambda: {"attendees": [AttendeeInput(name="Wijkagent", organisation=None)]},  # type: ignore[arg-type]
            ATTENDEE_ORGANISATION_REQUIRED,
        ),
        (lambda: {"kind": "borrel"}, MEETING_KIND_INVALID),
        (
            lambda: {
                "actions": [ActionInput("Bellen", owner_organisation=None, due_on=SECOND_UVO_ON)]  # type: ignore[arg-type]
            },
            ACTION_OWNER_REQUIRED,
        ),
        (lambda: {"actions": [action(), action(description="")]}, ACTION_DESCRIPTION_REQUIRED),
    ],
)
def test_meeting_input_is_checked_and_nothing_is_written(author, fields, message):
    case = CaseFactory()  # registered on 6 January 2025; today is 23 November 2026
    with pytest.raises(ValidationError) as refused:
        log(case, author, **fields())
    assert refused.value.messages == [message]
    assert nothing_written(case)


def test_today_is_a_valid_meeting_date(author, today):
    assert log(CaseFactory(), author, held_on=today, actions=[]).held_on == today


def test_an_attendee_linked_to_a_team_member_is_in_this_case_team(author):
    case = CaseFactory()
    stranger = TeamMemberFactory()  # on another case
    with pytest.raises(ValidationError) as refused:
        log(case, author, attendees=[attendee(stranger.name, team_member=stranger)])
    assert refused.value.messages == [ATTENDEE_NOT_IN_TEAM]
    assert nothing_written(case)


def test_a_bad_action_rolls_the_whole_meeting_back(author):
    case = CaseFactory()
    revision = case.revision
    late = action(due_on=FIRST_UVO_ON - datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        log(case, author, actions=[action(), late])

    assert refused.value.messages == [ACTION_DUE_BEFORE_MEETING]
    assert nothing_written(case)
    case.refresh_from_db()
    assert case.revision == revision


def test_a_failure_while_storing_the_actions_leaves_nothing_half_written(author, monkeypatch):
    """The meeting and its attendees are already inserted when the actions fail."""
    case = CaseFactory()
    revision = case.revision

    def fail(*args, **kwargs):
        raise IntegrityError("actie kon niet worden opgeslagen")

    monkeypatch.setattr(MeetingAction.objects, "bulk_create", fail)

    with pytest.raises(IntegrityError):
        log(case, author)

    assert nothing_written(case)
    case.refresh_from_db()
    assert case.revision == revision


def test_no_meeting_is_logged_on_an_exited_case(author):
    case = CaseFactory(exited=True)
    with pytest.raises(RuleViolation) as refused:
        log(case, author)
    assert refused.value.messages == [MEETING_CASE_EXITED]
    assert nothing_written(case)


# --- Corrections -----------------------------------------------------------------


def test_a_meeting_is_corrected_and_moves_to_a_new_revision_with_its_case(author):
    case = CaseFactory()
    meeting = log(case, author)
    case_revision = case.revision

    corrected = meeting_update(
        meeting=meeting,
        development="Persoon staat open voor hulp.",
        exit_in_sight=True,
        expected_revision=meeting.revision,
        by=author,
    )

    assert corrected.development == "Persoon staat open voor hulp."
    assert corrected.exit_in_sight is True
    assert corrected.agenda == meeting.agenda
    assert corrected.revision == meeting.revision + 1
    case.refresh_from_db()
    assert case.revision == case_revision + 1


def test_a_correction_on_a_stale_revision_is_refused(author):
    meeting = log(CaseFactory(), author)
    meeting_update(meeting=meeting, decisions="Eerste correctie", by=author)

    with pytest.raises(StaleObject):
        meeting_update(
            meeting=meeting, decisions="Tweede", expected_revision=meeting.revision, by=author
        )
    meeting.refresh_from_db()
    assert meeting.decisions == "Eerste correctie"


def test_a_corrected_date_keeps_the_first_uvo_first(author):
    case = CaseFactory()
    first = log(case, author, actions=[])
    second = log(case, author, kind=Meeting.Kind.REGULAR, held_on=SECOND_UVO_ON, actions=[])

    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=second, held_on=FIRST_UVO_ON - datetime.timedelta(1), by=author)
    assert refused.value.messages == [MEETING_BEFORE_FIRST_UVO]

    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=first, held_on=SECOND_UVO_ON + datetime.timedelta(1), by=author)
    assert refused.value.messages == [MEETING_FIRST_UVO_AFTER_OTHERS]


def test_a_corrected_date_is_checked_like_a_new_one(author):
    meeting = log(CaseFactory(), author)
    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=meeting, held_on=datetime.date(2026, 12, 1), by=author)
    assert refused.value.messages == [MEETING_IN_FUTURE]
    with pytest.raises(ValidationError) as refused:
        meeting_update(meeting=meeting, held_on=datetime.date(2025, 3, 10), by=author)
    assert refused.value.messages == [ACTION_DUE_BEFORE_MEETING]


def test_a_meeting_of_an_exited_case_is_not_corrected(author):
    meeting = MeetingFactory(case=CaseFactory(exited=True))
    with pytest.raises(RuleViolation) as refused:
        meeting_update(meeting=meeting, decisions="Achteraf", by=author)
    assert refused.value.messages == [MEETING_CASE_EXITED]


# --- Actions -----------------------------------------------------------------------


def test_an_action_is_marked_done_once(author):
    case = CaseFactory()
    meeting = log(case, author)
    agreed = meeting.actions.get()
    case_revision = case.revision

    done = action_mark_done(action=agreed, done_on=datetime.date(2025, 2, 20), by=author)

    assert done.done_on == datetime.date(2025, 2, 20)
    meeting.refresh_from_db()
    assert meeting.revision == 2
    case.refresh_from_db()
    assert case.revision == case_revision + 1
    with pytest.raises(RuleViolation) as refused:
        action_mark_done(action=agreed, done_on=datetime.date(2025, 2, 21), by=author)
    assert refused.value.messages == [ACTION_ALREADY_DONE]


@pytest.mark.parametrize(
    ("done_on", "message"),
    [
        (FIRST_UVO_ON - datetime.timedelta(days=1), ACTION_DONE_BEFORE_MEETING),
        (datetime.date(2026, 11, 24), ACTION_DONE_IN_FUTURE),
    ],
)
def test_an_action_is_done_between_its_meeting_and_today(author, done_on, message):
    agreed = log(CaseFactory(), author).actions.get()
    with pytest.raises(ValidationError) as refused:
        action_mark_done(action=agreed, done_on=done_on, by=author)
    assert refused.value.messages == [message]
    agreed.refresh_from_db()
    assert agreed.done_on is None
