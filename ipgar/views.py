"""The start page, the main menu, and the error pages.

Each menu entry is shown to whom the capability its page checks allows (the same
predicate from the app's permissions module), so the menu holds exactly the pages that
answer; the page still decides on its own (the menu is a convenience, never the rule).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.http import AuthenticatedRequest
from accounts.permissions import (
    may_decide_grants,
    may_invite_users,
    may_lift_lockouts,
    may_manage_api_tokens,
    may_manage_roles,
)
from audit.permissions import may_search_access_log
from cases.models import ExitStatus
from cases.permissions import (
    may_follow_exit_proposals,
    may_list_cases,
    may_list_directed_cases,
    may_search_persons,
    may_view_all_cases,
)
from cases.selectors.cases import regisseur_of
from cases.selectors.figures import kept_under_stamp
from cases.selectors.lists import exit_proposals_waiting, overdue_items_of
from monitoring.permissions import may_read_monitors, may_receive_notifications, may_view_dashboard
from monitoring.selectors import unread_notification_count
from pool.permissions import (
    may_manage_pool,
    may_see_caseload_reviews,
    may_see_organisation_caseload,
    may_see_three_way_talks,
)
from ptor.permissions import may_see_meetings


@dataclasses.dataclass(frozen=True)
class Badge:
    """A count beside a menu entry: what it counts (said to screen readers too), and
    who gets it (a capability; an entry serves several roles). ``from_case_data``: the
    count is computed from the tables behind the dashboard's figures, so it is cached
    per user under their stamp; otherwise (the user's own notifications) it is counted
    on every page."""

    count: Callable[[Any], int]
    meaning: Any  # a lazy translation with %(count)s
    for_whom: Callable[[Any], bool] = lambda user: True
    from_case_data: bool = True


def _own_overdue_items(user: Any) -> int:
    regisseur = regisseur_of(user)
    return 0 if regisseur is None else overdue_items_of(regisseur, on=timezone.localdate())


@dataclasses.dataclass(frozen=True)
class MenuEntry:
    key: str
    label: Any  # a lazy translation
    url_name: str
    may_open: Callable[[Any], bool]
    badge: Badge | None = None


# In menu order.
MENU: tuple[MenuEntry, ...] = (
    MenuEntry("dashboard", _("Dashboard"), "monitoring:dashboard", may_view_dashboard),
    MenuEntry(
        "my_cases",
        _("Mijn casussen"),
        "cases:list",
        may_list_directed_cases,
        Badge(_own_overdue_items, _("%(count)s verlopen")),
    ),
    MenuEntry(
        "cases",
        _("Casussen"),
        "cases:list",
        may_list_cases,
        Badge(
            lambda user: exit_proposals_waiting(ExitStatus.OPEN),
            _("%(count)s wachten op ITAT-R"),
            may_view_all_cases,
        ),
    ),
    MenuEntry(
        "exits",
        _("Uitstroomvoorstellen"),
        "cases:exit_decisions",
        may_follow_exit_proposals,
        Badge(lambda user: exit_proposals_waiting(ExitStatus.ADVISED), _("%(count)s wachten")),
    ),
    MenuEntry("ptor", _("PTO-R"), "ptor:meeting_list", may_see_meetings),
    MenuEntry("pool", _("Pool"), "pool:regisseur_list", may_manage_pool),
    MenuEntry("reviews", _("Caseloadbesprekingen"), "pool:review_list", may_see_caseload_reviews),
    MenuEntry("talks", _("Driegesprekken"), "pool:talk_list", may_see_three_way_talks),
    MenuEntry("team_rhythm", _("Teamritme"), "pool:team_activity_list", may_manage_pool),
    MenuEntry("caseload", _("Caseload"), "pool:manager", may_see_organisation_caseload),
    MenuEntry("monitors", _("Monitors"), "monitoring:monitors", may_read_monitors),
    MenuEntry("access_log", _("Toegangslog"), "audit:log", may_search_access_log),
    MenuEntry("users", _("Gebruikers en rollen"), "accounts:user_list", may_manage_roles),
    MenuEntry("role_grants", _("Rolaanvragen"), "accounts:grant_list", may_decide_grants),
    MenuEntry("invitations", _("Uitnodigingen"), "accounts:invitations", may_invite_users),
    MenuEntry("sync_clients", _("Koppelingen"), "accounts:sync_clients", may_manage_api_tokens),
    MenuEntry("lockouts", _("Blokkeringen"), "accounts:lockouts", may_lift_lockouts),
    MenuEntry(
        "notifications",
        _("Meldingen"),
        "monitoring:notifications",
        may_receive_notifications,
        Badge(unread_notification_count, _("%(count)s ongelezen"), from_case_data=False),
    ),
    # Also in the header (the user's name), which a phone's width hides.
    MenuEntry("account", _("Mijn account"), "account", lambda user: user.is_authenticated),
)

# Where one lands after signing in: the first of these one's menu holds.
LANDING: tuple[str, ...] = ("dashboard", "my_cases", "monitors", "caseload", "cases", "access_log")


@functools.cache
def _menu_url(url_name: str, prefix: str, urlconf: str) -> str:
    return reverse(url_name, urlconf=urlconf)


def menu_for(user: Any) -> list[dict[str, Any]]:
    """The menu entries whose page ``user`` may open: key, label, url (each reversed
    once per process, URL configuration and script prefix)."""
    if not getattr(user, "is_authenticated", False):
        return []
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    return [
        {"key": entry.key, "label": entry.label, "url": _menu_url(entry.url_name, prefix, urlconf)}
        for entry in MENU
        if entry.may_open(user)
    ]


def _badge_counts(user: Any, badges: dict[str, Badge]) -> dict[str, int]:
    """The counts of ``badges`` (by menu key) for ``user``. Those from case data come
    from the cache while the data's stamp and the day are the same (one query for the
    stamp instead of the counts' own: seven for a regisseur's overdue items); the rest are
    counted now."""
    counts = {key: badge.count(user) for key, badge in badges.items() if not badge.from_case_data}
    from_data = {key: badge for key, badge in badges.items() if badge.from_case_data}
    if from_data:
        counts.update(
            kept_under_stamp(
                "menu-badges",
                (user.pk, ",".join(sorted(from_data))),
                lambda: {name: badge.count(user) for name, badge in from_data.items()},
            )
        )
    return counts


def menu_with_badges(user: Any) -> list[dict[str, Any]]:
    """``menu_for`` with each entry's ``badge`` (a count above zero, and what it means),
    each from a fixed number of queries whatever the data (cases/selectors/lists.py,
    monitoring.selectors), those from case data cached per user (``_badge_counts``)."""
    entries = {entry.key: entry for entry in MENU}
    items = menu_for(user)
    badges = {
        item["key"]: badge
        for item in items
        if (badge := entries[item["key"]].badge) is not None and badge.for_whom(user)
    }
    counts = _badge_counts(user, badges) if badges else {}
    for item in items:
        count = counts.get(item["key"], 0)
        item["badge"] = (
            {"count": count, "meaning": badges[item["key"]].meaning % {"count": count}}
            if count
            else None
        )
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``main_menu`` with its badges and ``search_by_person`` (what the
    header's search field offers), each computed at most once a request and only when a
    template shows it."""
    return {
        "main_menu": SimpleLazyObject(lambda: menu_with_badges(request.user)),
        "search_by_person": SimpleLazyObject(lambda: may_search_persons(request.user)),
    }


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Sends each person to his or her own start page; a welcome for whom has none."""
    urls = {entry["key"]: entry["url"] for entry in menu_for(request.user)}
    for key in LANDING:
        if key in urls:
            return redirect(urls[key])
    return render(request, "home.html")
