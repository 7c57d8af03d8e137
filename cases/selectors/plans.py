"""Reads of the plan of approach: which version holds, and what changed between two.

Versions are compared intervention by intervention through ``lineage``: a new
version carries each intervention over with the same lineage, so an
intervention whose terms were rewritten is "changed", not "dropped and added".
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case as DbCase
from django.db.models import Prefetch, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from ..models import Case, Intervention, ItatAdvice, Pillar, PlanStatus, PlanVersion

PLANS_OF_DIFFERENT_CASES = _(
    "Alleen versies van het plan van aanpak van dezelfde casus zijn te vergelijken."
)

# The text of a plan version, in the order the plan presents it (R-CASE-6).
PLAN_TEXT_FIELDS = ("concerns", "goals", "course", "joint_task", "focus", "explanation")
# What was agreed about an intervention, then how it went.
INTERVENTION_FIELDS = (
    "description",
    "pillar",
    "responsible_organisation",
    "deadline",
    "status",
    "result",
)


@dataclass(frozen=True)
class FieldChange:
    """One field in two versions: its old and new value."""

    name: str
    label: str
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class InterventionChange:
    """The same intervention (one lineage) in the older and the newer version."""

    lineage: uuid.UUID
    old: Intervention
    new: Intervention
    changes: tuple[FieldChange, ...]  # only the fields that differ


@dataclass(frozen=True)
class PlanComparison:
    older: PlanVersion
    newer: PlanVersion
    fields: tuple[FieldChange, ...]  # every text field, changed or not
    added: tuple[Intervention, ...]  # in the newer version only
    dropped: tuple[Intervention, ...]  # in the older version only
    changed: tuple[InterventionChange, ...]
    unchanged: tuple[Intervention, ...]  # as they stand in the newer version

    @property
    def changed_fields(self) -> tuple[FieldChange, ...]:
        return tuple(f for f in self.fields if f.changed)

    @property
    def has_changes(self) -> bool:
        return bool(self.changed_fields or self.added or self.dropped or self.changed)


def _label(model: type[PlanVersion] | type[Intervention], name: str) -> str:
    field = cast(models.Field, model._meta.get_field(name))  # a concrete field by name
    return str(field.verbose_name)


def _shown(intervention: Intervention, name: str) -> Any:
    # A pillar reads as its name (Straf, not straf); none for one written before.
    if name == "pillar":
        return intervention.get_pillar_display() if intervention.pillar else None
    return getattr(intervention, name)


def _intervention_changes(old: Intervention, new: Intervention) -> tuple[FieldChange, ...]:
    changes = []
    for name in INTERVENTION_FIELDS:
        # Compare organisations by key: the objects are separate instances.
        differs = (
            old.responsible_organisation_id != new.responsible_organisation_id
            if name == "responsible_organisation"
            else getattr(old, name) != getattr(new, name)
        )
        if differs:
            changes.append(
                FieldChange(
                    name=name,
                    label=_label(Intervention, name),
                    old=_shown(old, name),
                    new=_shown(new, name),
                )
            )
    return tuple(changes)


def plan_versions_compare(*, older: PlanVersion, newer: PlanVersion) -> PlanComparison:
    """What changed from ``older`` to ``newer`` (two versions of one case, in either
    order: the lower version number is taken as the older). One query: both
    versions' interventions with their organisations."""
    if older.case_id != newer.case_id:
        raise ValidationError(PLANS_OF_DIFFERENT_CASES, code="different_cases")
    if older.number > newer.number:
        older, newer = newer, older

    fields = tuple(
        FieldChange(
            name=name,
            label=_label(PlanVersion, name),
            old=getattr(older, name),
            new=getattr(newer, name),
        )
        for name in PLAN_TEXT_FIELDS
    )

    interventions = Intervention.objects.filter(
        plan_version_id__in={older.pk, newer.pk}
    ).select_related("responsible_organisation")
    before: dict[uuid.UUID, Intervention] = {}
    after: dict[uuid.UUID, Intervention] = {}
    for intervention in interventions:
        # Comparing a version with itself puts every intervention on both sides.
        if intervention.plan_version_id == older.pk:
            before[intervention.lineage] = intervention
        if intervention.plan_version_id == newer.pk:
            after[intervention.lineage] = intervention

    changed: list[InterventionChange] = []
    unchanged: list[Intervention] = []
    for lineage, new in after.items():
        old = before.get(lineage)
        if old is None:
            continue
        changes = _intervention_changes(old, new)
        if changes:
            changed.append(InterventionChange(lineage=lineage, old=old, new=new, changes=changes))
        else:
            unchanged.append(new)

    return PlanComparison(
        older=older,
        newer=newer,
        fields=fields,
        added=tuple(i for lineage, i in after.items() if lineage not in before),
        dropped=tuple(i for lineage, i in before.items() if lineage not in after),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
    )


def plan_versions_of(case: Case) -> QuerySet[PlanVersion]:
    """Every version of the case's plan, oldest first."""
    return PlanVersion.objects.filter(case=case).order_by("number")


def plan_versions_outline(case: Case) -> list[PlanVersion]:
    """Every version of the case's plan, oldest first, with only its number and status:
    enough to tell the version still being written (``live_plan_versions``) and the
    latest, in one query without the plan texts."""
    return list(plan_versions_of(case).only("pk", "case_id", "number", "status"))


def latest_plan_version(case: Case) -> PlanVersion | None:
    """The highest-numbered version, whatever its status."""
    return PlanVersion.objects.filter(case=case).order_by("-number").first()


def open_plan_version(case: Case) -> PlanVersion | None:
    """The version still being written (concept or awaiting adoption): at most one."""
    return PlanVersion.objects.filter(case=case).exclude(status=PlanStatus.ADOPTED).first()


def current_plan(case: Case) -> PlanVersion | None:
    """The plan that holds now: the latest adopted version."""
    return PlanVersion.objects.adopted().filter(case=case).order_by("-number").first()


def live_plan_versions(
    versions: Iterable[PlanVersion],
) -> tuple[PlanVersion | None, PlanVersion | None]:
    """Of one case's plan versions: the plan that holds (the latest adopted version)
    and the version still being written. Their interventions take progress
    (``intervention_record_progress``); the case page reads them from its prefetch."""
    versions = list(versions)
    current = max(
        (v for v in versions if v.status == PlanStatus.ADOPTED),
        key=lambda v: v.number,
        default=None,
    )
    return current, next((v for v in versions if v.status != PlanStatus.ADOPTED), None)


def plan_in_force_on(case: Case, day: datetime.date) -> PlanVersion | None:
    """The plan that held on ``day``: the latest version adopted on or before it."""
    return (
        PlanVersion.objects.adopted()
        .filter(case=case, adopted_on__lte=day)
        .order_by("-number")
        .first()
    )


def plan_version_of(case: Case, version_id: int) -> PlanVersion | None:
    """One version of this case's plan (None for a version of another case), with its
    interventions and ITAT-R's advice on the plan. ITAT-R's advice on an exit
    proposal is pinned to a plan version too, but it is exit reasoning: it shows
    with the exit procedure, to who may see that (cases/sections.py)."""
    return (
        PlanVersion.objects.filter(case=case, pk=version_id)
        .select_related("case", "created_by", "adopted_by")
        .prefetch_related(
            Prefetch("interventions", queryset=interventions_by_pillar()),
            Prefetch("itat_advices", queryset=plan_advices()),
        )
        .first()
    )


# Straf, Zorg, Brusjes as the programme names them (docs/rules.md R-MON-2), then the
# interventions written before a pillar was asked.
_PILLAR_RANK = DbCase(
    *(When(pillar=pillar, then=Value(rank)) for rank, pillar in enumerate(Pillar)),
    default=Value(len(Pillar)),
)


def interventions_by_pillar() -> QuerySet[Intervention]:
    """A plan's interventions grouped by pillar, by term within a pillar: the order in
    which the plan page and the plan's PDF list them."""
    return Intervention.objects.select_related("responsible_organisation").order_by(
        _PILLAR_RANK, "deadline", "id"
    )


def plan_advices() -> QuerySet[ItatAdvice]:
    """ITAT-R's advice on plan versions, not on exit proposals (which name a version as well)."""
    return ItatAdvice.objects.filter(subject=ItatAdvice.Subject.PLAN)
