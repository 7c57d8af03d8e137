"""The roles of DOMAIN.md ("who may see what"). Each role is a Django group; a user
may hold several. Model permissions hang on the groups; object permissions on
cases are granted by the cases services (cases/access.py), never by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the models import this module
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class Role(models.TextChoices):
    PROGRAMME_TEAM = "programmateam", _("Programmateam (OOV)")
    REGISSEUR = "regisseur", _("Regisseur")
    TEAM_MEMBER = "interventieteamlid", _("Lid interventieteam")
    PTO_R = "pto_r", _("Lid PTO-R")
    MANAGER = "manager", _("Manager moederorganisatie")
    SYNC_CLIENT = "sync_client", _("Synchronisatieclient")
    FUNCTIONAL_ADMIN = "beheerder", _("Functioneel beheerder")
    PRIVACY_OFFICER = "privacy_officer", _("Privacyfunctionaris")


# Roles that reach case content (DOMAIN.md "Who uses it"): granting one needs a second
# person from the programme team (accounts/services_roles.py, docs/adr/0011-role-grants.md).
CASE_CONTENT_ROLES: frozenset[Role] = frozenset(
    {Role.PROGRAMME_TEAM, Role.REGISSEUR, Role.TEAM_MEMBER}
)


def reaches_case_content(role: Role | str) -> bool:
    return Role(role) in CASE_CONTENT_ROLES


def user_has_role(user: User | AnonymousUser, role: Role) -> bool:
    """True when the signed-in user holds the role (groups are prefetched per request)."""
    if not user.is_authenticated:
        return False
    return role.value in user_role_names(user)


def user_role_names(user: User) -> frozenset[str]:
    cached = user._role_names
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


# Model permissions each role's group holds ("app_label.codename"). Object-level
# access to single cases is not here: cases/access.py grants it per case.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PROGRAMME_TEAM: (
        "accounts.view_organisation",
        "accounts.view_user",
        "pool.view_region",
        "pool.view_regisseur",
        "pool.add_regisseur",
        "pool.change_regisseur",
        "pool.view_absence",
        "pool.add_absence",
        "pool.change_absence",
        "pool.view_caseloadreview",
        "pool.add_caseloadreview",
        "pool.view_threewaytalk",
        "pool.add_threewaytalk",
        "pool.view_teamactivity",
        "pool.add_teamactivity",
        "pool.change_teamactivity",
        # All cases, with their person data: the programme team runs the pool.
        "cases.view_case",
        "cases.work_on_case",
        "cases.view_person_data",
        "cases.view_person",
        "cases.view_planversion",
        "cases.view_intervention",
        "cases.view_itatadvice",
        "cases.view_meeting",
        "cases.view_assessment",
        "cases.view_evaluation",
        "cases.view_exitprocedure",
        "cases.view_teammember",
        "audit.view_accesslog",
        # Role grants: request and revoke roles of others, approve case-content roles.
        "accounts.view_rolegrant",
        "accounts.request_role",
        "accounts.approve_case_content_role",
    ),
    Role.REGISSEUR: ("pool.view_region",),
    Role.TEAM_MEMBER: (),
    Role.PTO_R: (),
    Role.MANAGER: (),
    Role.SYNC_CLIENT: (),
    Role.FUNCTIONAL_ADMIN: (
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "pool.view_region",
        "pool.add_region",
        "pool.change_region",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        # Lift a lockout (django-axes): deleting the attempt record unlocks the account.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Role grants: request and revoke roles of others; roles without case content
        # are granted at once (still recorded), case-content roles wait for approval.
        "accounts.view_rolegrant",
        "accounts.request_role",
        "accounts.grant_role",
    ),
    Role.PRIVACY_OFFICER: (),
}
