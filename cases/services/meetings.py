"""UVO meetings (uitvoerdersoverleg) of a case's intervention team (docs/rules.md
R-CASE-3, R-CASE-4).

An UVO is logged whole, in one transaction: the meeting, who attended and the
actions agreed. If any part fails, nothing of it is stored.

The first meeting of the team is the first UVO (eerste UVO), and a case has only
one. It may be held in two meetings (R-CASE-4): part 1 meets the first-UVO deadline,
and the first UVO is complete once part 2 is recorded. A regular UVO follows the
complete first UVO; an UVO-plus (extra parties at the table) and a
breakthrough meeting (doorbraakoverleg) may be held at any time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update

from ..models import Case, Meeting, MeetingAction, MeetingAttendee, TeamMember
from .revisions import touch_case

MEETING_CASE_EXITED = _("De casus is uitgestroomd: er worden geen UVO's meer vastgelegd.")
MEETING_KIND_INVALID = _("Kies het soort overleg: eerste UVO, UVO, UVO-plus of doorbraakoverleg.")
MEETING_IN_FUTURE = _(
    "Een UVO wordt vastgelegd nadat het is gehouden: de datum ligt in de toekomst."
)
MEETING_BEFORE_REGISTRATION = _(
    "Het overleg kan niet zijn gehouden vóór de aanmelding van de casus."
)
MEETING_FIRST_UVO_MISSING = _(
    "Het eerste overleg van het interventieteam is het eerste UVO: leg dat eerst vast."
)
MEETING_FIRST_UVO_EXISTS = _("Deze casus heeft al een eerste UVO.")
MEETING_BEFORE_FIRST_UVO = _("Een UVO kan niet eerder zijn gehouden dan het eerste UVO.")
MEETING_FIRST_UVO_AFTER_OTHERS = _(
    "Het eerste UVO kan niet later zijn gehouden dan een volgend UVO."
)
MEETING_PART_NOT_FIRST_UVO = _("Alleen het eerste UVO kan in twee bijeenkomsten worden gehouden.")
MEETING_FIRST_UVO_PART_ONE_MISSING = _(
    "Deel 2 van het eerste UVO volgt op deel 1: leg eerst deel 1 van het eerste UVO vast."
)
MEETING_FIRST_UVO_SINGLE = _(
    "Het eerste UVO is in één bijeenkomst gehouden: er is geen deel 2 om vast te leggen."
)
MEETING_FIRST_UVO_PART_TWO_EXISTS = _("Deel 2 van het eerste UVO is al vastgelegd.")
MEETING_FIRST_UVO_INCOMPLETE = _(
    "Het eerste UVO is in twee bijeenkomsten georganiseerd: leg eerst deel 2 vast."
)
MEETING_PART_TWO_BEFORE_PART_ONE = _(
    "Deel 2 van het eerste UVO kan niet eerder zijn gehouden dan deel 1."
)
MEETING_PART_ONE_AFTER_PART_TWO = _(
    "Deel 1 van het eerste UVO kan niet later zijn gehouden dan deel 2."
)
MEETING_NO_ATTENDEES = _("Leg vast wie er bij het overleg aanwezig waren.")
ATTENDEE_NAME_REQUIRED = _("Vul de naam van iedere deelnemer in.")
ATTENDEE_ORGANISATION_REQUIRED = _("Kies de organisatie van iedere deelnemer.")
ATTENDEE_NOT_IN_TEAM = _("Deze deelnemer is geen lid van het interventieteam van deze casus.")
ACTION_DESCRIPTION_REQUIRED = _("Beschrijf iedere actie.")
ACTION_OWNER_REQUIRED = _("Kies de organisatie die eigenaar is van iedere actie.")
ACTION_DUE_BEFORE_MEETING = _("De uiterste datum van een actie ligt niet vóór het overleg.")
ACTION_ALREADY_DONE = _("Deze actie is al afgerond.")
ACTION_DONE_IN_FUTURE = _("De datum van afronding ligt in de toekomst.")
ACTION_DONE_BEFORE_MEETING = _(
    "Een actie kan niet zijn afgerond vóór het overleg waarin ze is afgesproken."
)

# Meetings that may be held whenever needed, also before the first UVO.
ANY_TIME_KINDS = (Meeting.Kind.PLUS, Meeting.Kind.BREAKTHROUGH)


@dataclass(frozen=True)
class AttendeeInput:
    name: str
    organisation: Organisation
    team_member: TeamMember | None = None


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_organisation: Organisation
    due_on: datetime.date


def meeting_log_check(case: Case) -> None:
    """Raise the RuleViolation that refuses a new meeting on ``case`` as it stands (the
    case page shows it beside a disabled action, cases/selectors/case_page.py)."""
    if not case.is_open:
        raise RuleViolation(MEETING_CASE_EXITED, code="case_exited")


def _lock_open_case(case: Case) -> Case:
    """Serialise meeting writes on one case (the first-UVO check), refusing an exited case."""
    locked = lock_for_update(case, expected_revision=None)
    meeting_log_check(locked)
    return locked


def _check_date(*, case: Case, held_on: datetime.date) -> None:
    if held_on > timezone.localdate():
        raise ValidationError(MEETING_IN_FUTURE, code="in_future")
    if held_on < case.registered_on:
        raise ValidationError(MEETING_BEFORE_REGISTRATION, code="before_registration")


def _check_part(*, kind: str, first_uvo_part: int | None) -> None:
    if first_uvo_part is None:
        return
    if first_uvo_part not in Meeting.Part.values or kind != Meeting.Kind.FIRST:
        raise ValidationError(MEETING_PART_NOT_FIRST_UVO, code="part_not_first_uvo")


def _check_order(
    *,
    case: Case,
    kind: str,
    held_on: datetime.date,
    first_uvo_part: int | None = None,
    meeting: Meeting | None = None,
) -> None:
    """The first UVO comes first: one per case (in one meeting, or in two: part 1 then
    part 2), and no regular UVO before it is complete."""
    others = case.meetings.all()
    if meeting is not None:
        others = others.exclude(pk=meeting.pk)
    firsts = {m.first_uvo_part: m for m in others.filter(kind=Meeting.Kind.FIRST)}
    opening = firsts.get(None) or firsts.get(Meeting.Part.FIRST)
    second = firsts.get(Meeting.Part.SECOND)
    if kind == Meeting.Kind.FIRST and first_uvo_part == Meeting.Part.SECOND:
        if second is not None:
            raise RuleViolation(MEETING_FIRST_UVO_PART_TWO_EXISTS, code="first_uvo_part_two_exists")
        if opening is None:
            raise RuleViolation(
                MEETING_FIRST_UVO_PART_ONE_MISSING, code="first_uvo_part_one_missing"
            )
        if opening.first_uvo_part is None:
            raise RuleViolation(MEETING_FIRST_UVO_SINGLE, code="first_uvo_single")
        if held_on < opening.held_on:
            raise ValidationError(MEETING_PART_TWO_BEFORE_PART_ONE, code="part_two_early")
        if others.filter(kind=Meeting.Kind.REGULAR, held_on__lt=held_on).exists():
            raise ValidationError(MEETING_FIRST_UVO_AFTER_OTHERS, code="first_uvo_late")
    elif kind == Meeting.Kind.FIRST:
        if opening is not None:
            raise RuleViolation(MEETING_FIRST_UVO_EXISTS, code="first_uvo_exists")
        if second is not None:
            if first_uvo_part != Meeting.Part.FIRST:
                raise RuleViolation(MEETING_FIRST_UVO_EXISTS, code="first_uvo_exists")
            if held_on > second.held_on:
                raise ValidationError(MEETING_PART_ONE_AFTER_PART_TWO, code="part_one_late")
        if others.filter(kind=Meeting.Kind.REGULAR, held_on__lt=held_on).exists():
            raise ValidationError(MEETING_FIRST_UVO_AFTER_OTHERS, code="first_uvo_late")
    elif kind == Meeting.Kind.REGULAR:
        if opening is None:
            raise RuleViolation(MEETING_FIRST_UVO_MISSING, code="first_uvo_missing")
        completed_by = opening if opening.first_uvo_part is None else second
        if completed_by is None:
            raise RuleViolation(MEETING_FIRST_UVO_INCOMPLETE, code="first_uvo_incomplete")
        if held_on < completed_by.held_on:
            raise ValidationError(MEETING_BEFORE_FIRST_UVO, code="before_first_uvo")


def _check_attendees(*, case: Case, attendees: list[AttendeeInput]) -> None:
    if not attendees:
        raise ValidationError(MEETING_NO_ATTENDEES, code="no_attendees")
    for attendee in attendees:
        if not attendee.name.strip():
            raise ValidationError(ATTENDEE_NAME_REQUIRED, code="required")
        if attendee.organisation is None:
            raise ValidationError(ATTENDEE_ORGANISATION_REQUIRED, code="required")
        if attendee.team_member is not None and attendee.team_member.case_id != case.pk:
            raise ValidationError(ATTENDEE_NOT_IN_TEAM, code="not_in_team")


def _check_actions(*, held_on: datetime.date, actions: list[ActionInput]) -> None:
    for action in actions:
        if not action.description.strip():
            raise ValidationError(ACTION_DESCRIPTION_REQUIRED, code="required")
        if action.owner_organisation is None:
            raise ValidationError(ACTION_OWNER_REQUIRED, code="required")
        if action.due_on < held_on:
            raise ValidationError(ACTION_DUE_BEFORE_MEETING, code="due_before_meeting")


@transaction.atomic
def meeting_log(
    *,
    case: Case,
    held_on: datetime.date,
    kind: str,
    person_attended: bool,
    agenda: str,
    development: str,
    decisions: str,
    exit_in_sight: bool,
    attendees: list[AttendeeInput],
    actions: list[ActionInput],
    by: User,
    first_uvo_part: int | None = None,
) -> Meeting:
    """Record a meeting with its attendees and actions, all or nothing.
    ``first_uvo_part``: 1 or 2 for a first UVO held in two meetings, else ``None``."""
    if kind not in Meeting.Kind.values:
        raise ValidationError(MEETING_KIND_INVALID, code="invalid")
    _check_part(kind=kind, first_uvo_part=first_uvo_part)
    _check_date(case=case, held_on=held_on)
    _check_attendees(case=case, attendees=attendees)
    _check_actions(held_on=held_on, actions=actions)
    with history_context(user=by.pk):
        _lock_open_case(case)
        _check_order(case=case, kind=kind, held_on=held_on, first_uvo_part=first_uvo_part)
        meeting = Meeting.objects.create(
            case=case,
            held_on=held_on,
            kind=kind,
            first_uvo_part=first_uvo_part,
            person_attended=person_attended,
            agenda=agenda,
            development=development,
            decisions=decisions,
            exit_in_sight=exit_in_sight,
            recorded_by=by,
        )
        MeetingAttendee.objects.bulk_create(
            MeetingAttendee(
                meeting=meeting,
                name=attendee.name,
                organisation=attendee.organisation,
                team_member=attendee.team_member,
            )
            for attendee in attendees
        )
        MeetingAction.objects.bulk_create(
            MeetingAction(
                meeting=meeting,
                description=action.description,
                owner_organisation=action.owner_organisation,
                due_on=action.due_on,
            )
            for action in actions
        )
        touch_case(case)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: User,
    expected_revision: int | None = None,
    held_on: datetime.date | None = None,
    person_attended: bool | None = None,
    agenda: str | None = None,
    development: str | None = None,
    decisions: str | None = None,
    exit_in_sight: bool | None = None,
) -> Meeting:
    """Correct a logged meeting; ``None`` leaves a field as it is. The kind is fixed
    once logged, and so is the part of a first UVO: the first-UVO order hangs on them."""
    changes = {
        name: value
        for name, value in {
            "held_on": held_on,
            "person_attended": person_attended,
            "agenda": agenda,
            "development": development,
            "decisions": decisions,
            "exit_in_sight": exit_in_sight,
        }.items()
        if value is not None
    }
    case = meeting.case
    if held_on is not None:
        _check_date(case=case, held_on=held_on)
    with history_context(user=by.pk):
        _lock_open_case(case)
        locked = lock_for_update(meeting, expected_revision=expected_revision)
        if held_on is not None:
            _check_order(
                case=case,
                kind=locked.kind,
                held_on=held_on,
                first_uvo_part=locked.first_uvo_part,
                meeting=locked,
            )
            if locked.actions.filter(due_on__lt=held_on).exists():
                raise ValidationError(ACTION_DUE_BEFORE_MEETING, code="due_before_meeting")
        for name, value in changes.items():
            setattr(locked, name, value)
        if changes:
            locked.save(update_fields=list(changes))
        bump_revision(locked)
        touch_case(case)
    return locked


@transaction.atomic
def action_mark_done(*, action: MeetingAction, done_on: datetime.date, by: User) -> MeetingAction:
    """Mark an agreed action as done; the meeting it belongs to moves to a new revision."""
    meeting = action.meeting
    if done_on > timezone.localdate():
        raise ValidationError(ACTION_DONE_IN_FUTURE, code="in_future")
    if done_on < meeting.held_on:
        raise ValidationError(ACTION_DONE_BEFORE_MEETING, code="before_meeting")
    with history_context(user=by.pk):
        _lock_open_case(meeting.case)
        locked_meeting = lock_for_update(meeting, expected_revision=None)
        locked = MeetingAction.objects.select_for_update().get(pk=action.pk)
        if locked.done_on is not None:
            raise RuleViolation(ACTION_ALREADY_DONE, code="already_done")
        locked.done_on = done_on
        locked.save(update_fields=["done_on"])
        bump_revision(locked_meeting)
        touch_case(meeting.case)
    return locked
