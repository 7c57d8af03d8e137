"""The roles of docs/rules.md (R-ACCESS: who may see what). Each role is a Django group; a user
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


# Roles that reach case content (docs/rules.md R-ACCESS-1 to R-ACCESS-3): granting one
# needs a second person from the programme team (accounts/services_roles.py,
# docs/adr/0011-role-grants.md).
CASE_CONTENT_ROLES: frozenset[Role] = frozenset(
    {Role.PROGRAMME_TEAM, Role.REGISSEUR, Role.TEAM_MEMBER}
)


# The programme team's users: whose access the programme team approves (the case-content
# roles). The programme team resets a lost second factor for someone holding only such
# roles; anyone else's goes to the functional administrator (accounts/permissions.py).
PROGRAMME_TEAM_USER_ROLES: frozenset[Role] = CASE_CONTENT_ROLES


def is_programme_team_user(role_names: frozenset[str] | set[str]) -> bool:
    """True for someone holding at least one role and only roles of PROGRAMME_TEAM_USER_ROLES."""
    allowed = {role.value for role in PROGRAMME_TEAM_USER_ROLES}
    return bool(role_names) and set(role_names) <= allowed


def is_machine_account(role_names: frozenset[str] | set[str]) -> bool:
    """An account that signs in with an API token only, never with a second factor."""
    return Role.SYNC_CLIENT.value in role_names


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
        cached = load_roles(user)
    return cached


def role_permissions(user: User) -> frozenset[str]:
    """The permissions ("app_label.codename") the user's roles hold, loaded with the
    role names in one query and forgotten with them (accounts/backends.py)."""
    if getattr(user, "_role_names", None) is None:
        load_roles(user)
    return user._role_permissions


def load_roles(user: User) -> frozenset[str]:
    rows = user.groups.values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    names: set[str] = set()
    perms: set[str] = set()
    for name, app_label, codename in rows:
        names.add(name)
        if codename is not None:
            perms.add(f"{app_label}.{codename}")
    roles = frozenset(names)
    user._role_names = roles
    user._role_permissions = frozenset(perms)
    return roles


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
        # The register of the Directeurenoverleg's decisions that set the pool's rules.
        "pool.view_pooldecision",
        "pool.add_pooldecision",
        # PTO-R's meetings: the programme team prepares them and keeps the minutes.
        "ptor.view_meeting",
        "ptor.add_meeting",
        "ptor.change_meeting",
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
        "cases.view_escalation",
        "cases.view_escalationstep",
        "cases.view_teammember",
        "cases.erase_person",
        "cases.review_emergency_access",
        # Find a case by its person's name or BSN, export a case list.
        "cases.search_person",
        "cases.export_case_list",
        # The intake: register, close as not included, first assignment, notification letter.
        "cases.run_intake",
        # Remove any case's document (a case's own regisseur may remove its documents).
        "documents.remove_any_document",
        "audit.view_accesslog",
        "audit.view_search_terms",
        "audit.export_subject_access",
        "monitoring.view_dashboard",
        "monitoring.read_monitor",
        "monitoring.start_monitor",
        "monitoring.receive_notifications",
        "api.manage_webhooks",
        # Role grants: request and revoke roles of others, approve case-content roles.
        "accounts.view_rolegrant",
        "accounts.request_role",
        "accounts.approve_case_content_role",
        # A lost second factor of the programme team's users (PROGRAMME_TEAM_USER_ROLES).
        "accounts.reset_case_team_second_factor",
    ),
    # The cases a regisseur works on come from object permissions (cases/access.py).
    Role.REGISSEUR: (
        "pool.view_region",
        "pool.view_own_caseloadreview",
        "pool.view_own_threewaytalk",
        "cases.list_directed_cases",
        "cases.open_emergency_access",
        "monitoring.receive_notifications",
    ),
    Role.TEAM_MEMBER: ("cases.list_team_cases", "monitoring.receive_notifications"),
    Role.PTO_R: (
        # Exit proposals are decided in PTO-R's meetings (docs/rules.md R-PTO-4).
        "cases.decide_exit",
        "ptor.view_meeting",
        "monitoring.read_monitor",
        "monitoring.receive_notifications",
    ),
    Role.MANAGER: (
        "pool.view_organisation_caseload",
        "pool.view_organisation_threewaytalk",
        "monitoring.receive_notifications",
    ),
    Role.SYNC_CLIENT: ("api.use_sync_api", "cases.erase_mirrored_person"),
    Role.FUNCTIONAL_ADMIN: (
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_user",
        # Not add_user: people are invited (accounts.invite_user below) and set their
        # own password and second factor.
        "accounts.change_user",
        "accounts.link_oidc_account",
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
        # Sync clients and their API tokens: issue (the secret shown once), list, revoke.
        "accounts.view_apitoken",
        "accounts.add_apitoken",
        "accounts.change_apitoken",
        # Invite new users (they set their own password and second factor), resend or
        # withdraw an invitation; reset anyone's lost second factor.
        "accounts.view_activationlink",
        "accounts.invite_user",
        "accounts.reset_second_factor",
        "monitoring.receive_notifications",
    ),
    Role.PRIVACY_OFFICER: (
        "audit.view_organisation_accesslog",
        "monitoring.receive_notifications",
    ),
}
