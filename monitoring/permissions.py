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
    """The monitors page: for whoever may read a kind of monitor (the programme team
    and the PTO-R)."""
    return bool(user.has_perm(READ_MONITOR)) or bool(user.has_perm(VIEW_DASHBOARD))


def read_permission_of(kind: str) -> MonitoringPermission:
    """The permission that reads a kind of monitor (docs/monitors.md): the month monitor
    is the programme team's operational report, read with its dashboard; the quarter,
    half-year and effect monitors are for the programme team and the PTO-R."""
    from .models import MonitorKind

    return VIEW_DASHBOARD if kind == MonitorKind.MONTH else READ_MONITOR


def may_read_monitor_kind(user: User | AnonymousUser, kind: str) -> bool:
    return bool(user.has_perm(read_permission_of(kind)))


def monitor_kinds_readable_by(user: User | AnonymousUser) -> list[str]:
    from .models import MonitorKind

    return [kind for kind in MonitorKind.values if may_read_monitor_kind(user, kind)]


def may_start_monitor(user: User | AnonymousUser) -> bool:
    return bool(user.has_perm(START_MONITOR))


def may_receive_notifications(user: User | AnonymousUser) -> bool:
    """Every person with a role; a sync client is not a person."""
    return bool(user.has_perm(RECEIVE_NOTIFICATIONS))
