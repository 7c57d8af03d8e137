"""Role assignment: the only way a user gains or loses a role (a Django group).

Every step is a RoleGrant record, and the change history (pghistory) keeps every
version of it and every change of group membership with the acting user
(docs/adr/0011-role-grants.md). The rules:

- nobody asks for, decides on or takes away a role of their own account;
- only the functional administrator and the programme team ask for roles;
- a role that reaches case content (accounts.roles.CASE_CONTENT_ROLES) is added to
  the user's groups only once a second person from the programme team approves;
- other roles are granted by the functional administrator at once, still recorded.
"""

from __future__ import annotations

import enum
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import history_context
from kernel.errors import RuleViolation

from .models import ROLE_GRANT_TRANSITIONS, RoleGrant, RoleGrantStatus, User
from .permissions import may_decide_grant, may_grant_at_once, may_manage_roles
from .roles import Role, reaches_case_content

ROLE_NOT_OWN_ACCOUNT = _(
    "U kunt geen rollen aanvragen, toekennen of afnemen op uw eigen account: dat doet een collega."
)
ROLE_REQUEST_NOT_ALLOWED = _(
    "Alleen de functioneel beheerder en het programmateam vragen rollen aan of nemen ze af."
)
ROLE_UNKNOWN = _("Kies een bestaande rol.")
ROLE_REASON_REQUIRED = _("Geef een reden op.")
ROLE_REFUSAL_NOTE_REQUIRED = _("Licht toe waarom u de aanvraag weigert.")
ROLE_ALREADY_HELD = _("Deze gebruiker heeft deze rol al.")
ROLE_ALREADY_REQUESTED = _("Voor deze gebruiker loopt al een aanvraag voor deze rol.")
ROLE_NOT_HELD = _("Deze gebruiker heeft deze rol niet.")
ROLE_GRANT_NOT_PENDING = _("Over deze aanvraag is al besloten.")
ROLE_DECIDE_NOT_REQUESTER = _(
    "Over een aanvraag beslist een tweede persoon, niet wie haar deed. "
    "Is zij niet meer nodig, trek haar dan in."
)
ROLE_DECIDE_CASE_CONTENT_ONLY_PROGRAMME_TEAM = _(
    "Een rol met toegang tot casusinhoud wordt alleen goedgekeurd of geweigerd door "
    "een lid van het programmateam."
)
ROLE_DECIDE_ONLY_FUNCTIONAL_ADMIN = _(
    "Een rol zonder toegang tot casusinhoud wordt toegekend of geweigerd door de "
    "functioneel beheerder."
)
ROLE_WITHDRAW_ONLY_REQUESTER = _("Alleen wie de aanvraag deed, kan haar intrekken.")

REASON_MAX_LENGTH = 2000


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError({"role": ROLE_UNKNOWN}) from None


def _text(value: str, *, field: str, required_message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required_message})
    return value[:REASON_MAX_LENGTH]


def _forget_cached_rights(user: User) -> None:
    """The role names and permissions cached on this object are stale now."""
    for attribute in ("_role_names", "_role_permissions"):
        user.__dict__.pop(attribute, None)


def holds_role(user: User, role: Role) -> bool:
    return user.groups.filter(name=role.value).exists()


def _add_role(user: User, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    if role == Role.FUNCTIONAL_ADMIN and not user.is_staff:
        # The admin site is the functional administrator's workplace: staff status
        # follows the role, and is not editable by hand (accounts/admin.py).
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _forget_cached_rights(user)


def _remove_role(user: User, role: Role) -> None:
    user.groups.remove(Group.objects.get(name=role.value))
    if role == Role.FUNCTIONAL_ADMIN and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    _forget_cached_rights(user)


def _lock_user(user: User) -> User:
    """Serialise role changes of one user (two requests at once see each other)."""
    return User.objects.select_for_update().get(pk=user.pk)


def _move(grant: RoleGrant, to: RoleGrantStatus) -> None:
    if to not in ROLE_GRANT_TRANSITIONS[RoleGrantStatus(grant.status)]:
        raise RuleViolation(ROLE_GRANT_NOT_PENDING)
    grant.status = to


def _check_manager(*, user: User, by: User) -> None:
    """Who may ask for or take away a role, and never on his or her own account."""
    if not may_manage_roles(by):
        raise RuleViolation(ROLE_REQUEST_NOT_ALLOWED)
    if user.pk == by.pk:
        raise RuleViolation(ROLE_NOT_OWN_ACCOUNT)


@transaction.atomic
def role_grant_request(*, user: User, role: Role | str, by: User, reason: str) -> RoleGrant:
    """Ask for ``role`` for ``user``. A role without case content asked for by the
    functional administrator is granted at once; any other waits for a decision."""
    role = _role(role)
    reason = _text(reason, field="reason", required_message=ROLE_REASON_REQUIRED)
    _check_manager(user=user, by=by)
    with history_context(user=by.pk):
        user = _lock_user(user)
        if holds_role(user, role):
            raise RuleViolation(ROLE_ALREADY_HELD)
        if RoleGrant.objects.pending().filter(user=user, role=role).exists():
            raise RuleViolation(ROLE_ALREADY_REQUESTED)
        grant = RoleGrant.objects.create(user=user, role=role, reason=reason, requested_by=by)
        if not reaches_case_content(role) and may_grant_at_once(by):
            _move(grant, RoleGrantStatus.APPROVED)
            grant.decided_by, grant.decided_at = by, timezone.now()
            grant.save(update_fields=["status", "decided_by", "decided_at"])
            _add_role(user, role)
    return grant


def _check_decider(grant: RoleGrant, by: User) -> None:
    if grant.status != RoleGrantStatus.REQUESTED:
        raise RuleViolation(ROLE_GRANT_NOT_PENDING)
    if by.pk == grant.user_id:
        raise RuleViolation(ROLE_NOT_OWN_ACCOUNT)
    if by.pk == grant.requested_by_id:
        raise RuleViolation(ROLE_DECIDE_NOT_REQUESTER)
    if not may_decide_grant(by, reaches_case_content=grant.reaches_case_content):
        raise RuleViolation(
            ROLE_DECIDE_CASE_CONTENT_ONLY_PROGRAMME_TEAM
            if grant.reaches_case_content
            else ROLE_DECIDE_ONLY_FUNCTIONAL_ADMIN
        )


@transaction.atomic
def role_grant_approve(*, grant: RoleGrant, by: User, note: str = "") -> RoleGrant:
    """The second person's approval: from here the user holds the role."""
    with history_context(user=by.pk):
        grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        _check_decider(grant, by)
        _move(grant, RoleGrantStatus.APPROVED)
        grant.decided_by, grant.decided_at = by, timezone.now()
        grant.decision_note = (note or "").strip()[:REASON_MAX_LENGTH]
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        user = _lock_user(grant.user)
        if not holds_role(user, Role(grant.role)):
            _add_role(user, Role(grant.role))
    return grant


@transaction.atomic
def role_grant_refuse(*, grant: RoleGrant, by: User, note: str) -> RoleGrant:
    """Refuse a request, with the reason; the user's roles stay as they are."""
    note = _text(note, field="note", required_message=ROLE_REFUSAL_NOTE_REQUIRED)
    with history_context(user=by.pk):
        grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
        _check_decider(grant, by)
        _move(grant, RoleGrantStatus.REFUSED)
        grant.decided_by, grant.decided_at, grant.decision_note = by, timezone.now(), note
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return grant


@transaction.atomic
def role_grant_withdraw(*, grant: RoleGrant, by: User) -> RoleGrant:
    """The requester takes back a request nobody has decided on yet."""
    with history_context(user=by.pk):
        grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.status != RoleGrantStatus.REQUESTED:
            raise RuleViolation(ROLE_GRANT_NOT_PENDING)
        if by.pk != grant.requested_by_id:
            raise RuleViolation(ROLE_WITHDRAW_ONLY_REQUESTER)
        _move(grant, RoleGrantStatus.WITHDRAWN)
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_at"])
    return grant


@transaction.atomic
def role_revoke(*, user: User, role: Role | str, by: User, reason: str) -> RoleGrant:
    """Take ``role`` away from ``user`` at once (less access needs no second person).

    The grant that gave it is marked revoked; a role held from before role grants
    existed gets a record of its own, so every revocation is on file."""
    role = _role(role)
    reason = _text(reason, field="reason", required_message=ROLE_REASON_REQUIRED)
    _check_manager(user=user, by=by)
    with history_context(user=by.pk):
        user = _lock_user(user)
        if not holds_role(user, role):
            raise RuleViolation(ROLE_NOT_HELD)
        now = timezone.now()
        grants = list(
            RoleGrant.objects.select_for_update().filter(
                user=user, role=role, status=RoleGrantStatus.APPROVED
            )
        )
        if not grants:
            grants = [RoleGrant(user=user, role=role, reason=reason, requested_by=by)]
        for grant in grants:
            grant.status = RoleGrantStatus.REVOKED
            grant.revoked_by, grant.revoked_at, grant.revocation_reason = by, now, reason
            grant.save()
        _remove_role(user, role)
    return grants[0]


class PoolRoleOutcome(enum.Enum):
    """Where the regisseur role of a new pool member stands after adding him or her."""

    HELD = "held"  # held already
    GRANTED = "granted"  # granted in the same step
    PENDING = "pending"  # waits for a second programme-team member's approval


POOL_MEMBER_ROLE_REASON = "Toegevoegd aan de regisseurspool"


@transaction.atomic
def pool_member_role_request(*, user: User, by: User) -> PoolRoleOutcome:
    """Give a new member of the pool the regisseur role through the one grant flow: at
    once where the rules allow it, else as a request that waits for approval (a role
    with case content needs a second programme-team member). A request already running
    is left as it is."""
    role = Role.REGISSEUR
    if holds_role(user, role):
        return PoolRoleOutcome.HELD
    if RoleGrant.objects.pending().filter(user=user, role=role).exists():
        return PoolRoleOutcome.PENDING
    grant = role_grant_request(user=user, role=role, by=by, reason=POOL_MEMBER_ROLE_REASON)
    if grant.status == RoleGrantStatus.APPROVED:
        return PoolRoleOutcome.GRANTED
    return PoolRoleOutcome.PENDING
