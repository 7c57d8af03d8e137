"""Reads for the role pages: users with their roles, and role grants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, Q, QuerySet

from kernel.compiled import CompiledQuery

from .models import (
    ActivationLink,
    ActivationLinkKind,
    ApiToken,
    Organisation,
    RoleGrant,
    RoleGrantStatus,
    User,
)
from .permissions import may_approve_case_content_roles, may_grant_at_once
from .roles import CASE_CONTENT_ROLES, Role

CASE_CONTENT_ROLE_VALUES = [role.value for role in CASE_CONTENT_ROLES]


def organisations_by_name() -> QuerySet[Organisation]:
    """Every organisation by name: what a form or a filter offers to choose from."""
    return Organisation.objects.order_by("name")


# Compiled once per process (kernel/compiled.py): the UVO form, the plan form and the case
# lists' filter read them on every view.
ORGANISATIONS_BY_NAME: CompiledQuery[Organisation] = CompiledQuery(organisations_by_name)


def users_with_roles(*, search: str = "") -> QuerySet[User]:
    """Every user, by name, with ``role_groups`` (prefetched: one query for a page) and
    ``pending_grants`` (the number of requests waiting for a decision)."""
    users = User.objects.select_related("organisation").annotate(
        pending_grants=Count("role_grants", filter=Q(role_grants__status=RoleGrantStatus.REQUESTED))
    )
    search = search.strip()
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    return users.prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name"), to_attr="role_groups")
    ).order_by("last_name", "first_name", "username", "pk")


def roles_of(user: User) -> list[Role]:
    """The roles ``user`` holds, in the order of the Role enumeration."""
    held = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in held]


def role_labels(groups: list[Group]) -> list[str]:
    """The display names of the roles among ``groups`` (prefetched), in Role order."""
    held = {group.name for group in groups}
    return [str(role.label) for role in Role if role.value in held]


def role_grants_of(user: User) -> QuerySet[RoleGrant]:
    """Every grant of ``user``'s, latest first, with the people who acted on it."""
    return RoleGrant.objects.filter(user=user).select_related(
        "requested_by", "decided_by", "revoked_by"
    )


def role_grants_to_decide(viewer: Any) -> QuerySet[RoleGrant]:
    """The requests waiting for a decision that ``viewer``'s capability covers:
    case-content roles for the programme team, the others for the functional
    administrator. The viewer's own requests are among them (to withdraw)."""
    kinds = Q(pk__in=[])
    if may_approve_case_content_roles(viewer):
        kinds |= Q(role__in=CASE_CONTENT_ROLE_VALUES)
    if may_grant_at_once(viewer):
        kinds |= ~Q(role__in=CASE_CONTENT_ROLE_VALUES)
    return (
        RoleGrant.objects.pending()
        .filter(kinds)
        .select_related("user__organisation", "requested_by")
        .order_by("requested_at", "pk")
    )


def active_users_holding(perm: str) -> QuerySet[User]:
    """The active accounts whose roles hold ``perm`` ("app_label.codename"), with their
    organisation: the choices where a permission decides who may be picked. Superusers
    hold no role and are not listed."""
    # The role groups hold the permission (accounts/backends.py RoleBackend asks them).
    holders = User.objects.with_perm(
        perm, is_active=True, include_superusers=False, backend="accounts.backends.RoleBackend"
    )
    return User.objects.filter(pk__in=holders.values("pk")).select_related("organisation")


def active_user_ids_holding(*perms: str) -> dict[str, tuple[int, ...]]:
    """For each permission ("app_label.codename"), the active users whose roles hold
    it, in one query: who is reminded or told of what follows from what they may do.
    Superusers hold no role and are not listed. The query is compiled once per process
    for each set of permissions (kernel/compiled.py): the deadline selector asks it on
    every notifications page."""
    query = _HOLDING.get(perms)
    if query is None:
        query = _HOLDING.setdefault(perms, CompiledQuery(lambda: _holding(perms)))
    holders: dict[str, dict[int, None]] = {perm: {} for perm in perms}
    for user_id, app_label, codename in query.rows():
        holders[f"{app_label}.{codename}"][user_id] = None
    return {perm: tuple(users) for perm, users in holders.items()}


def _holding(perms: tuple[str, ...]) -> QuerySet[Any]:
    wanted = Q(pk__in=[])
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        wanted |= Q(
            group__permissions__content_type__app_label=app_label,
            group__permissions__codename=codename,
        )
    return (
        User.groups.through.objects.filter(wanted, user__is_active=True)
        .order_by("user_id")
        .values_list(
            "user_id", "group__permissions__content_type__app_label", "group__permissions__codename"
        )
    )


_HOLDING: dict[tuple[str, ...], CompiledQuery[Any]] = {}


def sync_clients() -> QuerySet[User]:
    """The accounts holding the sync-client role, by name, each with ``tokens``
    (prefetched, newest first, with who issued and who revoked them): two queries."""
    return (
        User.objects.filter(groups__name=Role.SYNC_CLIENT.value)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "api_tokens",
                queryset=ApiToken.objects.select_related("created_by", "revoked_by").order_by(
                    "-created_at", "-pk"
                ),
                to_attr="tokens",
            )
        )
        .order_by("first_name", "username", "pk")
    )


def sync_client(pk: int) -> User | None:
    """The sync client ``pk``, or None when no such account holds the role."""
    return sync_clients().filter(pk=pk).first()


def pending_invitations() -> QuerySet[ActivationLink]:
    """The open invitations (expired ones too, to resend), oldest first, with the
    invited user's organisation and who sent them: one query."""
    return (
        ActivationLink.objects.open()
        .filter(kind=ActivationLinkKind.INVITATION)
        .select_related("user__organisation", "created_by")
        .order_by("created_at", "pk")
    )


def open_activation_link(user: User) -> ActivationLink | None:
    """The user's open activation link (an invitation or a second-factor reset), if any."""
    return ActivationLink.objects.open().filter(user=user).select_related("created_by").first()
