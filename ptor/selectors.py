"""What PTO-R's meeting pages read: the meetings, one meeting with its agenda and
attendance, the exit proposals waiting for a meeting, and the quorum."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accounts.models import Organisation, User
from accounts.selectors import active_users_holding
from cases.models import CaseStatus, ExitProcedure, ExitStatus
from cases.permissions import DECIDE_EXIT

from .models import AgendaItem, Attendance, Meeting, MeetingStatus, Presence


def meetings() -> QuerySet[Meeting]:
    """Every meeting, the latest first."""
    return Meeting.objects.select_related("previous").order_by("-date", "-pk")


def meeting_with_agenda(pk: int) -> QuerySet[Meeting]:
    """The meeting ``pk`` with its items (and their exit proposals' cases and ITAT-R
    advice) and its attendance list, in a fixed number of queries."""
    items = AgendaItem.objects.select_related(
        "exit_procedure__case", "exit_procedure__decision_plan_version", "carried_to"
    ).prefetch_related("exit_procedure__itat_advices__plan_version")
    attendances = Attendance.objects.select_related("member", "organisation")
    return (
        Meeting.objects.filter(pk=pk)
        .select_related("previous", "next_meeting")
        .prefetch_related(
            Prefetch("items", queryset=items), Prefetch("attendances", queryset=attendances)
        )
    )


def ptor_members() -> QuerySet[User]:
    """The active accounts that decide exits (the PTO-R members), by organisation and name:
    a new meeting's attendance list."""
    return active_users_holding(DECIDE_EXIT).order_by(
        "organisation__name", "last_name", "first_name", "username"
    )


def exit_proposals_waiting_for_meeting() -> QuerySet[ExitProcedure]:
    """Exit proposals ITAT-R advised on that no meeting holds yet as an open case item
    (one not decided and not carried on), oldest first."""
    on_an_agenda = AgendaItem.objects.filter(
        exit_procedure__isnull=False, exit_decision="", carried_to__isnull=True
    ).exclude(meeting__status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_ADOPTED])
    return (
        ExitProcedure.objects.filter(status=ExitStatus.ADVISED, case__status=CaseStatus.IN_REGIE)
        .exclude(pk__in=on_an_agenda.values("exit_procedure"))
        .select_related("case")
        .order_by("opened_on", "pk")
    )


def later_meetings_to_carry_to(meeting: Meeting) -> QuerySet[Meeting]:
    """The meetings an item of ``meeting`` may be carried to: later, still in concept."""
    return Meeting.objects.filter(date__gt=meeting.date, status=MeetingStatus.CONCEPT).order_by(
        "date", "pk"
    )


def meetings_whose_minutes_wait() -> QuerySet[Meeting]:
    """Held meetings whose minutes no later meeting adopts yet: the choices of a new
    meeting's previous meeting."""
    return Meeting.objects.filter(status=MeetingStatus.HELD, next_meeting__isnull=True).order_by(
        "-date", "-pk"
    )


@dataclass(frozen=True)
class Quorum:
    present: int  # kernpartners with a member present
    listed: int  # kernpartners on the attendance list
    percent: int  # more than this percentage must be present

    @property
    def met(self) -> bool:
        return self.listed > 0 and self.present * 100 > self.percent * self.listed


def quorum(attendances: list[Attendance]) -> Quorum:
    """The kernpartners present among those on the attendance list (docs/rules.md R-PTO-4)."""
    listed: set[int] = set()
    present: set[int] = set()
    for attendance in attendances:
        organisation = attendance.organisation
        if organisation is None or organisation.kind != Organisation.Kind.KERNPARTNER:
            continue
        listed.add(organisation.pk)
        if attendance.presence == Presence.PRESENT:
            present.add(organisation.pk)
    return Quorum(
        present=len(present), listed=len(listed), percent=settings.IPGAR_PTO_R_QUORUM_PERCENT
    )
