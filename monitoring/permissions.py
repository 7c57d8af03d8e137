"""Who may do what with monitors, the dashboard and notifications: one predicate per
capability, over the permissions the role groups hold (accounts/roles.py
ROLE_PERMISSIONS). Services, views and the main menu ask these; none of them names a
role. An active superuser holds every permission."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The permissions ("app_label.codename") the capabilities below rest on; the
# notifications name them too (who is told of a new monitor).
MonitoringPermission: TypeAlias = Literal[
    "monitoring.view_dashboard",
    "monitoring.read_monitor",
    "monitoring.start_monitor",
    "monitoring.receive_notifications",
]
VIEW_DASHBOARD: Final[MonitoringPermission] = "monitoring.view_dashboard"
READ_MONITOR: Final[MonitoringPermission] = "monitoring.read_monitor"
START_MONITOR: Final[MonitoringPermission] = "monitoring.start_monitor"
RECEIVE_NOTIFICATIONS: Final[MonitoringPermission] = "monitoring.receive_notifications"


def may_view_dashboard(user: User | AnonymousUser) -> bool:
    """The programme team's dashboard and its work lists."""
    return bool(user.has_perm(VIEW_DASHBOARD))


def may_read_monitors(user: User | AnonymousUser) -> bool:
    """The kwartaalmonitor is for the programme team and the PTO-R."""
    return bool(user.has_perm(READ_MONITOR))


def may_start_monitor(user: User | AnonymousUser) -> bool:
    return bool(user.has_perm(START_MONITOR))


def may_receive_notifications(user: User | AnonymousUser) -> bool:
    """Every person with a role; a sync client is not a person."""
    return bool(user.has_perm(RECEIVE_NOTIFICATIONS))
