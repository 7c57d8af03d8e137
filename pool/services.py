"""Write services of the pool: membership, absences, caseload reviews, three-way
talks and team activities (docs/rules.md R-POOL).

Every write goes through here, so the rules hold for the UI, the API and the
admin alike. Bad input raises ``ValidationError``, a rule of the approach that
forbids the change raises ``RuleViolation``; both carry a Dutch message from the
constants below, keyed by form field where there is one. The ``*_validate``
functions run the same checks without writing, for forms that want to show the
errors before saving.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.services_roles import PoolRoleOutcome, pool_member_role_request
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import lock_for_update

from .models import (
    Absence,
    Attendance,
    CaseloadReview,
    PoolDecision,
    PoolRule,
    Region,
    Regisseur,
    TeamActivity,
    ThreeWayTalk,
)
from .permissions import may_record_caseload_review, may_record_three_way_talk
from .selectors import regisseur_caseload, regisseur_open_case_count
from .signals import absence_changed

# Membership.
FTE_NOT_POSITIVE = _("Het aantal fte moet groter zijn dan 0.")
FTE_ABOVE_ONE = _("Het aantal fte kan niet hoger zijn dan 1,0.")
FTE_TOO_PRECISE = _("Geef het aantal fte op in ten hoogste twee decimalen.")
FTE_BELOW_PARTNER_MINIMUM = _(
    "Een regisseur van een andere kernpartner dan OOV werkt minimaal 0,5 fte als regisseur."
)
USER_ALREADY_REGISSEUR = _("Deze gebruiker is al regisseur in de pool.")
ACTIVE_PERIOD_REVERSED = _("De datum 'actief tot en met' ligt vóór de datum 'actief vanaf'.")
MANAGER_OTHER_ORGANISATION = _(
    "De leidinggevende moet werken bij de moederorganisatie van de regisseur."
)
MEMBERSHIP_ALREADY_ENDED = _("Het lidmaatschap van deze regisseur is al eerder beëindigd.")
MEMBERSHIP_HAS_OPEN_CASES = _(
    "Deze regisseur heeft nog open casussen als regisseur of buddy. Draag die eerst over; "
    "de overdracht beëindigt daarna het lidmaatschap."
)

# Absences.
ABSENCE_PERIOD_REVERSED = _("De einddatum van de afwezigheid ligt vóór de begindatum.")
ABSENCE_OVERLAPS = _("Deze regisseur is in (een deel van) deze periode al afwezig.")
REGISSEUR_STANDS_IN = _(
    "Deze regisseur vervangt in (een deel van) deze periode een collega. "
    "Regel eerst een andere vervanger."
)
STAND_IN_IS_REGISSEUR = _("Een regisseur kan niet zijn eigen vervanger zijn.")
STAND_IN_NOT_ACTIVE = _("De vervanger is niet de hele periode lid van de pool.")
STAND_IN_ABSENT = _("De vervanger is in (een deel van) deze periode zelf afwezig.")
END_EARLY_OUTSIDE_ABSENCE = _(
    "De nieuwe einddatum moet binnen de afwezigheid liggen: niet vóór de begindatum "
    "en niet na de huidige einddatum."
)

# Caseload reviews and three-way talks.
HELD_BY_NOT_PROGRAMME_TEAM = _(
    "Een caseloadbespreking of driegesprek wordt gevoerd door iemand van het programmateam (OOV)."
)
REGISSEUR_NOT_ACTIVE = _("De regisseur was op deze datum geen lid van de pool.")
MANAGER_NOT_OF_REGISSEUR = _(
    "De leidinggevende moet de leidinggevende van de regisseur zijn, of werken bij diens "
    "moederorganisatie."
)

# Team activities.
SERIES_INCOMPLETE = _(
    "Een intervisie hoort bij een reeks: geef de naam van de reeks, het nummer en het "
    "aantal bijeenkomsten op."
)
SERIES_NUMBER_OUT_OF_RANGE = _(
    "Het nummer in de reeks moet tussen 1 en het aantal bijeenkomsten van de reeks liggen."
)
SERIES_NUMBER_TAKEN = _("Dit nummer is in deze reeks al gebruikt.")
SERIES_SIZE_DIFFERS = _("Deze reeks heeft al een ander aantal bijeenkomsten.")
KIND_UNKNOWN = _("Onbekende soort teamactiviteit.")
ATTENDEE_NOT_ACTIVE = _("Alleen regisseurs die op de datum lid van de pool zijn, kunnen deelnemen.")

# The moederorganisatie that runs the pool: its regisseurs have no FTE minimum.
OOV_CODE = "oov"
FTE_STEP = Decimal("0.01")  # the model stores two decimals


class _Unchanged(enum.Enum):
    UNCHANGED = enum.auto()


# Default of the update services' arguments: leave this field as it is.
UNCHANGED = _Unchanged.UNCHANGED
Unchanged = Literal[_Unchanged.UNCHANGED]


def _apply_changes(instance: Any, changes: dict[str, Any]) -> None:
    """Set the fields whose new value was given (UNCHANGED leaves a field as it is)."""
    for field, value in changes.items():
        if value is not UNCHANGED:
            setattr(instance, field, value)


# --- membership ---------------------------------------------------------------------


def regisseur_validate(
    *,
    user: User,
    organisation: Organisation,
    fte: Decimal,
    manager: User | None,
    active_from: datetime.date,
    active_until: datetime.date | None,
    regisseur: Regisseur | None = None,
) -> None:
    """Raise the first error in a regisseur's data; ``regisseur`` is the one being edited."""
    fte = Decimal(fte)
    if fte <= 0:
        raise ValidationError({"fte": FTE_NOT_POSITIVE})
    if fte > 1:
        raise ValidationError({"fte": FTE_ABOVE_ONE})
    if fte != fte.quantize(FTE_STEP):
        raise ValidationError({"fte": FTE_TOO_PRECISE})
    if active_until is not None and active_until < active_from:
        raise ValidationError({"active_until": ACTIVE_PERIOD_REVERSED})
    if (
        organisation.kind == Organisation.Kind.KERNPARTNER
        and organisation.code != OOV_CODE
        # R-POOL-2: non-OOV regisseurs keep working for their moederorganisatie too.
        and fte < settings.IPGAR_PARTNER_MINIMUM_FTE
    ):
        raise RuleViolation({"fte": FTE_BELOW_PARTNER_MINIMUM})
    if manager is not None and manager.organisation_id != organisation.pk:
        raise RuleViolation({"manager": MANAGER_OTHER_ORGANISATION})
    others = Regisseur.objects.filter(user=user)
    if regisseur is not None:
        others = others.exclude(pk=regisseur.pk)
    if others.exists():
        raise RuleViolation({"user": USER_ALREADY_REGISSEUR})


@transaction.atomic
def regisseur_create(
    *,
    user: User,
    organisation: Organisation,
    fte: Decimal,
    active_from: datetime.date,
    active_until: datetime.date | None = None,
    region_restriction: Region | None = None,
    remark: str = "",
    manager: User | None = None,
    by: User,
) -> Regisseur:
    """Add a regisseur to the pool; his capacity follows from his FTE."""
    regisseur_validate(
        user=user,
        organisation=organisation,
        fte=fte,
        manager=manager,
        active_from=active_from,
        active_until=active_until,
    )
    with history_context(user=by.pk):
        return Regisseur.objects.create(
            user=user,
            organisation=organisation,
            fte=fte,
            active_from=active_from,
            active_until=active_until,
            region_restriction=region_restriction,
            remark=remark,
            manager=manager,
        )


@dataclasses.dataclass(frozen=True)
class RegisseurAdded:
    regisseur: Regisseur
    role: PoolRoleOutcome


@transaction.atomic
def regisseur_add_with_role(
    *,
    user: User,
    organisation: Organisation,
    fte: Decimal,
    active_from: datetime.date,
    active_until: datetime.date | None = None,
    region_restriction: Region | None = None,
    remark: str = "",
    manager: User | None = None,
    by: User,
) -> RegisseurAdded:
    """Add a regisseur to the pool and, in the same step, give him or her the regisseur
    role through the role-grant rules (accounts/services_roles.py): all or nothing."""
    regisseur = regisseur_create(
        user=user,
        organisation=organisation,
        fte=fte,
        active_from=active_from,
        active_until=active_until,
        region_restriction=region_restriction,
        remark=remark,
        manager=manager,
        by=by,
    )
    return RegisseurAdded(regisseur=regisseur, role=pool_member_role_request(user=user, by=by))


@transaction.atomic
def regisseur_update(
    *,
    regisseur: Regisseur,
    organisation: Organisation | Unchanged = UNCHANGED,
    fte: Decimal | Unchanged = UNCHANGED,
    active_from: datetime.date | Unchanged = UNCHANGED,
    active_until: datetime.date | Unchanged | None = UNCHANGED,
    region_restriction: Region | Unchanged | None = UNCHANGED,
    remark: str | Unchanged = UNCHANGED,
    manager: User | Unchanged | None = UNCHANGED,
    by: User,
    expected_revision: int | None = None,
) -> Regisseur:
    """Change a regisseur's membership data; arguments left out keep their value.

    ``expected_revision`` is the revision the editor loaded: when the row changed
    since, the write is refused (optimistic locking, no silent overwrite).
    """
    locked = lock_for_update(regisseur, expected_revision=expected_revision)
    changes: dict[str, Any] = {
        "organisation": organisation,
        "fte": fte,
        "active_from": active_from,
        "active_until": active_until,
        "region_restriction": region_restriction,
        "remark": remark,
        "manager": manager,
    }
    _apply_changes(locked, changes)
    regisseur_validate(
        user=locked.user,
        organisation=locked.organisation,
        fte=locked.fte,
        manager=locked.manager,
        active_from=locked.active_from,
        active_until=locked.active_until,
        regisseur=locked,
    )
    # The row is locked: raising the revision in memory saves it in the same UPDATE.
    locked.revision += 1
    with history_context(user=by.pk):
        locked.save()
    return locked


@transaction.atomic
def regisseur_end_membership(*, regisseur: Regisseur, on: datetime.date, by: User) -> Regisseur:
    """End the membership: ``on`` is his last day in the pool.

    Handing his cases over to others is the cases app's work, done before this.
    """
    locked = lock_for_update(regisseur, expected_revision=None)
    if on < locked.active_from:
        raise ValidationError({"active_until": ACTIVE_PERIOD_REVERSED})
    if locked.active_until is not None and locked.active_until < on:
        raise RuleViolation(MEMBERSHIP_ALREADY_ENDED)
    if regisseur_open_case_count(regisseur=locked):
        raise RuleViolation(MEMBERSHIP_HAS_OPEN_CASES, code="has_open_cases")
    locked.active_until = on
    locked.revision += 1
    with history_context(user=by.pk):
        locked.save(update_fields=["active_until", "revision", "updated_at"])
    return locked


# --- absences -----------------------------------------------------------------------


def _overlapping(starts_on: datetime.date, ends_on: datetime.date) -> Q:
    return Q(starts_on__lte=ends_on, ends_on__gte=starts_on)


def absence_validate(
    *,
    regisseur: Regisseur,
    starts_on: datetime.date,
    ends_on: datetime.date,
    stand_in: Regisseur | None,
    absence: Absence | None = None,
) -> None:
    """Raise the first error in an absence; ``absence`` is the one being edited."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": ABSENCE_PERIOD_REVERSED})
    others = Absence.objects.filter(_overlapping(starts_on, ends_on))
    if absence is not None:
        others = others.exclude(pk=absence.pk)
    if others.filter(regisseur=regisseur).exists():
        raise RuleViolation({"starts_on": ABSENCE_OVERLAPS})
    # Someone who stands in for a colleague cannot go away meanwhile: the
    # colleague's cases would be left without anyone.
    if others.filter(stand_in=regisseur).exists():
        raise RuleViolation({"starts_on": REGISSEUR_STANDS_IN})
    if stand_in is None:
        return
    if stand_in.pk == regisseur.pk:
        raise ValidationError({"stand_in": STAND_IN_IS_REGISSEUR})
    if not (stand_in.is_active_on(starts_on) and stand_in.is_active_on(ends_on)):
        raise RuleViolation({"stand_in": STAND_IN_NOT_ACTIVE})
    if others.filter(regisseur=stand_in).exists():
        raise RuleViolation({"stand_in": STAND_IN_ABSENT})


def _lock_regisseurs(*regisseurs: Regisseur | None) -> None:
    """Serialise absence writes that concern these regisseurs (in id order: no deadlock)."""
    ids = sorted({r.pk for r in regisseurs if r is not None})
    list(Regisseur.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def absence_create(
    *,
    regisseur: Regisseur,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str = "",
    stand_in: Regisseur | None = None,
    by: User,
) -> Absence:
    """Record an absence (leave, illness); the stand-in holds the cases meanwhile."""
    _lock_regisseurs(regisseur, stand_in)
    absence_validate(regisseur=regisseur, starts_on=starts_on, ends_on=ends_on, stand_in=stand_in)
    with history_context(user=by.pk):
        absence = Absence.objects.create(
            regisseur=regisseur,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            stand_in=stand_in,
            created_by=by,
        )
    absence_changed.send(sender=Absence, absence=absence)
    return absence


@transaction.atomic
def absence_update(
    *,
    absence: Absence,
    starts_on: datetime.date | Unchanged = UNCHANGED,
    ends_on: datetime.date | Unchanged = UNCHANGED,
    reason: str | Unchanged = UNCHANGED,
    stand_in: Regisseur | Unchanged | None = UNCHANGED,
    by: User,
    expected_revision: int | None = None,
) -> Absence:
    """Change an absence's period, reason or stand-in; arguments left out keep their value.

    ``expected_revision`` is the revision the editor loaded: when the absence
    changed since, the write is refused (optimistic locking).
    """
    new_stand_in = absence.stand_in if stand_in is UNCHANGED else stand_in
    _lock_regisseurs(absence.regisseur, absence.stand_in, new_stand_in)
    locked = lock_for_update(absence, expected_revision=expected_revision)
    changes: dict[str, Any] = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "reason": reason,
        "stand_in": stand_in,
    }
    _apply_changes(locked, changes)
    absence_validate(
        regisseur=locked.regisseur,
        starts_on=locked.starts_on,
        ends_on=locked.ends_on,
        stand_in=locked.stand_in,
        absence=locked,
    )
    locked.revision += 1  # locked: saved in the same UPDATE
    with history_context(user=by.pk):
        locked.save()
    absence_changed.send(sender=Absence, absence=locked)
    return locked


@transaction.atomic
def absence_end_early(
    *, absence: Absence, on: datetime.date, by: User, expected_revision: int | None = None
) -> Absence:
    """The regisseur is back: ``on`` becomes the absence's last day."""
    if not absence.starts_on <= on <= absence.ends_on:
        raise ValidationError({"ends_on": END_EARLY_OUTSIDE_ABSENCE})
    return absence_update(absence=absence, ends_on=on, by=by, expected_revision=expected_revision)


# --- caseload reviews and three-way talks -------------------------------------------


def caseload_review_validate(
    *, regisseur: Regisseur, held_on: datetime.date, held_by: User
) -> None:
    if not regisseur.is_active_on(held_on):
        raise RuleViolation({"regisseur": REGISSEUR_NOT_ACTIVE})
    if not may_record_caseload_review(held_by):
        raise RuleViolation({"held_by": HELD_BY_NOT_PROGRAMME_TEAM})


@transaction.atomic
def caseload_review_create(
    *,
    regisseur: Regisseur,
    held_on: datetime.date,
    held_by: User,
    progress: str = "",
    content: str = "",
    registration: str = "",
    requirements: str = "",
    assignments: str = "",
) -> CaseloadReview:
    """Record a caseload review (every 3 months) with a frozen snapshot of the caseload.

    The snapshot is the caseload as it stands when the review is recorded
    (reviews are recorded on the day or shortly after), pseudonymous only.
    """
    caseload_review_validate(regisseur=regisseur, held_on=held_on, held_by=held_by)
    snapshot = {"held_on": held_on.isoformat(), **regisseur_caseload(regisseur=regisseur)}
    with history_context(user=held_by.pk):
        return CaseloadReview.objects.create(
            regisseur=regisseur,
            held_on=held_on,
            held_by=held_by,
            progress=progress,
            content=content,
            registration=registration,
            requirements=requirements,
            assignments=assignments,
            caseload_snapshot=snapshot,
        )


def three_way_talk_validate(
    *, regisseur: Regisseur, held_on: datetime.date, held_by: User, manager: User
) -> None:
    if not regisseur.is_active_on(held_on):
        raise RuleViolation({"regisseur": REGISSEUR_NOT_ACTIVE})
    if not may_record_three_way_talk(held_by):
        raise RuleViolation({"held_by": HELD_BY_NOT_PROGRAMME_TEAM})
    if manager.pk != regisseur.manager_id and manager.organisation_id != regisseur.organisation_id:
        raise RuleViolation({"manager": MANAGER_NOT_OF_REGISSEUR})


@transaction.atomic
def three_way_talk_create(
    *,
    regisseur: Regisseur,
    held_on: datetime.date,
    held_by: User,
    manager: User,
    notes: str = "",
    agreements: str = "",
) -> ThreeWayTalk:
    """Record a three-way talk: regisseur, OOV and his manager (at least yearly)."""
    three_way_talk_validate(regisseur=regisseur, held_on=held_on, held_by=held_by, manager=manager)
    with history_context(user=held_by.pk):
        return ThreeWayTalk.objects.create(
            regisseur=regisseur,
            held_on=held_on,
            held_by=held_by,
            manager=manager,
            notes=notes,
            agreements=agreements,
        )


# --- team activities ----------------------------------------------------------------


def team_activity_validate(
    *,
    kind: str,
    series_name: str,
    series_number: int | None,
    series_size: int | None,
    activity: TeamActivity | None = None,
) -> None:
    """Intervision is numbered within its series; numbers are unique within a series."""
    if kind not in TeamActivity.Kind.values:
        raise ValidationError({"kind": KIND_UNKNOWN})
    if kind == TeamActivity.Kind.INTERVISION and not (
        series_name and series_number is not None and series_size is not None
    ):
        raise ValidationError({"series_number": SERIES_INCOMPLETE})
    if series_number is None:
        return
    if series_size is None or not 1 <= series_number <= series_size:
        raise ValidationError({"series_number": SERIES_NUMBER_OUT_OF_RANGE})
    same_series = TeamActivity.objects.filter(kind=kind, series_name=series_name)
    if activity is not None and activity.pk is not None:
        same_series = same_series.exclude(pk=activity.pk)
    if same_series.filter(series_number=series_number).exists():
        raise RuleViolation({"series_number": SERIES_NUMBER_TAKEN})
    if same_series.filter(series_size__isnull=False).exclude(series_size=series_size).exists():
        raise RuleViolation({"series_size": SERIES_SIZE_DIFFERS})


def attendance_validate(*, activity: TeamActivity, regisseur: Regisseur) -> None:
    if not regisseur.is_active_on(activity.held_on):
        raise RuleViolation({"regisseur": ATTENDEE_NOT_ACTIVE})


@transaction.atomic
def team_activity_create(
    *,
    kind: str,
    held_on: datetime.date,
    topic: str = "",
    series_name: str = "",
    series_number: int | None = None,
    series_size: int | None = None,
    notes: str = "",
    attendance: Mapping[Regisseur, bool] | None = None,
    by: User,
) -> TeamActivity:
    """Record a team meeting, intervision, training, kick-off or outing.

    ``attendance`` maps each regisseur on the list to whether he was present.
    """
    team_activity_validate(
        kind=kind, series_name=series_name, series_number=series_number, series_size=series_size
    )
    with history_context(user=by.pk):
        activity = TeamActivity.objects.create(
            kind=kind,
            held_on=held_on,
            topic=topic,
            series_name=series_name,
            series_number=series_number,
            series_size=series_size,
            notes=notes,
        )
    for regisseur, present in (attendance or {}).items():
        attendance_record(activity=activity, regisseur=regisseur, present=present, by=by)
    return activity


@transaction.atomic
def team_activity_update(
    *,
    activity: TeamActivity,
    kind: str | Unchanged = UNCHANGED,
    held_on: datetime.date | Unchanged = UNCHANGED,
    topic: str | Unchanged = UNCHANGED,
    series_name: str | Unchanged = UNCHANGED,
    series_number: int | Unchanged | None = UNCHANGED,
    series_size: int | Unchanged | None = UNCHANGED,
    notes: str | Unchanged = UNCHANGED,
    by: User,
) -> TeamActivity:
    """Change a team activity; arguments left out keep their value."""
    locked = TeamActivity.objects.select_for_update().get(pk=activity.pk)
    changes: dict[str, Any] = {
        "kind": kind,
        "held_on": held_on,
        "topic": topic,
        "series_name": series_name,
        "series_number": series_number,
        "series_size": series_size,
        "notes": notes,
    }
    _apply_changes(locked, changes)
    team_activity_validate(
        kind=locked.kind,
        series_name=locked.series_name,
        series_number=locked.series_number,
        series_size=locked.series_size,
        activity=locked,
    )
    with history_context(user=by.pk):
        locked.save()
    return locked


@transaction.atomic
def attendance_record(
    *, activity: TeamActivity, regisseur: Regisseur, present: bool, by: User
) -> Attendance:
    """Put a regisseur on the activity's list as present or absent (again: updates it)."""
    attendance_validate(activity=activity, regisseur=regisseur)
    with history_context(user=by.pk):
        attendance, _ = Attendance.objects.update_or_create(
            activity=activity, regisseur=regisseur, defaults={"present": present}
        )
    return attendance


# --- the decisions of the Directeurenoverleg (R-POOL-11) ---------------------------------

DECISION_IN_FUTURE = _("Een besluit kan niet in de toekomst genomen zijn.")
DECISION_TEXT_EMPTY = _("Geef de tekst van het besluit op.")
DECISION_SUBJECT_EMPTY = _("Geef het onderwerp van het besluit op.")
DECISION_RULE_UNKNOWN = _("Onbekende regel van de pool.")


@transaction.atomic
def pool_decision_record(
    *,
    decided_on: datetime.date,
    subject: str,
    text: str,
    rule: str = "",
    by: User,
    today: datetime.date | None = None,
) -> PoolDecision:
    """Add a decision of the Directeurenoverleg to the register. A decision on a rule
    becomes that rule's source from then on (the latest by date)."""
    subject, text = subject.strip(), text.strip()
    if not subject:
        raise ValidationError({"subject": DECISION_SUBJECT_EMPTY})
    if not text:
        raise ValidationError({"text": DECISION_TEXT_EMPTY})
    if rule and rule not in PoolRule.values:
        raise ValidationError({"rule": DECISION_RULE_UNKNOWN})
    if decided_on > (today or timezone.localdate()):
        raise ValidationError({"decided_on": DECISION_IN_FUTURE})
    return PoolDecision.objects.create(
        decided_on=decided_on, subject=subject, text=text, rule=rule, recorded_by=by
    )
