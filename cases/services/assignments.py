"""Who works on a case: the regisseur and the buddy (docs/rules.md R-CASE-5,
R-POOL-3, R-POOL-5).

Rules:
- every case has a regisseur and a buddy, two different pool members, both
  active on the day they start;
- a regisseur with a region restriction ("alleen Amstelland") only gets cases of
  that region, as regisseur and as buddy;
- 12 cases per 1.0 FTE is the maximum caseload, counted as the open cases a
  regisseur holds as regisseur (as the pool overview counts it); going over it
  is allowed but always comes back as a warning, never as a block;
- an exited case gets nobody any more.

A hand-over to the case's present buddy is the natural succession (the buddy is
"standby om de regierol vloeiend over te nemen"), but then the case would be
left without a buddy: it is allowed only together with a new buddy
(``new_buddy=``), which may be the outgoing regisseur.

Every change ends the current Assignment row on ``on`` and starts a new one on
``on`` (both days inclusive: the hand-over day belongs to both), records who
and why, and re-syncs the object permissions.

When a regisseur leaves the pool, ``suggest_distribution`` proposes a receiver
for each open case and ``pool_leave_with_hand_over`` applies the distribution a
person confirmed, all or nothing. The buddy is the standby successor (R-POOL-5,
R-CASE-5): the suggestion prefers the case's buddy, with a new buddy named in the
same step, and never proposes someone absent on the day of the hand-over.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update
from pool.models import Absence, Regisseur
from pool.services import regisseur_end_membership

from ..access import case_access_sync
from ..models import OPEN_STATUSES, Assignment, Case, CaseStatus
from .assessments import case_inclusion_check

ASSIGN_CASE_EXITED = _(
    "Deze casus is uitgestroomd: er wordt geen regisseur of buddy meer toegewezen."
)
ASSIGN_CASE_NOT_INCLUDED = _(
    "Deze casus is na de weging niet opgenomen in de aanpak: er wordt geen regisseur of "
    "buddy toegewezen."
)
ASSIGN_NEEDS_INCLUSION = _(
    "Eerst de weging: een regisseur en buddy worden pas toegewezen als de weging met het "
    "dynamisch beoordelingskader zowel zorgproblemen als een veiligheidsrisico vindt. "
    "%(explanation)s"
)
CASE_ALREADY_ASSIGNED = _("Deze casus heeft al een regisseur; draag de casus over.")
CASE_NOT_ASSIGNED = _(
    "Deze casus heeft nog geen regisseur; wijs eerst een regisseur en een buddy toe."
)
BUDDY_MUST_DIFFER = _("De buddy moet een andere regisseur zijn dan de regisseur van de casus.")
BUDDY_UNCHANGED = _("%(regisseur)s is al de buddy van deze casus.")
HAND_OVER_TO_SAME = _("%(regisseur)s is al de regisseur van deze casus.")
HAND_OVER_TO_BUDDY_NEEDS_NEW_BUDDY = _(
    "%(regisseur)s is de buddy van deze casus: wijs bij de overdracht ook een nieuwe buddy aan."
)
REGISSEUR_NOT_ACTIVE = _("%(regisseur)s is op %(on)s geen actief lid van de regisseurspool.")
REGION_RESTRICTED = _("%(regisseur)s neemt alleen casussen uit de regio %(region)s.")
ASSIGNMENT_REASON_REQUIRED = _("Geef de reden van de toewijzing of overdracht op.")
ASSIGNMENT_DATE_TOO_EARLY = _(
    "De datum ligt vóór %(since)s (de aanmelding of de start van de huidige toewijzing)."
)
CAPACITY_WARNING = _(
    "%(regisseur)s heeft hiermee %(count)s van %(capacity)s casussen als regisseur: "
    "boven de maximale caseload."
)
LEAVER_NOT_ACTIVE = _("%(regisseur)s is op %(on)s al geen lid meer van de regisseurspool.")
DISTRIBUTION_INCOMPLETE = _(
    "Wijs voor iedere open casus een ontvanger aan (%(role)s). Nog zonder ontvanger: %(cases)s."
)
DISTRIBUTION_FOREIGN_CASES = _(
    "Deze casussen zijn geen open casussen van %(regisseur)s als %(role)s: %(cases)s."
)
DISTRIBUTION_UNKNOWN_REGISSEUR = _("Onbekende regisseur in de verdeling (id %(ids)s).")


@dataclasses.dataclass
class AssignmentResult:
    case: Case
    # Dutch texts to show the person who made the change (e.g. over capacity).
    warnings: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """A proposed receiver for one case of a leaving regisseur, in one role."""

    case: Case
    role: Assignment.Role
    # None when no active regisseur fits (region restrictions): a person decides.
    receiver: Regisseur | None
    # The receiver's free places as regisseur once the suggestions so far are
    # taken (negative: over capacity). Buddy cases do not use places.
    free_places: int | None
    # When the case's buddy takes over as regisseur: the new buddy proposed with it.
    new_buddy: Regisseur | None = None


def _day(on: datetime.date) -> str:
    return on.strftime("%d-%m-%Y")


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(ASSIGNMENT_REASON_REQUIRED, code="reason_required")
    return reason


def assignment_change_check(case: Case) -> None:
    """Raise the RuleViolation that refuses a change of regisseur or buddy on ``case``."""
    if case.status == CaseStatus.EXITED:
        raise RuleViolation(ASSIGN_CASE_EXITED, code="case_exited")
    if case.status == CaseStatus.NOT_INCLUDED:
        raise RuleViolation(ASSIGN_CASE_NOT_INCLUDED, code="not_included")


def case_assign_check(case: Case) -> None:
    """Raise the RuleViolation that refuses the first assignment on ``case`` as it stands:
    a closed case, one that has its directors already, or one whose latest weighing does
    not find both criteria (docs/rules.md R-CASE-1, R-CASE-9)."""
    assignment_change_check(case)
    if case.regisseur_id is not None:
        raise RuleViolation(CASE_ALREADY_ASSIGNED, code="already_assigned")
    inclusion = case_inclusion_check(case)
    if not inclusion.included:
        raise RuleViolation(
            ASSIGN_NEEDS_INCLUSION,
            code="not_included_yet",
            params={"explanation": inclusion.explanation},
        )


def _fits_region(regisseur: Regisseur, case: Case) -> bool:
    restriction = regisseur.region_restriction_id
    return restriction is None or restriction == case.region_id


def _check_may_work_on(*, case: Case, regisseur: Regisseur, on: datetime.date) -> None:
    """Active in the pool on ``on`` and not kept to another region."""
    if not regisseur.is_active_on(on):
        raise RuleViolation(
            REGISSEUR_NOT_ACTIVE,
            code="regisseur_not_active",
            params={"regisseur": str(regisseur), "on": _day(on)},
        )
    if not _fits_region(regisseur, case):
        raise RuleViolation(
            REGION_RESTRICTED,
            code="region_restricted",
            params={"regisseur": str(regisseur), "region": str(regisseur.region_restriction)},
        )


def _check_date(*, case: Case, roles: Iterable[str], on: datetime.date) -> None:
    """``on`` is not before the registration nor before a current assignment it ends."""
    starts = Assignment.objects.filter(
        case=case, role__in=list(roles), ended_on__isnull=True
    ).values_list("started_on", flat=True)
    earliest = max([case.registered_on, *starts])
    if on < earliest:
        raise ValidationError(
            ASSIGNMENT_DATE_TOO_EARLY, code="date_too_early", params={"since": _day(earliest)}
        )


def _capacity_warnings(regisseur: Regisseur) -> list[str]:
    count = Case.objects.open().filter(regisseur=regisseur).count()
    if count <= regisseur.capacity:
        return []
    return [
        CAPACITY_WARNING
        % {"regisseur": str(regisseur), "count": count, "capacity": regisseur.capacity}
    ]


def _start(
    *,
    case: Case,
    regisseur: Regisseur,
    role: Assignment.Role,
    on: datetime.date,
    reason: str,
    by: User,
) -> None:
    Assignment.objects.create(
        case=case, regisseur=regisseur, role=role, started_on=on, reason=reason, by=by
    )


def _end(*, case: Case, roles: Iterable[str], on: datetime.date) -> None:
    Assignment.objects.filter(case=case, role__in=list(roles), ended_on__isnull=True).update(
        ended_on=on
    )


def end_current_assignments(*, case: Case, on: datetime.date) -> None:
    """End the regisseur's and the buddy's current rows on ``on`` (at exit).

    For use inside a service that holds the case's row lock.
    """
    roles = Assignment.Role.values
    _check_date(case=case, roles=roles, on=on)
    _end(case=case, roles=roles, on=on)


def _save_directors(case: Case, *, on: datetime.date) -> None:
    case.save(update_fields=["regisseur", "regisseur_since", "buddy", "updated_at"])
    bump_revision(case)
    case_access_sync(case=case, on=on)


@transaction.atomic
def case_assign(
    *,
    case: Case,
    regisseur: Regisseur,
    buddy: Regisseur,
    on: datetime.date,
    reason: str,
    by: User,
    expected_revision: int | None = None,
) -> AssignmentResult:
    """The first assignment of a registered case: its regisseur and its buddy."""
    reason = _clean_reason(reason)
    if regisseur.pk == buddy.pk:
        raise RuleViolation(BUDDY_MUST_DIFFER, code="buddy_is_regisseur")

    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        case_assign_check(case)
        _check_may_work_on(case=case, regisseur=regisseur, on=on)
        _check_may_work_on(case=case, regisseur=buddy, on=on)
        _check_date(case=case, roles=Assignment.Role.values, on=on)

        _start(
            case=case,
            regisseur=regisseur,
            role=Assignment.Role.REGISSEUR,
            on=on,
            reason=reason,
            by=by,
        )
        _start(case=case, regisseur=buddy, role=Assignment.Role.BUDDY, on=on, reason=reason, by=by)
        case.regisseur = regisseur
        case.regisseur_since = on
        case.buddy = buddy
        _save_directors(case, on=on)
    return AssignmentResult(case=case, warnings=_capacity_warnings(regisseur))


def _hand_over_locked(
    *,
    case: Case,
    to_regisseur: Regisseur,
    new_buddy: Regisseur | None,
    reason: str,
    on: datetime.date,
    by: User,
) -> AssignmentResult:
    assignment_change_check(case)
    if case.regisseur_id is None:
        raise RuleViolation(CASE_NOT_ASSIGNED, code="not_assigned")
    if to_regisseur.pk == case.regisseur_id:
        raise RuleViolation(
            HAND_OVER_TO_SAME, code="same_regisseur", params={"regisseur": str(to_regisseur)}
        )
    if new_buddy is not None and new_buddy.pk == case.buddy_id:
        new_buddy = None  # naming the present buddy again changes nothing
    if new_buddy is None and to_regisseur.pk == case.buddy_id:
        raise RuleViolation(
            HAND_OVER_TO_BUDDY_NEEDS_NEW_BUDDY,
            code="buddy_needs_successor",
            params={"regisseur": str(to_regisseur)},
        )
    if new_buddy is not None and new_buddy.pk == to_regisseur.pk:
        raise RuleViolation(BUDDY_MUST_DIFFER, code="buddy_is_regisseur")
    _check_may_work_on(case=case, regisseur=to_regisseur, on=on)
    roles = [Assignment.Role.REGISSEUR]
    if new_buddy is not None:
        _check_may_work_on(case=case, regisseur=new_buddy, on=on)
        roles.append(Assignment.Role.BUDDY)
    _check_date(case=case, roles=roles, on=on)

    _end(case=case, roles=roles, on=on)
    _start(
        case=case,
        regisseur=to_regisseur,
        role=Assignment.Role.REGISSEUR,
        on=on,
        reason=reason,
        by=by,
    )
    if new_buddy is not None:
        _start(
            case=case, regisseur=new_buddy, role=Assignment.Role.BUDDY, on=on, reason=reason, by=by
        )
        case.buddy = new_buddy
    case.regisseur = to_regisseur
    case.regisseur_since = on
    _save_directors(case, on=on)
    return AssignmentResult(case=case, warnings=_capacity_warnings(to_regisseur))


@transaction.atomic
def case_hand_over(
    *,
    case: Case,
    to_regisseur: Regisseur,
    reason: str,
    on: datetime.date,
    by: User,
    new_buddy: Regisseur | None = None,
    expected_revision: int | None = None,
) -> AssignmentResult:
    """Hand the case over to another regisseur from ``on``; optionally with a new buddy
    (required when ``to_regisseur`` is the present buddy)."""
    reason = _clean_reason(reason)
    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        return _hand_over_locked(
            case=case, to_regisseur=to_regisseur, new_buddy=new_buddy, reason=reason, on=on, by=by
        )


def _change_buddy_locked(
    *, case: Case, to_buddy: Regisseur, reason: str, on: datetime.date, by: User
) -> AssignmentResult:
    assignment_change_check(case)
    if case.regisseur_id is None:
        raise RuleViolation(CASE_NOT_ASSIGNED, code="not_assigned")
    if to_buddy.pk == case.regisseur_id:
        raise RuleViolation(BUDDY_MUST_DIFFER, code="buddy_is_regisseur")
    if to_buddy.pk == case.buddy_id:
        raise RuleViolation(BUDDY_UNCHANGED, code="same_buddy", params={"regisseur": str(to_buddy)})
    _check_may_work_on(case=case, regisseur=to_buddy, on=on)
    _check_date(case=case, roles=[Assignment.Role.BUDDY], on=on)

    _end(case=case, roles=[Assignment.Role.BUDDY], on=on)
    _start(case=case, regisseur=to_buddy, role=Assignment.Role.BUDDY, on=on, reason=reason, by=by)
    case.buddy = to_buddy
    _save_directors(case, on=on)
    # Buddy cases do not count toward the maximum caseload: nothing to warn about.
    return AssignmentResult(case=case)


@transaction.atomic
def case_change_buddy(
    *,
    case: Case,
    to_buddy: Regisseur,
    reason: str,
    on: datetime.date,
    by: User,
    expected_revision: int | None = None,
) -> AssignmentResult:
    """Give the case another buddy from ``on``."""
    reason = _clean_reason(reason)
    with history_context(user=by.pk):
        case = lock_for_update(case, expected_revision=expected_revision)
        return _change_buddy_locked(case=case, to_buddy=to_buddy, reason=reason, on=on, by=by)


# --- a regisseur leaves the pool ---------------------------------------------------


def suggest_distribution(*, leaving: Regisseur, on: datetime.date) -> list[Suggestion]:
    """Propose a receiver for every open case of ``leaving``: first the cases where
    he/she is regisseur, then those where he/she is buddy (ordered by case number).

    Receivers are pool members active on ``on`` who stay after it, who are not
    absent on it and who fit the case's region. For a case the leaver directs, the
    case's buddy takes over when he or she is such a member (R-POOL-5), with a new
    buddy proposed beside; otherwise the one with the most free places wins,
    counting the cases already suggested in this run. For a buddy role (and a new
    buddy) every suggested buddy case counts as one place too, so buddy work is
    spread as well (ties: fewer buddy cases, then the oldest member record).
    """
    open_cases = Case.objects.open().order_by("number")
    open_as_regisseur = Q(cases_as_regisseur__status__in=OPEN_STATUSES)
    open_as_buddy = Q(cases_as_buddy__status__in=OPEN_STATUSES)
    candidates = list(
        Regisseur.objects.active_on(on)
        .filter(Q(active_until__isnull=True) | Q(active_until__gt=on))
        .exclude(pk=leaving.pk)
        .exclude(
            Exists(
                Absence.objects.filter(regisseur=OuterRef("pk"), starts_on__lte=on, ends_on__gte=on)
            )
        )
        .select_related("user")
        .annotate(
            regie_count=Count("cases_as_regisseur", filter=open_as_regisseur, distinct=True),
            buddy_count=Count("cases_as_buddy", filter=open_as_buddy, distinct=True),
        )
        .order_by("pk")
    )
    free = {r.pk: r.capacity - r.regie_count for r in candidates}  # type: ignore[attr-defined]
    buddy_cases = {r.pk: r.buddy_count for r in candidates}  # type: ignore[attr-defined]

    buddy_room = dict(free)

    def best_buddy(eligible: list[Regisseur]) -> Regisseur | None:
        chosen = min(
            eligible, key=lambda r: (-buddy_room[r.pk], buddy_cases[r.pk], r.pk), default=None
        )
        if chosen is not None:
            buddy_room[chosen.pk] -= 1
            buddy_cases[chosen.pk] += 1
        return chosen

    suggestions: list[Suggestion] = []
    for case in open_cases.filter(regisseur=leaving):
        eligible = [r for r in candidates if _fits_region(r, case)]
        buddy = next((r for r in eligible if r.pk == case.buddy_id), None)
        new_buddy = None
        if buddy is not None:
            receiver: Regisseur | None = buddy
            buddy_room[buddy.pk] += 1  # no longer buddy of this case
            buddy_cases[buddy.pk] -= 1
            new_buddy = best_buddy([r for r in eligible if r.pk != buddy.pk])
        else:
            others = [r for r in eligible if r.pk != case.buddy_id]
            receiver = min(others, key=lambda r: (-free[r.pk], r.pk), default=None)
        if receiver is not None:
            free[receiver.pk] -= 1
            buddy_room[receiver.pk] -= 1
        suggestions.append(
            Suggestion(
                case=case,
                role=Assignment.Role.REGISSEUR,
                receiver=receiver,
                free_places=free[receiver.pk] if receiver else None,
                new_buddy=new_buddy,
            )
        )

    for case in open_cases.filter(buddy=leaving):
        eligible = [r for r in candidates if _fits_region(r, case) and r.pk != case.regisseur_id]
        receiver = best_buddy(eligible)
        suggestions.append(
            Suggestion(
                case=case,
                role=Assignment.Role.BUDDY,
                receiver=receiver,
                free_places=free[receiver.pk] if receiver else None,
            )
        )
    return suggestions


def _check_distribution(
    distribution: Mapping[int, int],
    cases: Mapping[int, Case],
    *,
    leaving: Regisseur,
    role: Assignment.Role,
) -> None:
    """Exactly the leaver's open cases in this role, each with a receiver."""
    foreign = sorted(set(distribution) - set(cases))
    if foreign:
        raise ValidationError(
            DISTRIBUTION_FOREIGN_CASES,
            code="foreign_cases",
            params={
                "regisseur": str(leaving),
                "role": role.label,
                "cases": ", ".join(str(pk) for pk in foreign),
            },
        )
    missing = sorted(cases[pk].number for pk in set(cases) - set(distribution))
    if missing:
        raise ValidationError(
            DISTRIBUTION_INCOMPLETE,
            code="distribution_incomplete",
            params={"role": role.label, "cases": ", ".join(missing)},
        )


@transaction.atomic
def pool_leave_with_hand_over(
    *,
    leaving: Regisseur,
    on: datetime.date,
    distribution: Mapping[int, int],
    buddy_distribution: Mapping[int, int],
    reason: str,
    by: User,
    new_buddies: Mapping[int, int] | None = None,
) -> list[AssignmentResult]:
    """Apply a confirmed distribution ({case id: receiving regisseur id}) of every open
    case of ``leaving`` (as regisseur and as buddy), and end the membership on ``on``.
    ``new_buddies`` ({case id: regisseur id}) names the new buddy of a case whose buddy
    takes over as regisseur (required then, as in a single hand-over).

    All or nothing: one refused hand-over rolls the whole departure back.
    """
    reason = _clean_reason(reason)
    with history_context(user=by.pk):
        leaving = Regisseur.objects.select_for_update().select_related("user").get(pk=leaving.pk)
        if not leaving.is_active_on(on):
            raise RuleViolation(
                LEAVER_NOT_ACTIVE,
                code="leaver_not_active",
                params={"regisseur": str(leaving), "on": _day(on)},
            )
        # Lock every open case of the leaver at once, in primary-key order (no deadlocks).
        locked = list(
            Case.objects.open()
            .select_for_update()
            .filter(Q(regisseur=leaving) | Q(buddy=leaving))
            .order_by("pk")
        )
        as_regisseur = {case.pk: case for case in locked if case.regisseur_id == leaving.pk}
        as_buddy = {case.pk: case for case in locked if case.buddy_id == leaving.pk}
        _check_distribution(
            distribution, as_regisseur, leaving=leaving, role=Assignment.Role.REGISSEUR
        )
        _check_distribution(
            buddy_distribution, as_buddy, leaving=leaving, role=Assignment.Role.BUDDY
        )
        new_buddies = dict(new_buddies or {})
        foreign = sorted(set(new_buddies) - set(as_regisseur))
        if foreign:
            raise ValidationError(
                DISTRIBUTION_FOREIGN_CASES,
                code="foreign_cases",
                params={
                    "regisseur": str(leaving),
                    "role": Assignment.Role.BUDDY.label,
                    "cases": ", ".join(str(pk) for pk in foreign),
                },
            )
        receiver_ids = (
            set(distribution.values())
            | set(buddy_distribution.values())
            | set(new_buddies.values())
        )
        receivers = Regisseur.objects.select_related("user").in_bulk(receiver_ids)
        unknown = sorted(receiver_ids - set(receivers))
        if unknown:
            raise ValidationError(
                DISTRIBUTION_UNKNOWN_REGISSEUR,
                code="unknown_regisseur",
                params={"ids": ", ".join(str(pk) for pk in unknown)},
            )

        results = [
            _hand_over_locked(
                case=as_regisseur[case_id],
                to_regisseur=receivers[receiver_id],
                new_buddy=receivers[new_buddies[case_id]] if case_id in new_buddies else None,
                reason=reason,
                on=on,
                by=by,
            )
            for case_id, receiver_id in sorted(distribution.items())
        ]
        results += [
            _change_buddy_locked(
                case=as_buddy[case_id], to_buddy=receivers[receiver_id], reason=reason, on=on, by=by
            )
            for case_id, receiver_id in sorted(buddy_distribution.items())
        ]
        # The membership ends after the hand-overs: the leaver is active up to and
        # including ``on``, the day the receivers start.
        regisseur_end_membership(regisseur=leaving, on=on, by=by)
    return results
