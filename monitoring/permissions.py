"""Who may do what with monitors, the dashboard and notifications: one predicate per
capability, over the permissions the role groups hold (accounts/roles.py
ROLE_PERMISSIONS). Services, views and the main menu ask these; none of them names a
role. An active superuser holds every permission."""

from __future__ import annotations

from typing import Any

VIEW_DASHBOARD = "monitoring.view_dashboard"
READ_MONITOR = "monitoring.read_monitor"
START_MONITOR = "monitoring.start_monitor"
RECEIVE_NOTIFICATIONS = "monitoring.receive_notifications"


def may_view_dashboard(user: Any) -> bool:
    """The programme team's dashboard and its work lists."""
    return bool(user.has_perm(VIEW_DASHBOARD))


def may_read_monitors(user: Any) -> bool:
    """The kwartaalmonitor is for the programme team and the PTO-R."""
    return bool(user.has_perm(READ_MONITOR))


def may_start_monitor(user: Any) -> bool:
    return bool(user.has_perm(START_MONITOR))


def may_receive_notifications(user: Any) -> bool:
    """Every person with a role; a sync client is not a person."""
    return bool(user.has_perm(RECEIVE_NOTIFICATIONS))
