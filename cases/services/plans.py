"""The plan of approach (plan van aanpak): a versioned, living document (docs/rules.md
R-CASE-6, R-CASE-7).

A version is written as a concept, goes to ITAT-R for advice (advies) and is then
formally adopted (vastgesteld). An adopted version never changes (PostgreSQL
refuses it too), so a change of plan is a new version: ``plan_version_new_from``
copies the latest version with its interventions and keeps each intervention's
``lineage``, so versions compare intervention by intervention. A case has at
most one version in progress at a time.

Progress of an intervention (status, result) is not a change of plan: it is
recorded on the adopted version that holds, and on the version in progress.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import bump_revision, lock_for_update

from ..models import Case, Intervention, ItatAdvice, Pillar, PlanStatus, PlanVersion
from ..selectors.plans import (
    current_plan,
    latest_plan_version,
    live_plan_versions,
    open_plan_version,
)
from ..workflow import (
    PLAN_ADOPTED_IMMUTABLE,
    PLAN_NEEDS_ITAT_ADVICE,
    PLAN_VERSION,
    assert_transition,
)
from .revisions import touch_case

PLAN_CASE_EXITED = _("De casus is uitgestroomd: het plan van aanpak wordt niet meer gewijzigd.")
PLAN_OPEN_VERSION_EXISTS = _(
    "Er is al een versie van het plan van aanpak in bewerking. Werk die bij of stel die "
    "eerst vast voordat u een nieuwe versie begint."
)
PLAN_CASE_OR_BASE_REQUIRED = _("Geef de casus of de versie waarop de nieuwe versie voortbouwt.")
PLAN_BASE_OF_OTHER_CASE = _("De versie waarop u voortbouwt hoort bij een andere casus.")
PLAN_NOTHING_TO_BUILD_ON = _(
    "Deze casus heeft nog geen plan van aanpak om een nieuwe versie van te maken."
)
PLAN_FOCUS_REQUIRED = _(
    "Na iedere evaluatie en voor iedere fase wordt het plan aangevuld met een nieuwe focus "
    "en een toelichting: vul beide in."
)
PLAN_FIELDS_REQUIRED = _(
    "Vul de zorgen, de doelen, de koers en de gezamenlijke opgave in voordat het plan "
    "wordt vastgesteld."
)
PLAN_NO_INTERVENTIONS = _("Een plan van aanpak zonder interventies kan niet worden vastgesteld.")
PLAN_ADOPTED_BEFORE_ADVICE = _(
    "Het plan kan niet zijn vastgesteld vóór de datum van het ITAT-R-advies op deze versie."
)
PLAN_ADOPTED_BEFORE_PREVIOUS = _(
    "Deze versie kan niet eerder zijn vastgesteld dan de vorige vastgestelde versie."
)
PLAN_DATE_IN_FUTURE = _("Deze datum ligt in de toekomst: leg alleen vast wat al is gebeurd.")
ADVICE_RECOMMENDATION_INVALID = _(
    "Kies de strekking van het advies: positief, positief met aanpassingen of negatief."
)
ADVICE_TEXT_REQUIRED = _("Vul het advies van het ITAT-R in.")
INTERVENTION_DESCRIPTION_REQUIRED = _("Beschrijf de interventie.")
INTERVENTION_ORGANISATION_REQUIRED = _(
    "Kies de organisatie die verantwoordelijk is voor de interventie."
)
INTERVENTION_DEADLINE_REQUIRED = _("Geef de termijn (deadline) van de interventie.")
INTERVENTION_PILLAR_REQUIRED = _("Kies de pijler van de interventie: Straf, Zorg of Brusjes.")
INTERVENTION_STATUS_INVALID = _("Kies een geldige status van de interventie.")
INTERVENTION_RESULT_REQUIRED = _(
    "Vul het resultaat in: wat is bereikt, of waarom de interventie is gestopt."
)
INTERVENTION_VERSION_SUPERSEDED = _(
    "Deze versie van het plan is vervangen door een nieuwere. Leg de voortgang vast op de "
    "geldende versie."
)

REQUIRED_FOR_ADOPTION = ("concerns", "goals", "course", "joint_task")
# A finished or stopped intervention says what came of it: the case's memory.
STATUSES_NEEDING_RESULT = (Intervention.Status.DONE, Intervention.Status.STOPPED)


@dataclass(frozen=True)
class InterventionInput:
    description: str
    responsible_organisation: Organisation
    deadline: datetime.date
    pillar: str | None


def plan_write_check(case: Case) -> None:
    """Raise the RuleViolation that refuses writing the plan of ``case`` as it stands."""
    if not case.is_open:
        raise RuleViolation(PLAN_CASE_EXITED, code="case_exited")


def _lock_open_case(case: Case) -> Case:
    """Serialise writes on one case's plan, and refuse an exited case."""
    locked = lock_for_update(case, expected_revision=None)
    plan_write_check(locked)
    return locked


def _lock_open_version(version: PlanVersion, *, expected_revision: int | None) -> PlanVersion:
    """Lock the case, then the version (always in that order), refusing an adopted one."""
    _lock_open_case(version.case)
    locked = lock_for_update(version, expected_revision=expected_revision)
    if locked.is_adopted:
        raise RuleViolation(PLAN_ADOPTED_IMMUTABLE, code="plan_adopted")
    return locked


def _not_in_future(day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ValidationError(PLAN_DATE_IN_FUTURE, code="in_future")


def _check_focus(*, number: int, focus: str, explanation: str) -> None:
    if number > 1 and not (focus.strip() and explanation.strip()):
        raise ValidationError(PLAN_FOCUS_REQUIRED, code="focus_required")


def _check_intervention(
    *,
    description: str,
    pillar: str | None,
    responsible_organisation: Organisation | None,
    deadline: datetime.date | None,
) -> None:
    if not description.strip():
        raise ValidationError(INTERVENTION_DESCRIPTION_REQUIRED, code="required")
    # Every intervention written now names its pillar (docs/rules.md R-MON-2); only
    # those written before the question was asked have none.
    if pillar not in Pillar.values:
        raise ValidationError(INTERVENTION_PILLAR_REQUIRED, code="required")
    if responsible_organisation is None:
        raise ValidationError(INTERVENTION_ORGANISATION_REQUIRED, code="required")
    if deadline is None:
        raise ValidationError(INTERVENTION_DEADLINE_REQUIRED, code="required")


def _refuse_second_open_version(case: Case) -> None:
    # The database constraint one_open_plan_version_per_case backs this up.
    if open_plan_version(case) is not None:
        raise RuleViolation(PLAN_OPEN_VERSION_EXISTS, code="open_version_exists")


def _next_number(case: Case) -> int:
    latest = latest_plan_version(case)
    return 1 if latest is None else latest.number + 1


@transaction.atomic
def plan_version_create(
    *,
    case: Case,
    concerns: str,
    goals: str,
    course: str,
    joint_task: str,
    focus: str,
    explanation: str,
    interventions: list[InterventionInput],
    by: User,
) -> PlanVersion:
    """Start a new concept version written from scratch (nothing is copied)."""
    for item in interventions:
        _check_intervention(
            description=item.description,
            pillar=item.pillar,
            responsible_organisation=item.responsible_organisation,
            deadline=item.deadline,
        )
    with history_context(user=by.pk):
        _lock_open_case(case)
        _refuse_second_open_version(case)
        number = _next_number(case)
        _check_focus(number=number, focus=focus, explanation=explanation)
        version = PlanVersion.objects.create(
            case=case,
            number=number,
            concerns=concerns,
            goals=goals,
            course=course,
            joint_task=joint_task,
            focus=focus,
            explanation=explanation,
            created_by=by,
        )
        Intervention.objects.bulk_create(
            Intervention(
                plan_version=version,
                description=item.description,
                pillar=item.pillar,
                responsible_organisation=item.responsible_organisation,
                deadline=item.deadline,
            )
            for item in interventions
        )
        touch_case(case)
    return version


@transaction.atomic
def plan_version_new_from(
    *,
    case: Case | None = None,
    base: PlanVersion | None = None,
    focus: str,
    explanation: str,
    by: User,
) -> PlanVersion:
    """Start the next concept as a copy of ``base`` (default: the case's latest
    version) with all its interventions, each keeping its lineage, status and
    result. The new version states its own focus and explanation."""
    if case is None:
        if base is None:
            raise ValidationError(PLAN_CASE_OR_BASE_REQUIRED, code="required")
        case = base.case
    elif base is not None and base.case_id != case.pk:
        raise ValidationError(PLAN_BASE_OF_OTHER_CASE, code="other_case")
    the_case = case
    with history_context(user=by.pk):
        _lock_open_case(the_case)
        _refuse_second_open_version(the_case)
        if base is None:
            base = latest_plan_version(the_case)
            if base is None:
                raise RuleViolation(PLAN_NOTHING_TO_BUILD_ON, code="no_plan")
        number = _next_number(the_case)
        _check_focus(number=number, focus=focus, explanation=explanation)
        version = PlanVersion.objects.create(
            case=the_case,
            number=number,
            based_on=base,
            concerns=base.concerns,
            goals=base.goals,
            course=base.course,
            joint_task=base.joint_task,
            focus=focus,
            explanation=explanation,
            created_by=by,
        )
        Intervention.objects.bulk_create(
            Intervention(
                plan_version=version,
                lineage=old.lineage,
                description=old.description,
                pillar=old.pillar,
                responsible_organisation_id=old.responsible_organisation_id,
                deadline=old.deadline,
                status=old.status,
                result=old.result,
            )
            for old in base.interventions.all()
        )
        touch_case(the_case)
    return version


@transaction.atomic
def plan_version_update(
    *,
    version: PlanVersion,
    by: User,
    expected_revision: int | None = None,
    concerns: str | None = None,
    goals: str | None = None,
    course: str | None = None,
    joint_task: str | None = None,
    focus: str | None = None,
    explanation: str | None = None,
) -> PlanVersion:
    """Change the text of a version in progress; ``None`` leaves a field as it is.

    A version that has ITAT-R advice may still be changed (to take the advice on
    board) and keeps its advice; the history shows what the advice was given on.
    """
    changes = {
        name: value
        for name, value in {
            "concerns": concerns,
            "goals": goals,
            "course": course,
            "joint_task": joint_task,
            "focus": focus,
            "explanation": explanation,
        }.items()
        if value is not None
    }
    with history_context(user=by.pk):
        locked = _lock_open_version(version, expected_revision=expected_revision)
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_focus(number=locked.number, focus=locked.focus, explanation=locked.explanation)
        if changes:
            locked.save(update_fields=list(changes))
        bump_revision(locked)
        touch_case(version.case)
    return locked


@transaction.atomic
def intervention_add(
    *,
    version: PlanVersion,
    description: str,
    pillar: str | None,
    responsible_organisation: Organisation,
    deadline: datetime.date,
    by: User,
    expected_revision: int | None = None,
) -> Intervention:
    """Add an intervention to a version in progress (``expected_revision`` is the version's)."""
    _check_intervention(
        description=description,
        pillar=pillar,
        responsible_organisation=responsible_organisation,
        deadline=deadline,
    )
    with history_context(user=by.pk):
        locked = _lock_open_version(version, expected_revision=expected_revision)
        intervention = Intervention.objects.create(
            plan_version=locked,
            description=description,
            pillar=pillar,
            responsible_organisation=responsible_organisation,
            deadline=deadline,
        )
        bump_revision(locked)
        touch_case(version.case)
    return intervention


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    by: User,
    description: str | None = None,
    pillar: str | None = None,
    responsible_organisation: Organisation | None = None,
    deadline: datetime.date | None = None,
    expected_revision: int | None = None,
) -> Intervention:
    """Change what was agreed about an intervention of a version in progress. An
    intervention without a pillar (written before it was asked) gets one now."""
    with history_context(user=by.pk):
        version = _lock_open_version(intervention.plan_version, expected_revision=expected_revision)
        locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
        if description is not None:
            locked.description = description
        if pillar is not None:
            locked.pillar = pillar
        if responsible_organisation is not None:
            locked.responsible_organisation = responsible_organisation
        if deadline is not None:
            locked.deadline = deadline
        _check_intervention(
            description=locked.description,
            pillar=locked.pillar,
            responsible_organisation=locked.responsible_organisation,
            deadline=locked.deadline,
        )
        locked.save(
            update_fields=[
                "description",
                "pillar",
                "responsible_organisation",
                "deadline",
                "updated_at",
            ]
        )
        bump_revision(version)
        touch_case(intervention.plan_version.case)
    return locked


@transaction.atomic
def intervention_remove(
    *, intervention: Intervention, by: User, expected_revision: int | None = None
) -> None:
    """Take an intervention out of a version in progress. In an adopted version it
    stays: the next version simply leaves it out (the comparison shows it dropped)."""
    with history_context(user=by.pk):
        version = _lock_open_version(intervention.plan_version, expected_revision=expected_revision)
        Intervention.objects.filter(pk=intervention.pk).delete()
        bump_revision(version)
        touch_case(intervention.plan_version.case)


@transaction.atomic
def intervention_record_progress(
    *, intervention: Intervention, status: str, result: str, by: User
) -> Intervention:
    """Record how an intervention is going. Allowed on the adopted version that holds
    (its terms stay frozen) and on the version in progress; the same intervention
    (same lineage) in both is kept in step, since it is one piece of work. A
    superseded version keeps the progress it had when it was replaced."""
    if status not in Intervention.Status.values:
        raise ValidationError(INTERVENTION_STATUS_INVALID, code="invalid")
    if status in STATUSES_NEEDING_RESULT and not result.strip():
        raise ValidationError(INTERVENTION_RESULT_REQUIRED, code="required")
    case = intervention.plan_version.case
    with history_context(user=by.pk):
        _lock_open_case(case)
        live = live_plan_versions(PlanVersion.objects.filter(case=case))
        live_versions = [v.pk for v in live if v]
        if intervention.plan_version_id not in live_versions:
            raise RuleViolation(INTERVENTION_VERSION_SUPERSEDED, code="superseded")
        # The database trigger lets status and result of a frozen intervention change.
        Intervention.objects.filter(
            plan_version_id__in=live_versions, lineage=intervention.lineage
        ).update(status=status, result=result, updated_at=timezone.now())
        touch_case(case)
    intervention.refresh_from_db()
    return intervention


@transaction.atomic
def plan_record_itat_advice(
    *,
    version: PlanVersion,
    given_on: datetime.date,
    recommendation: str,
    advice: str,
    by: User,
    expected_revision: int | None = None,
) -> ItatAdvice:
    """Record ITAT-R's advice on exactly this version; the version awaits adoption."""
    if recommendation not in ItatAdvice.Recommendation.values:
        raise ValidationError(ADVICE_RECOMMENDATION_INVALID, code="invalid")
    if not advice.strip():
        raise ValidationError(ADVICE_TEXT_REQUIRED, code="required")
    _not_in_future(given_on)
    with history_context(user=by.pk):
        locked = _lock_open_version(version, expected_revision=expected_revision)
        itat_advice = ItatAdvice.objects.create(
            plan_version=locked,
            subject=ItatAdvice.Subject.PLAN,
            given_on=given_on,
            recommendation=recommendation,
            advice=advice,
            recorded_by=by,
        )
        assert_transition(PLAN_VERSION, locked.status, PlanStatus.ADVISED)
        if locked.status != PlanStatus.ADVISED:
            locked.status = PlanStatus.ADVISED
            locked.save(update_fields=["status"])
        bump_revision(locked)
        touch_case(version.case)
    return itat_advice


@transaction.atomic
def plan_version_adopt(
    *,
    version: PlanVersion,
    adopted_on: datetime.date,
    by: User,
    expected_revision: int | None = None,
) -> PlanVersion:
    """Formally adopt (vaststellen) a version that has ITAT-R advice. From then on
    the version and what its interventions agreed never change.

    ITAT-R advises and does not decide: a negative advice is recorded with the
    version, and adopting is the team's responsibility.
    """
    _not_in_future(adopted_on)
    with history_context(user=by.pk):
        locked = _lock_open_version(version, expected_revision=expected_revision)
        last_advice = (
            locked.itat_advices.filter(subject=ItatAdvice.Subject.PLAN)
            .order_by("-given_on")
            .first()
        )
        assert_transition(PLAN_VERSION, locked.status, PlanStatus.ADOPTED)
        if last_advice is None:
            raise RuleViolation(PLAN_NEEDS_ITAT_ADVICE, code="no_itat_advice")
        if adopted_on < last_advice.given_on:
            raise ValidationError(PLAN_ADOPTED_BEFORE_ADVICE, code="before_advice")
        previous = current_plan(locked.case)
        if previous is not None and previous.adopted_on and adopted_on < previous.adopted_on:
            raise ValidationError(PLAN_ADOPTED_BEFORE_PREVIOUS, code="before_previous")
        if any(not getattr(locked, name).strip() for name in REQUIRED_FOR_ADOPTION):
            raise RuleViolation(PLAN_FIELDS_REQUIRED, code="incomplete")
        _check_focus(number=locked.number, focus=locked.focus, explanation=locked.explanation)
        if not locked.interventions.exists():
            raise RuleViolation(PLAN_NO_INTERVENTIONS, code="no_interventions")

        # Raise the revision first: once adopted, the trigger refuses every update.
        bump_revision(locked)
        locked.status = PlanStatus.ADOPTED
        locked.adopted_on = adopted_on
        locked.adopted_by = by
        locked.save(update_fields=["status", "adopted_on", "adopted_by"])
        locked.interventions.update(frozen=True, updated_at=timezone.now())
        touch_case(version.case)
    return locked
