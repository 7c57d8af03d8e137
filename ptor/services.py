"""PTO-R's meetings (docs/rules.md R-PTO-1 to R-PTO-6; docs/adr/0020-pto-r-meetings.md).

The programme team prepares a meeting and its agenda, adds the exit proposals waiting
for PTO-R as case items, adopts the agenda, keeps the attendance and the reactions of
absent members by mail, records per item its BESLUIT, CONCLUSIES and VERVOLG, carries
items to a named next meeting, adopts the previous meeting's minutes and closes the
meeting. A PTO-R member records the meeting's decision on a case item: through
``exit_decide``, the one way an exit is decided, on the meeting's day, with the members
present; a meeting held online holds no case items, and without a quorum no case is
decided.

Each service runs in a transaction, locks the meeting row first and raises its
revision; a refusal writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from cases.models import ExitProcedure
from cases.services.exits import exit_decide
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update

from .models import AgendaItem, Attendance, ItemKind, Meeting, MeetingForm, MeetingStatus, Presence
from .permissions import may_decide_in_meeting, may_prepare_meetings
from .selectors import exit_proposals_waiting_for_meeting, ptor_members, quorum

ONLY_PROGRAMME_TEAM = _("Alleen het programmateam bereidt de vergaderingen van het PTO-R voor.")
ONLY_PTO_R_DECIDES = _("Alleen een lid van het PTO-R besluit in de vergadering over uitstroom.")
MEETING_UNKNOWN_FORM = _("Kies of de vergadering fysiek of online wordt gehouden.")
PREVIOUS_NOT_EARLIER = _("De vorige vergadering ligt niet vóór deze vergadering.")
PREVIOUS_ALREADY_TAKEN = _(
    "Het verslag van die vergadering wordt al in een andere vergadering vastgesteld."
)
AGENDA_ALREADY_ADOPTED = _("De agenda van deze vergadering is al vastgesteld.")
AGENDA_NOT_ADOPTED = _("Stel eerst de agenda van deze vergadering vast.")
AGENDA_EMPTY = _("Zet eerst een punt op de agenda.")
ITEM_TITLE_REQUIRED = _("Geef het agendapunt een titel.")
ITEM_KIND_NOT_CASE = _(
    "Casuïstiek komt op de agenda als uitstroomvoorstel dat op het PTO-R wacht: gebruik "
    "‘Uitstroomvoorstellen agenderen’."
)
ONLINE_NO_CASES = _(
    "Casuïstiek kan niet online worden besproken: agendeer de uitstroomvoorstellen in een "
    "fysieke vergadering."
)
NO_PROPOSALS_WAITING = _("Er wachten geen uitstroomvoorstellen op het PTO-R.")
MEETING_NOT_RUNNING = _(
    "Deze vergadering loopt niet: de agenda is nog niet vastgesteld of de vergadering is al "
    "gesloten."
)
MEETING_IN_FUTURE = _("De vergadering is pas op %(date)s: leg dit vast op of na die dag.")
MINUTES_ADOPTED = _("Het verslag van deze vergadering is vastgesteld en verandert niet meer.")
ATTENDANCE_FIXED = _(
    "Er is in deze vergadering al over een casus besloten: de aanwezigheid ligt daarmee vast."
)
ATTENDANCE_UNKNOWN_PRESENCE = _("Kies ‘aanwezig’ of ‘afwezig’.")
REACTION_ONLY_ABSENT = _("Alleen een lid dat afwezig was reageert per mail.")
REACTION_TEXT_REQUIRED = _("Neem de reactie per mail op.")
REACTION_BEFORE_AGENDA = _("Een reactie komt binnen nadat de agenda is vastgesteld.")
ITEM_NOT_CASE = _("Dit agendapunt is geen casus: er valt geen uitstroombesluit te nemen.")
ITEM_DEALT_WITH = _("Over dit agendapunt is al besloten, of het is doorgeschoven.")
ITEM_DECIDE_CASE_IN_MEETING = _(
    "Het besluit over een casus neemt een lid van het PTO-R in de vergadering: "
    "‘Besluit over uitstroom’."
)
NO_QUORUM = _(
    "Het PTO-R kan niet besluiten: %(present)s van de %(listed)s kernpartners zijn aanwezig, "
    "meer dan %(percent)s%% is nodig."
)
CARRY_NEEDS_LATER_CONCEPT = _(
    "Schuif een agendapunt door naar een latere vergadering waarvan de agenda nog niet is "
    "vastgesteld."
)
CARRY_CASE_TO_ONLINE = _(
    "Een casus kan niet worden doorgeschoven naar een online vergadering: casuïstiek wordt "
    "fysiek besproken."
)
MINUTES_NO_PREVIOUS = _("Deze vergadering stelt geen verslag van een vorige vergadering vast.")
MINUTES_PREVIOUS_NOT_HELD = _(
    "Het verslag van de vorige vergadering kan pas worden vastgesteld als die vergadering "
    "gesloten is."
)
MINUTES_ALREADY_ADOPTED = _("Het verslag van de vorige vergadering is al vastgesteld.")
CLOSE_ATTENDANCE_UNKNOWN = _("Leg van elk lid vast of het aanwezig of afwezig was.")
CLOSE_CASES_OPEN = _(
    "Neem over elke casus een besluit of schuif die door naar een volgende vergadering."
)


def _day(on: datetime.date) -> str:
    return on.strftime("%d-%m-%Y")


def _check_prepares(by: User) -> None:
    if not may_prepare_meetings(by):
        raise RuleViolation(ONLY_PROGRAMME_TEAM, code="not_programme_team")


def _check_running(meeting: Meeting) -> None:
    """The meeting is being held: its agenda adopted, not closed, its day come."""
    if meeting.status != MeetingStatus.AGENDA_ADOPTED:
        raise RuleViolation(MEETING_NOT_RUNNING, code="not_running")
    if meeting.date > timezone.localdate():
        raise RuleViolation(
            MEETING_IN_FUTURE, code="in_future", params={"date": _day(meeting.date)}
        )


def _check_concept(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.CONCEPT:
        raise RuleViolation(AGENDA_ALREADY_ADOPTED, code="agenda_adopted")


def _touch(meeting: Meeting) -> None:
    bump_revision(meeting)


def _next_order(meeting: Meeting) -> int:
    highest = meeting.items.aggregate(highest=Max("order"))["highest"]
    return (highest or 0) + 1


def _lock_item(item: AgendaItem, expected_revision: int | None) -> tuple[Meeting, AgendaItem]:
    """Lock the meeting first, then the item: the same order in every service."""
    meeting = lock_for_update(item.meeting, expected_revision=None)
    return meeting, lock_for_update(item, expected_revision=expected_revision)


# --- preparing ------------------------------------------------------------------------


@transaction.atomic
def meeting_prepare(
    *, date: datetime.date, form: str, by: User, previous: Meeting | None = None
) -> Meeting:
    """A new meeting in concept, with the PTO-R members (and the kernpartner each
    represents) on its attendance list; ``previous``: the meeting whose minutes it adopts."""
    _check_prepares(by)
    if form not in MeetingForm.values:
        raise ValidationError(MEETING_UNKNOWN_FORM, code="unknown_form")
    with history_context(user=by.pk):
        if previous is not None:
            previous = lock_for_update(previous, expected_revision=None)
            if previous.date >= date:
                raise ValidationError(PREVIOUS_NOT_EARLIER, code="previous_not_earlier")
            if Meeting.objects.filter(previous=previous).exists():
                raise RuleViolation(PREVIOUS_ALREADY_TAKEN, code="previous_taken")
        meeting = Meeting.objects.create(date=date, form=form, previous=previous, prepared_by=by)
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=member, organisation=member.organisation)
            for member in ptor_members()
        )
    return meeting


@transaction.atomic
def item_add(*, meeting: Meeting, kind: str, title: str, by: User) -> AgendaItem:
    """A general or further-development item at the end of the agenda, before the
    agenda is adopted."""
    _check_prepares(by)
    title = title.strip()
    if kind == ItemKind.CASE:
        raise ValidationError(ITEM_KIND_NOT_CASE, code="kind_case")
    if kind not in ItemKind.values:
        raise ValidationError(ITEM_KIND_NOT_CASE, code="unknown_kind")
    if not title:
        raise ValidationError(ITEM_TITLE_REQUIRED, code="title_required")
    with history_context(user=by.pk):
        meeting = lock_for_update(meeting, expected_revision=None)
        _check_concept(meeting)
        item = AgendaItem.objects.create(
            meeting=meeting, kind=kind, order=_next_order(meeting), title=title
        )
        _touch(meeting)
    return item


def case_item_title(procedure: ExitProcedure) -> str:
    """A case item names the case by its number only, never its person."""
    return str(_("Casus %(number)s") % {"number": procedure.case.number})


@transaction.atomic
def case_items_add(*, meeting: Meeting, by: User) -> list[AgendaItem]:
    """Every exit proposal waiting for PTO-R, not yet on an open meeting's agenda, as a
    case item at the end of the agenda of an in-person meeting in concept."""
    _check_prepares(by)
    with history_context(user=by.pk):
        meeting = lock_for_update(meeting, expected_revision=None)
        _check_concept(meeting)
        if meeting.is_online:
            raise RuleViolation(ONLINE_NO_CASES, code="online")
        waiting = list(exit_proposals_waiting_for_meeting().select_for_update(of=("self",)))
        if not waiting:
            raise RuleViolation(NO_PROPOSALS_WAITING, code="none_waiting")
        order = _next_order(meeting)
        items = AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                kind=ItemKind.CASE,
                order=order + n,
                title=case_item_title(procedure),
                exit_procedure=procedure,
            )
            for n, procedure in enumerate(waiting)
        )
        _touch(meeting)
    return items


@transaction.atomic
def agenda_adopt(*, meeting: Meeting, by: User, expected_revision: int | None = None) -> Meeting:
    """The agenda is adopted: the meeting is held from now on."""
    _check_prepares(by)
    with history_context(user=by.pk):
        meeting = lock_for_update(meeting, expected_revision=expected_revision)
        _check_concept(meeting)
        if not meeting.items.exists():
            raise RuleViolation(AGENDA_EMPTY, code="agenda_empty")
        if meeting.is_online and meeting.items.filter(kind=ItemKind.CASE).exists():
            raise RuleViolation(ONLINE_NO_CASES, code="online")
        meeting.status = MeetingStatus.AGENDA_ADOPTED
        meeting.save(update_fields=["status"])
        _touch(meeting)
    return meeting


# --- holding --------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, presences: Mapping[int, str], by: User
) -> list[Attendance]:
    """Who of the members was present or absent (``presences``: attendance id to
    presence), until the first case is decided: then the attendance is fixed."""
    _check_prepares(by)
    if any(p not in (Presence.PRESENT, Presence.ABSENT) for p in presences.values()):
        raise ValidationError(ATTENDANCE_UNKNOWN_PRESENCE, code="unknown_presence")
    with history_context(user=by.pk):
        meeting = lock_for_update(meeting, expected_revision=None)
        _check_running(meeting)
        if meeting.items.exclude(exit_decision="").exists():
            raise RuleViolation(ATTENDANCE_FIXED, code="attendance_fixed")
        rows = list(
            meeting.attendances.select_for_update().filter(pk__in=list(presences)).order_by("pk")
        )
        for row in rows:
            row.presence = presences[row.pk]
            if row.presence == Presence.PRESENT:  # a reaction by mail is an absent member's
                row.reaction, row.reaction_received_on = "", None
        Attendance.objects.bulk_update(rows, ["presence", "reaction", "reaction_received_on"])
        _touch(meeting)
    return rows


@transaction.atomic
def reaction_record(
    *, attendance: Attendance, reaction: str, received_on: datetime.date, by: User
) -> Attendance:
    """An absent member's reaction by mail, for the minutes (it is no vote)."""
    _check_prepares(by)
    reaction = reaction.strip()
    if not reaction:
        raise ValidationError(REACTION_TEXT_REQUIRED, code="reaction_required")
    with history_context(user=by.pk):
        meeting = lock_for_update(attendance.meeting, expected_revision=None)
        if meeting.status == MeetingStatus.CONCEPT:
            raise RuleViolation(REACTION_BEFORE_AGENDA, code="agenda_not_adopted")
        if meeting.status == MeetingStatus.MINUTES_ADOPTED:
            raise RuleViolation(MINUTES_ADOPTED, code="minutes_adopted")
        attendance = lock_for_update(attendance, expected_revision=None)
        if attendance.presence != Presence.ABSENT:
            raise RuleViolation(REACTION_ONLY_ABSENT, code="not_absent")
        attendance.reaction = reaction
        attendance.reaction_received_on = received_on
        attendance.save(update_fields=["reaction", "reaction_received_on"])
        _touch(meeting)
    return attendance


@transaction.atomic
def item_record(
    *,
    item: AgendaItem,
    decision: str,
    conclusions: str,
    follow_up: str,
    by: User,
    expected_revision: int | None = None,
) -> AgendaItem:
    """An item's BESLUIT, CONCLUSIES and VERVOLG, while the meeting runs or until its
    minutes are adopted; a case item's BESLUIT is the exit decision's (``item_decide_exit``)."""
    _check_prepares(by)
    with history_context(user=by.pk):
        meeting, item = _lock_item(item, expected_revision)
        if meeting.status == MeetingStatus.CONCEPT:
            raise RuleViolation(AGENDA_NOT_ADOPTED, code="agenda_not_adopted")
        if meeting.status == MeetingStatus.MINUTES_ADOPTED:
            raise RuleViolation(MINUTES_ADOPTED, code="minutes_adopted")
        if item.is_case and decision.strip() != item.decision:
            raise RuleViolation(ITEM_DECIDE_CASE_IN_MEETING, code="case_decision")
        item.decision = decision.strip()
        item.conclusions = conclusions.strip()
        item.follow_up = follow_up.strip()
        item.save(update_fields=["decision", "conclusions", "follow_up"])
        bump_revision(item)
        _touch(meeting)
    return item


@transaction.atomic
def item_decide_exit(
    *,
    item: AgendaItem,
    decision: str,
    reasoning: str,
    by: User,
    expected_revision: int | None = None,
) -> AgendaItem:
    """The meeting decides a case item: ``exit_decide`` on the item's exit proposal,
    on the meeting's day, pinned to the plan version ITAT-R advised on, by the member who
    records it for the members present. Refused online, without a quorum, or for an item
    already decided or carried on."""
    if not may_decide_in_meeting(by):
        raise RuleViolation(ONLY_PTO_R_DECIDES, code="not_pto_r")
    with history_context(user=by.pk):
        meeting, item = _lock_item(item, expected_revision)
        _check_running(meeting)
        if not item.is_case or item.exit_procedure_id is None:
            raise RuleViolation(ITEM_NOT_CASE, code="not_case")
        if meeting.is_online:
            raise RuleViolation(ONLINE_NO_CASES, code="online")
        if item.is_dealt_with:
            raise RuleViolation(ITEM_DEALT_WITH, code="dealt_with")
        counted = quorum(list(meeting.attendances.select_related("organisation")))
        if not counted.met:
            raise RuleViolation(
                NO_QUORUM,
                code="no_quorum",
                params={
                    "present": counted.present,
                    "listed": counted.listed,
                    "percent": counted.percent,
                },
            )
        procedure = exit_decide(
            procedure=ExitProcedure.objects.get(pk=item.exit_procedure_id),
            decision=decision,
            decided_on=meeting.date,
            reasoning=reasoning,
            by=by,
        )
        item.exit_decision = procedure.decision
        item.decision = procedure.decision_reasoning
        item.save(update_fields=["exit_decision", "decision"])
        bump_revision(item)
        _touch(meeting)
    return item


@transaction.atomic
def item_carry(
    *, item: AgendaItem, to: Meeting, by: User, expected_revision: int | None = None
) -> AgendaItem:
    """The item is not dealt with: it goes to the agenda of ``to``, a later meeting in
    concept (in person for a case), where it is a new item. Returns that new item."""
    _check_prepares(by)
    with history_context(user=by.pk):
        meeting, item = _lock_item(item, expected_revision)
        _check_running(meeting)
        if item.is_dealt_with:
            raise RuleViolation(ITEM_DEALT_WITH, code="dealt_with")
        to = lock_for_update(to, expected_revision=None)
        if to.date <= meeting.date or to.status != MeetingStatus.CONCEPT:
            raise RuleViolation(CARRY_NEEDS_LATER_CONCEPT, code="not_later_concept")
        if item.is_case and to.is_online:
            raise RuleViolation(CARRY_CASE_TO_ONLINE, code="case_to_online")
        carried = AgendaItem.objects.create(
            meeting=to,
            kind=item.kind,
            order=_next_order(to),
            title=item.title,
            exit_procedure=item.exit_procedure,
            carried_from=item,
        )
        item.carried_to = to
        item.save(update_fields=["carried_to"])
        bump_revision(item)
        _touch(meeting)
        _touch(to)
    return carried


@transaction.atomic
def minutes_adopt(*, meeting: Meeting, by: User, expected_revision: int | None = None) -> Meeting:
    """``meeting`` adopts the minutes of its previous meeting (held and closed), on its
    own day. Returns the previous meeting, whose minutes never change from now on."""
    _check_prepares(by)
    with history_context(user=by.pk):
        meeting = lock_for_update(meeting, expected_revision=expected_revision)
        _check_running(meeting)
        if meeting.previous_id is None:
            raise RuleViolation(MINUTES_NO_PREVIOUS, code="no_previous")
        previous = Meeting.objects.select_for_update().get(pk=meeting.previous_id)
        if previous.status == MeetingStatus.MINUTES_ADOPTED:
            raise RuleViolation(MINUTES_ALREADY_ADOPTED, code="already_adopted")
        if previous.status != MeetingStatus.HELD:
            raise RuleViolation(MINUTES_PREVIOUS_NOT_HELD, code="previous_not_held")
        previous.status = MeetingStatus.MINUTES_ADOPTED
        previous.minutes_adopted_on = meeting.date
        previous.save(update_fields=["status", "minutes_adopted_on"])
        _touch(previous)
        _touch(meeting)
    return previous


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User, expected_revision: int | None = None) -> Meeting:
    """The chair closes the meeting: every member marked present or absent, every case
    item decided or carried on. Its minutes wait for the next meeting."""
    _check_prepares(by)
    with history_context(user=by.pk):
        meeting = lock_for_update(meeting, expected_revision=expected_revision)
        _check_running(meeting)
        if meeting.attendances.filter(presence=Presence.UNKNOWN).exists():
            raise RuleViolation(CLOSE_ATTENDANCE_UNKNOWN, code="attendance_unknown")
        if meeting.items.filter(
            kind=ItemKind.CASE, exit_decision="", carried_to__isnull=True
        ).exists():
            raise RuleViolation(CLOSE_CASES_OPEN, code="cases_open")
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
        _touch(meeting)
    return meeting
