"""Who may do what with PTO-R's meetings: one predicate per capability, over the
permissions the role groups hold (accounts/roles.py ROLE_PERMISSIONS). Services, views
and the main menu ask these; none of them names a role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.permissions import DECIDE_EXIT

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

VIEW_MEETINGS = "ptor.view_meeting"
PREPARE_MEETINGS = "ptor.change_meeting"


def may_see_meetings(user: User | AnonymousUser) -> bool:
    """Reads PTO-R's meetings, their agendas, attendance and minutes: the programme
    team, which prepares them, and the PTO-R members, who take part."""
    return bool(user.has_perm(VIEW_MEETINGS))


def may_prepare_meetings(user: User | AnonymousUser) -> bool:
    """Prepares a meeting and its agenda, keeps the attendance, the reactions by mail
    and the minutes, and closes the meeting: the programme team."""
    return bool(user.has_perm(PREPARE_MEETINGS))


def may_decide_in_meeting(user: User | AnonymousUser) -> bool:
    """Records the meeting's decision on a case item (an exit proposal): a PTO-R member,
    the one who decides exits."""
    return bool(user.has_perm(VIEW_MEETINGS) and user.has_perm(DECIDE_EXIT))
