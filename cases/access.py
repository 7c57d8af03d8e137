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
on an open case, which gives what a director may read, never the right to work on
the case. A case one may not see does
not exist for one (404); one that one sees without the stronger right asked for
is refused (403).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal, TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission

from accounts.models import User
from audit.models import AccessLog
from audit.services import role_basis
from kernel.compiled import CompiledPerShape, CompiledQuery
from pool.models import Absence, Regisseur

from .models import OPEN_STATUSES, Case, EmergencyAccess, TeamMember

# The object permissions on a case (codenames of cases.Case's Meta.permissions and
# view_case); access is asked for by one of these names, never by a free string.
CasePermission: TypeAlias = Literal["view_case", "work_on_case", "view_person_data"]
# Who asks: the signed-in user of a request, or nobody signed in.
Reader: TypeAlias = User | AnonymousUser

DIRECTOR_PERMISSIONS: tuple[CasePermission, ...] = ("view_case", "work_on_case", "view_person_data")
TEAM_MEMBER_PERMISSIONS: tuple[CasePermission, ...] = ("view_case",)
MANAGED_PERMISSIONS: frozenset[CasePermission] = frozenset(
    DIRECTOR_PERMISSIONS + TEAM_MEMBER_PERMISSIONS
)
# What a running emergency access gives: the directors' reading rights, never
# work_on_case. Breaking the glass is for reading: no hand-over, buddy change, share,
# UVO, plan or other write rests on it (docs/adr/0004-reading-cases-and-emergency-access.md).
EMERGENCY_PERMISSIONS: frozenset[CasePermission] = frozenset(("view_case", "view_person_data"))

CASE_PERMISSION_REFUSED = _("U mag dit onderdeel van de casus niet inzien.")
# Cases re-derived together: one batch is a handful of queries, whatever its size.
ACCESS_SYNC_BATCH_SIZE = 500


# --- who works on a case: each relation's condition, written once -------------------------
# The permissions (cases_access_wanted) and the ground of a read (access_basis) both ask
# these; the regisseur and the buddy are the case's own columns.


def standing_in_on(on: datetime.date) -> Q:
    """Absences (``pool.Absence``) during which the stand-in works, on ``on``, on the
    cases the absent regisseur directs or is buddy of."""
    return Q(starts_on__lte=on, ends_on__gte=on, stand_in__isnull=False)


def stand_in_fits_region(region_field: str = "region_id") -> Q:
    """R-POOL-3: a restriction binds standing in too; a stand-in kept to a region
    stands in only for the cases of that region (``region_field`` reaches the case's
    region from the absence, as an OuterRef of a case query)."""
    return Q(stand_in__region_restriction__isnull=True) | Q(
        stand_in__region_restriction_id=OuterRef(region_field)
    )


def stand_in_covers(kept_to_region_id: int | None, case_region_id: int | None) -> bool:
    """``stand_in_fits_region`` for rows already read: a stand-in kept to
    ``kept_to_region_id`` (None: to no region) stands in for a case of ``case_region_id``."""
    return kept_to_region_id is None or kept_to_region_id == case_region_id


def on_the_team_on(on: datetime.date) -> Q:
    """Intervention-team members (``TeamMember``) with an account who are on the
    case's team on ``on``: added on or before it, not left on or before it (the access
    ends the day a member leaves, docs/rules.md R-ACCESS-3)."""
    return Q(user__isnull=False, joined_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


def cases_access_wanted(
    *, cases: Sequence[Case], on: datetime.date
) -> dict[int, dict[int, set[CasePermission]]]:
    """Who should hold which case permission on ``on``, for many cases at once:
    {case id: {user id: {codename}}}. Three queries however many cases."""
    wanted: dict[int, defaultdict[int, set[CasePermission]]] = {
        case.pk: defaultdict(set) for case in cases
    }
    open_cases = [case for case in cases if case.is_open]
    cases_directed_by: defaultdict[int, set[int]] = defaultdict(set)  # regisseur id: case ids
    for case in open_cases:
        for regisseur_id in (case.regisseur_id, case.buddy_id):
            if regisseur_id is not None:
                cases_directed_by[regisseur_id].add(case.pk)
    if cases_directed_by:
        directors = Regisseur.objects.filter(pk__in=cases_directed_by).values_list("pk", "user_id")
        stand_ins = Absence.objects.filter(
            standing_in_on(on), regisseur_id__in=cases_directed_by
        ).values_list("regisseur_id", "stand_in__user_id", "stand_in__region_restriction_id")
        region_of = {case.pk: case.region_id for case in open_cases}
        for regisseur_id, user_id in directors:
            for case_id in cases_directed_by[regisseur_id]:
                wanted[case_id][user_id].update(DIRECTOR_PERMISSIONS)
        for regisseur_id, user_id, restriction in stand_ins:
            for case_id in cases_directed_by[regisseur_id]:
                # R-POOL-3: a stand-in kept to a region stands in for its cases only.
                if restriction is None or restriction == region_of[case_id]:
                    wanted[case_id][user_id].update(DIRECTOR_PERMISSIONS)
    if open_cases:
        members = TeamMember.objects.filter(
            on_the_team_on(on), case__in=[case.pk for case in open_cases]
        ).values_list("case_id", "user_id")
        for case_id, user_id in members:
            wanted[case_id][user_id].update(TEAM_MEMBER_PERMISSIONS)
    return {case_id: dict(users) for case_id, users in wanted.items()}


def case_access_wanted(*, case: Case, on: datetime.date) -> dict[int, set[CasePermission]]:
    """Who should hold which case permission on ``on``: {user id: {codename}}."""
    return cases_access_wanted(cases=[case], on=on)[case.pk]


def case_access_sync(*, case: Case, on: datetime.date | None = None) -> None:
    """Grant and revoke guardian object permissions so they match ``case_access_wanted``."""
    cases_access_sync(cases=[case], on=on)


def cases_access_sync(*, cases: Iterable[Case], on: datetime.date | None = None) -> int:
    """Grant and revoke guardian object permissions on ``cases`` so they match
    ``cases_access_wanted``, ``ACCESS_SYNC_BATCH_SIZE`` cases at a time with a fixed
    number of queries each. Returns how many cases had a permission granted or revoked."""
    on = on or timezone.localdate()
    remaining = iter(cases)
    changed = 0
    while batch := list(islice(remaining, ACCESS_SYNC_BATCH_SIZE)):
        changed += _access_sync_batch(batch, on=on)
    return changed


def _access_sync_batch(cases: list[Case], *, on: datetime.date) -> int:
    content_type = ContentType.objects.get_for_model(Case)
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type=content_type, codename__in=MANAGED_PERMISSIONS
        )
    }
    wanted = cases_access_wanted(cases=cases, on=on)
    held = UserObjectPermission.objects.filter(
        content_type=content_type,
        object_pk__in=[str(case.pk) for case in cases],
        permission__codename__in=MANAGED_PERMISSIONS,
    ).values_list("pk", "object_pk", "user_id", "permission__codename")

    stale = [
        (pk, int(object_pk))
        for pk, object_pk, user_id, codename in held
        if codename not in wanted[int(object_pk)].get(user_id, ())
    ]
    if stale:
        UserObjectPermission.objects.filter(pk__in=[pk for pk, _ in stale]).delete()
    already = {(int(object_pk), user_id, codename) for _, object_pk, user_id, codename in held}
    missing = [
        UserObjectPermission(
            user_id=user_id,
            permission=permissions[codename],
            content_type=content_type,
            object_pk=str(case_id),
        )
        for case_id, users in wanted.items()
        for user_id, codenames in users.items()
        for codename in codenames
        if (case_id, user_id, codename) not in already
    ]
    UserObjectPermission.objects.bulk_create(missing, ignore_conflicts=True)
    return len({case_id for _, case_id in stale} | {int(p.object_pk) for p in missing})


def cases_needing_access_refresh() -> QuerySet[Case]:
    """Every case whose object permissions may differ from what today wants: each
    open case (an absence or a team member's dates may have begun or ended on any
    day since the last refresh ran) and each case still holding one (an exited case
    should hold none)."""
    held = UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Case),
        permission__codename__in=MANAGED_PERMISSIONS,
        object_pk=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return Case.objects.filter(Q(status__in=OPEN_STATUSES) | Exists(held))


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


def _may_hold_permissions(user: Reader) -> TypeGuard[User]:
    return bool(user.is_authenticated and user.is_active)


def _object_permissions(user: User) -> QuerySet[UserObjectPermission]:
    return UserObjectPermission.objects.filter(
        user=user, content_type__app_label="cases", content_type__model="case"
    )


def cases_visible_to(user: Reader, *, on: datetime.datetime | None = None) -> QuerySet[Case]:
    """Every case ``user`` may see at ``on`` (default: now), as one composable query.

    The programme team (global ``cases.view_case``) sees all; everyone else the
    cases guardian grants ``view_case`` on, and those with an emergency access
    running. Managers, PTO-R, functional admins and privacy officers see none.
    """
    if not _may_hold_permissions(user):
        return Case.objects.none()
    if user.has_perm("cases.view_case"):
        return Case.objects.all()
    return _cases_granted_to(user, on or timezone.now())


def visible_case_ids(
    user: Reader, case_ids: Collection[int], *, on: datetime.datetime | None = None
) -> set[int]:
    """Those of ``case_ids`` that ``user`` may see at ``on`` (default: now), by the rule
    of ``cases_visible_to``: for a short list (the cases of a user's items due), compiled
    once per process (kernel/compiled.py), as PostgreSQL took 2 ms planning it."""
    ids = sorted(set(case_ids))
    if not ids or not _may_hold_permissions(user):
        return set()
    query = _AMONG_ALL if user.has_perm("cases.view_case") else _AMONG_GRANTED
    return {pk for (pk,) in query.rows(user=user, at=on or timezone.now(), ids=ids)}


def _cases_granted_to(user: User, at: datetime.datetime) -> QuerySet[Case]:
    """The cases guardian grants ``user`` ``view_case`` on, and those with an emergency
    access of the user's running at ``at``."""
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

    regular: frozenset[CasePermission]
    emergency: EmergencyAccess | None = None

    def allows(self, perm: CasePermission) -> bool:
        return perm in self.regular or (
            self.emergency is not None and perm in EMERGENCY_PERMISSIONS
        )

    def rests_on_emergency(self, perm: CasePermission) -> bool:
        """True when ``perm`` is held only through the emergency access: reads under
        it are flagged in the access log."""
        return self.allows(perm) and perm not in self.regular


def case_permissions(
    user: Reader, case: Case, *, on: datetime.datetime | None = None
) -> CasePermissions:
    """The case permissions ``user`` holds on ``case`` at ``on`` (default: now)."""
    if not _may_hold_permissions(user):
        return CasePermissions(regular=frozenset())
    held: set[CasePermission] = {
        codename for codename in MANAGED_PERMISSIONS if user.has_perm(f"cases.{codename}")
    }
    if not held >= EMERGENCY_PERMISSIONS:
        granted = {
            codename for (codename,) in _HELD_ON_CASE.rows(user=user, object_pk=str(case.pk))
        }
        held.update(codename for codename in MANAGED_PERMISSIONS if codename in granted)
    emergency = None
    if not held >= EMERGENCY_PERMISSIONS:
        emergency = (
            EmergencyAccess.objects.active_at(on or timezone.now())
            .filter(user=user, case=case)
            .order_by("-expires_at")
            .first()
        )
    return CasePermissions(regular=frozenset(held), emergency=emergency)


def user_may(
    user: Reader, case: Case, perm: CasePermission, *, on: datetime.datetime | None = None
) -> bool:
    """True when ``user`` holds ``perm`` (view_case, work_on_case, view_person_data) on ``case``."""
    return case_permissions(user, case, on=on).allows(perm)


@dataclass(frozen=True)
class CaseAccess:
    """A case as one user reaches it for one purpose (``need``), with the relations
    that tie him or her to it (``relations``: the ground of the read, see access_basis)."""

    case: Case
    permissions: CasePermissions
    need: CasePermission
    relations: CaseRelations

    def allows(self, perm: CasePermission) -> bool:
        return self.permissions.allows(perm)

    @property
    def emergency(self) -> bool:
        """The read rests on an emergency access: flag it in the access log."""
        return self.permissions.rests_on_emergency(self.need)

    @property
    def emergency_access(self) -> EmergencyAccess | None:
        return self.permissions.emergency if self.emergency else None


def case_access_for(
    user: Reader,
    case_id: int,
    *,
    need: CasePermission = "view_case",
    on: datetime.datetime | None = None,
) -> CaseAccess:
    """The case ``case_id`` if ``user`` may see it, with what he or she holds on it.

    Raises Http404 when the case is not visible to the user (whether or not it
    exists: existence never leaks) and PermissionDenied when it is visible but
    ``need`` (work_on_case, view_person_data) is not held.
    """
    if not _may_hold_permissions(user):
        raise Http404
    # The relations come with the case, in its query: the audited read asks no more.
    # The query is the same for every case and user but for its arguments: compiled
    # once per process (kernel/compiled.py), as building it cost more than running it.
    at = on or timezone.now()
    query = _CASE_SEEN_BY_ALL if user.has_perm("cases.view_case") else _CASE_GRANTED
    found = query.instances(user=user, case_id=case_id, at=at, today=timezone.localdate(at))
    if not found:
        raise Http404
    case = found[0]
    permissions = case_permissions(user, case, on=on)
    if not permissions.allows(need):
        raise PermissionDenied(CASE_PERMISSION_REFUSED)
    relations = CaseRelations.of(
        {fact: getattr(case, fact) for fact in (*RELATION_GROUNDS, EMERGENCY_FACT)}
    )
    return CaseAccess(case=case, permissions=permissions, need=need, relations=relations)


def case_for(
    user: Reader,
    case_id: int,
    *,
    need: CasePermission = "view_case",
    on: datetime.datetime | None = None,
) -> Case:
    """As ``case_access_for``, the case alone."""
    return case_access_for(user, case_id, need=need, on=on).case


# --- the ground of an access: the access log's "on whose behalf" (NEN 7513) -------------


# The relations to a case that are a ground of their own, closest first: the name of
# the case query's annotation that asks each (``_relation_facts``), and its ground.
RELATION_GROUNDS: dict[str, AccessLog.Basis] = {
    "as_regisseur": AccessLog.Basis.REGISSEUR,
    "as_buddy": AccessLog.Basis.BUDDY,
    "as_stand_in": AccessLog.Basis.STAND_IN,
    "as_team_member": AccessLog.Basis.TEAM_MEMBER,
}
EMERGENCY_FACT = "as_emergency"


@dataclass(frozen=True)
class CaseRelations:
    """What ties one user to one case at one moment: the grounds among
    ``RELATION_GROUNDS`` that hold, closest first, and whether an emergency access
    of the user's runs on the case."""

    grounds: tuple[AccessLog.Basis, ...]
    emergency: bool

    @classmethod
    def of(cls, facts: Mapping[str, object]) -> CaseRelations:
        """From the ``_relation_facts`` annotations of a case query."""
        return cls(
            grounds=tuple(ground for fact, ground in RELATION_GROUNDS.items() if facts[fact]),
            emergency=bool(facts[EMERGENCY_FACT]),
        )


def _relation_facts(
    user: User, at: datetime.datetime, today: datetime.date | None = None
) -> dict[str, Exists]:
    """Annotations of a case query: whether ``user`` is its regisseur, its buddy, a
    stand-in of either or a team member, on the conditions the object permissions
    are granted on (``standing_in_on``, ``on_the_team_on``) on ``today`` (default:
    the day of ``at``), and whether an emergency access of the user's runs on it at
    ``at``."""
    today = today or timezone.localdate(at)
    own = Regisseur.objects.filter(user=user)
    directors = Q(regisseur_id=OuterRef("regisseur_id")) | Q(regisseur_id=OuterRef("buddy_id"))
    return {
        "as_regisseur": Exists(own.filter(pk=OuterRef("regisseur_id"))),
        "as_buddy": Exists(own.filter(pk=OuterRef("buddy_id"))),
        "as_stand_in": Exists(
            Absence.objects.filter(
                standing_in_on(today), directors, stand_in_fits_region(), stand_in__user=user
            )
        ),
        "as_team_member": Exists(
            TeamMember.objects.filter(on_the_team_on(today), case=OuterRef("pk"), user=user)
        ),
        EMERGENCY_FACT: Exists(
            EmergencyAccess.objects.active_at(at).filter(user=user, case=OuterRef("pk"))
        ),
    }


# The case page's and every case view's first query, for a reader who sees all cases
# and for one who sees those granted to him or her (case_access_for).
_CASE_SEEN_BY_ALL: CompiledQuery[Case] = CompiledQuery(
    lambda user, case_id, at, today: Case.objects.filter(pk=case_id).annotate(
        **_relation_facts(user, at, today)
    )
)
_CASE_GRANTED: CompiledQuery[Case] = CompiledQuery(
    lambda user, case_id, at, today: (
        _cases_granted_to(user, at).filter(pk=case_id).annotate(**_relation_facts(user, at, today))
    )
)
# Those of a list of cases a reader who sees all cases and one who sees those granted
# to him or her may see (visible_case_ids).
_AMONG_ALL = CompiledPerShape(
    lambda user, at, ids: Case.objects.filter(pk__in=ids).values_list("pk")
)
_AMONG_GRANTED = CompiledPerShape(
    lambda user, at, ids: _cases_granted_to(user, at).filter(pk__in=ids).values_list("pk")
)
# The case permissions guardian grants one user on one case (case_permissions).
_HELD_ON_CASE: CompiledQuery[Any] = CompiledQuery(
    lambda user, object_pk: (
        _object_permissions(user)
        .filter(object_pk=object_pk, permission__codename__in=MANAGED_PERMISSIONS)
        .values_list("permission__codename")
    )
)


def access_basis(user: Reader, case: Case | None, *, on: datetime.datetime | None = None) -> str:
    """On which ground ``user`` reaches ``case`` at ``on`` (default: now), from the
    same facts the permissions above come from, the closest relation first.

    A sync client acts on its token's behalf whatever the case. On an open case the
    regisseur, the buddy, a stand-in during an absence of either and a current
    team member come before the programme team's global permission, and that
    before a running emergency access. Without a case, or when none of these
    holds, the user's role decides (audit.services.role_basis). One query; a case
    reached through ``case_access_for`` brought its relations along (``read_basis``).
    """
    by_role = role_basis(user)
    if case is None or by_role == AccessLog.Basis.SYNC_CLIENT or not _may_hold_permissions(user):
        return by_role
    facts = (
        Case.objects.filter(pk=case.pk)
        .annotate(**_relation_facts(user, on or timezone.now()))
        .values("status", *RELATION_GROUNDS, EMERGENCY_FACT)
        .first()
    )
    if facts is None:
        return by_role
    relations = CaseRelations.of(facts)
    return _basis(
        user, is_open=facts["status"] in OPEN_STATUSES, relations=relations, by_role=by_role
    )


def read_basis(user: User, access: CaseAccess) -> str:
    """``access_basis`` for the case of ``access`` (``user``'s, from ``case_access_for``),
    from the relations read with the case: no query of its own."""
    by_role = role_basis(user)
    if by_role == AccessLog.Basis.SYNC_CLIENT:
        return by_role
    return _basis(user, is_open=access.case.is_open, relations=access.relations, by_role=by_role)


def _basis(user: User, *, is_open: bool, relations: CaseRelations, by_role: str) -> str:
    if is_open and relations.grounds:  # nobody works on an exited case (see above)
        return relations.grounds[0]
    if user.has_perm("cases.view_case"):
        return AccessLog.Basis.PROGRAMME_TEAM
    if relations.emergency:
        return AccessLog.Basis.EMERGENCY
    return by_role


__all__ = [
    "ACCESS_SYNC_BATCH_SIZE",
    "CASE_PERMISSION_REFUSED",
    "DIRECTOR_PERMISSIONS",
    "EMERGENCY_PERMISSIONS",
    "TEAM_MEMBER_PERMISSIONS",
    "CaseAccess",
    "CasePermission",
    "CasePermissions",
    "CaseRelations",
    "Reader",
    "access_basis",
    "case_access_for",
    "case_access_sync",
    "case_access_wanted",
    "case_for",
    "case_permissions",
    "cases_access_sync",
    "cases_access_wanted",
    "cases_needing_access_refresh",
    "cases_visible_to",
    "on_the_team_on",
    "read_basis",
    "standing_in_on",
    "user_may",
    "users_with_case_access",
    "visible_case_ids",
]
