"""The start page, the main menu by role, and the error pages.

Each menu entry names the roles it is for; what a role may really do is still decided
by the page itself (the menu is a convenience, never the access rule).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.http import AuthenticatedRequest
from accounts.roles import Role, user_role_names

PT = Role.PROGRAMME_TEAM
REG = Role.REGISSEUR
TEAM = Role.TEAM_MEMBER
PTOR = Role.PTO_R
MAN = Role.MANAGER
PRIV = Role.PRIVACY_OFFICER
ADMIN = Role.FUNCTIONAL_ADMIN


@dataclasses.dataclass(frozen=True)
class MenuEntry:
    key: str
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[Role]


# In menu order.
MENU: tuple[MenuEntry, ...] = (
    MenuEntry("dashboard", _("Dashboard"), "monitoring:dashboard", frozenset({PT})),
    MenuEntry("my_cases", _("Mijn casussen"), "cases:list", frozenset({REG})),
    MenuEntry("cases", _("Casussen"), "cases:list", frozenset({PT, TEAM})),
    MenuEntry("exits", _("Uitstroomvoorstellen"), "cases:exit_decisions", frozenset({PTOR, PT})),
    MenuEntry("pool", _("Pool"), "pool:regisseur_list", frozenset({PT})),
    MenuEntry("reviews", _("Caseloadbesprekingen"), "pool:review_list", frozenset({PT, REG})),
    MenuEntry("talks", _("Driegesprekken"), "pool:talk_list", frozenset({PT, REG, MAN})),
    MenuEntry("team_rhythm", _("Teamritme"), "pool:team_activity_list", frozenset({PT})),
    MenuEntry("caseload", _("Caseload"), "pool:manager", frozenset({MAN})),
    MenuEntry("monitors", _("Kwartaalmonitor"), "monitoring:monitors", frozenset({PT, PTOR})),
    MenuEntry("access_log", _("Toegangslog"), "audit:log", frozenset({PT, PRIV})),
    MenuEntry("users", _("Gebruikers en rollen"), "accounts:user_list", frozenset({PT, ADMIN})),
    MenuEntry("role_grants", _("Rolaanvragen"), "accounts:grant_list", frozenset({PT, ADMIN})),
    MenuEntry(
        "notifications",
        _("Meldingen"),
        "monitoring:notifications",
        frozenset(Role) - {Role.SYNC_CLIENT},
    ),
)

# Where each role lands after signing in, in order of precedence.
LANDING: tuple[tuple[Role, str], ...] = (
    (PT, "dashboard"),
    (REG, "my_cases"),
    (PTOR, "monitors"),
    (MAN, "caseload"),
    (TEAM, "cases"),
    (PRIV, "access_log"),
)


def menu_for(user: Any) -> list[dict[str, Any]]:
    """The menu entries for ``user``'s roles that have a page: key, label, url."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = {Role(name) for name in user_role_names(user) if name in Role.values}
    if user.is_superuser:
        roles |= {PT}
    return [
        {"key": entry.key, "label": entry.label, "url": reverse(entry.url_name)}
        for entry in MENU
        if roles & entry.roles
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``main_menu``, computed only when a template shows it."""
    return {"main_menu": SimpleLazyObject(lambda: menu_for(request.user))}


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Sends each role to its own start page; a welcome for whom has none."""
    urls = {entry["key"]: entry["url"] for entry in menu_for(request.user)}
    roles = user_role_names(request.user)
    if request.user.is_superuser:
        roles = roles | {PT.value}
    for role, key in LANDING:
        if role.value in roles and key in urls:
            return redirect(urls[key])
    return render(request, "home.html")
