"""Object permissions on cases, derived from who works on each case.

The domain services call ``case_access_sync`` after every change of regisseur,
buddy, intervention team, absence or exit, so django-guardian's object
permissions always mirror the case's present state:

- regisseur, buddy, and a stand-in during an absence of either: work on the
  case and see the person's data;
- a current intervention-team member with an account: read the case (plan and
  meetings) but not the person record;
- nobody holds object permissions on an exited case (the programme team reads
  everything through its group permissions).

Reading goes through one rule for lists and details (``cases_visible_to``,
``case_for``, ``user_may``): the programme team's global permissions, else the
object permissions above, else an emergency access ("break the glass") running
on an open case, which gives what a director holds. A case one may not see does
not exist for one (404); one that one sees without the stronger right asked for
is refused (403).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from guardian.models import UserObjectPermission

from pool.models import Absence

from .models import OPEN_STATUSES, Case, EmergencyAccess

DIRECTOR_PERMISSIONS = ("view_case", "work_on_case", "view_person_data")
TEAM_MEMBER_PERMISSIONS = ("view_case",)
MANAGED_PERMISSIONS = frozenset(DIRECTOR_PERMISSIONS + TEAM_MEMBER_PERMISSIONS)
# What a running emergency access gives: what the case's directors hold.
EMERGENCY_PERMISSIONS = frozenset(DIRECTOR_PERMISSIONS)

CASE_PERMISSION_REFUSED = "U mag dit onderdeel van de casus niet inzien."


def case_access_wanted(*, case: Case, on: datetime.date) -> dict[int, set[str]]:
    """Who should hold which case permission on ``on``: {user id: {codename}}."""
    wanted: dict[int, set[str]] = defaultdict(set)
    if case.status not in OPEN_STATUSES:
        return {}
    directors = [r for r in (case.regisseur, case.buddy) if r is not None]
    for regisseur in directors:
        wanted[regisseur.user_id].update(DIRECTOR_PERMISSIONS)
    if directors:
        stand_ins = Absence.objects.filter(
            regisseur__in=directors,
            starts_on__lte=on,
            ends_on__gte=on,
            stand_in__isnull=False,
        ).values_list("stand_in__user_id", flat=True)
        for user_id in stand_ins:
            wanted[user_id].update(DIRECTOR_PERMISSIONS)
    members = case.team_members.filter(
        Q(user__isnull=False),
        Q(joined_on__lte=on),
        Q(left_on__isnull=True) | Q(left_on__gte=on),
    ).values_list("user_id", flat=True)
    for user_id in members:
        wanted[user_id].update(TEAM_MEMBER_PERMISSIONS)
    return dict(wanted)


def case_access_sync(*, case: Case, on: datetime.date | None = None) -> None:
    """Grant and revoke guardian object permissions so they match ``case_access_wanted``."""
    on = on or timezone.localdate()
    content_type = ContentType.objects.get_for_model(Case)
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type=content_type, codename__in=MANAGED_PERMISSIONS
        )
    }
    wanted = case_access_wanted(case=case, on=on)
    held = UserObjectPermission.objects.filter(
        content_type=content_type,
        object_pk=str(case.pk),
        permission__codename__in=MANAGED_PERMISSIONS,
    ).values_list("pk", "user_id", "permission__codename")

    stale = [pk for pk, user_id, codename in held if codename not in wanted.get(user_id, ())]
    if stale:
        UserObjectPermission.objects.filter(pk__in=stale).delete()
    already = {(user_id, codename) for _, user_id, codename in held}
    missing = [
        UserObjectPermission(
            user_id=user_id,
            permission=permissions[codename],
            content_type=content_type,
            object_pk=str(case.pk),
        )
        for user_id, codenames in wanted.items()
        for codename in codenames
        if (user_id, codename) not in already
    ]
    UserObjectPermission.objects.bulk_create(missing, ignore_conflicts=True)


def cases_access_sync(*, cases: Iterable[Case], on: datetime.date | None = None) -> None:
    for case in cases:
        case_access_sync(case=case, on=on)


def users_with_case_access(case: Case) -> set[int]:
    """User ids holding any managed object permission on the case (for tests and audits)."""
    content_type = ContentType.objects.get_for_model(Case)
    return set(
        UserObjectPermission.objects.filter(
            content_type=content_type,
            object_pk=str(case.pk),
            permission__codename__in=MANAGED_PERMISSIONS,
        ).values_list("user_id", flat=True)
    )


# --- reading: one rule for lists and details -------------------------------------------


def _codename(perm: str) -> str:
    """Accept "cases.view_case" as well as "view_case"."""
    return perm.removeprefix("cases.")


def _may_hold_permissions(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _object_permissions(user) -> QuerySet[UserObjectPermission]:
    return UserObjectPermission.objects.filter(
        user=user, content_type__app_label="cases", content_type__model="case"
    )


def cases_visible_to(user, *, on: datetime.datetime | None = None) -> QuerySet[Case]:
    """Every case ``user`` may see at ``on`` (default: now), as one composable query.

    The programme team (global ``cases.view_case``) sees all; everyone else the
    cases guardian grants ``view_case`` on, and those with an emergency access
    running. Managers, PTO-R, functional admins and privacy officers see none.
    """
    if not _may_hold_permissions(user):
        return Case.objects.none()
    if user.has_perm("cases.view_case"):
        return Case.objects.all()
    at = on or timezone.now()
    granted = _object_permissions(user).filter(
        permission__codename="view_case",
        object_pk=Cast(OuterRef("pk"), output_field=CharField()),
    )
    emergency = EmergencyAccess.objects.active_at(at).filter(user=user, case=OuterRef("pk"))
    return Case.objects.filter(Exists(granted) | Exists(emergency))


@dataclass(frozen=True)
class CasePermissions:
    """What one user holds on one case: ``regular`` through the role or the case's
    object permissions, and the emergency access running, if any."""

    regular: frozenset[str]
    emergency: EmergencyAccess | None = None

    def allows(self, perm: str) -> bool:
        codename = _codename(perm)
        return codename in self.regular or (
            self.emergency is not None and codename in EMERGENCY_PERMISSIONS
        )

    def rests_on_emergency(self, perm: str) -> bool:
        """True when ``perm`` is held only through the emergency access: reads under
        it are flagged in the access log."""
        codename = _codename(perm)
        return self.allows(codename) and codename not in self.regular


def case_permissions(user, case: Case, *, on: datetime.datetime | None = None) -> CasePermissions:
    """The case permissions ``user`` holds on ``case`` at ``on`` (default: now)."""
    if not _may_hold_permissions(user):
        return CasePermissions(regular=frozenset())
    held = {codename for codename in MANAGED_PERMISSIONS if user.has_perm(f"cases.{codename}")}
    if not held >= EMERGENCY_PERMISSIONS:
        held.update(
            _object_permissions(user)
            .filter(object_pk=str(case.pk), permission__codename__in=MANAGED_PERMISSIONS)
            .values_list("permission__codename", flat=True)
        )
    emergency = None
    if not held >= EMERGENCY_PERMISSIONS:
        emergency = (
            EmergencyAccess.objects.active_at(on or timezone.now())
            .filter(user=user, case=case)
            .order_by("-expires_at")
            .first()
        )
    return CasePermissions(regular=frozenset(held), emergency=emergency)


def user_may(user, case: Case, perm: str, *, on: datetime.datetime | None = None) -> bool:
    """True when ``user`` holds ``perm`` (view_case, work_on_case, view_person_data) on ``case``."""
    return case_permissions(user, case, on=on).allows(perm)


@dataclass(frozen=True)
class CaseAccess:
    """A case as one user reaches it for one purpose (``need``)."""

    case: Case
    permissions: CasePermissions
    need: str

    def allows(self, perm: str) -> bool:
        return self.permissions.allows(perm)

    @property
    def emergency(self) -> bool:
        """The read rests on an emergency access: flag it in the access log."""
        return self.permissions.rests_on_emergency(self.need)

    @property
    def emergency_access(self) -> EmergencyAccess | None:
        return self.permissions.emergency if self.emergency else None


def case_access_for(
    user, case_id: int, *, need: str = "view_case", on: datetime.datetime | None = None
) -> CaseAccess:
    """The case ``case_id`` if ``user`` may see it, with what he or she holds on it.

    Raises Http404 when the case is not visible to the user (whether or not it
    exists: existence never leaks) and PermissionDenied when it is visible but
    ``need`` (work_on_case, view_person_data) is not held.
    """
    case = cases_visible_to(user, on=on).filter(pk=case_id).first()
    if case is None:
        raise Http404
    permissions = case_permissions(user, case, on=on)
    if not permissions.allows(need):
        raise PermissionDenied(CASE_PERMISSION_REFUSED)
    return CaseAccess(case=case, permissions=permissions, need=_codename(need))


def case_for(
    user, case_id: int, *, need: str = "view_case", on: datetime.datetime | None = None
) -> Case:
    """As ``case_access_for``, the case alone."""
    return case_access_for(user, case_id, need=need, on=on).case


__all__ = [
    "CASE_PERMISSION_REFUSED",
    "DIRECTOR_PERMISSIONS",
    "EMERGENCY_PERMISSIONS",
    "TEAM_MEMBER_PERMISSIONS",
    "CaseAccess",
    "CasePermissions",
    "case_access_for",
    "case_access_sync",
    "case_access_wanted",
    "case_for",
    "case_permissions",
    "cases_access_sync",
    "cases_visible_to",
    "user_may",
    "users_with_case_access",
]
