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
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from guardian.models import UserObjectPermission

from pool.models import Absence

from .models import OPEN_STATUSES, Case

DIRECTOR_PERMISSIONS = ("view_case", "work_on_case", "view_person_data")
TEAM_MEMBER_PERMISSIONS = ("view_case",)
MANAGED_PERMISSIONS = frozenset(DIRECTOR_PERMISSIONS + TEAM_MEMBER_PERMISSIONS)


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


__all__ = [
    "DIRECTOR_PERMISSIONS",
    "TEAM_MEMBER_PERMISSIONS",
    "case_access_sync",
    "case_access_wanted",
    "cases_access_sync",
    "users_with_case_access",
]
