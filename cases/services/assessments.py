"""Weighing a case with the dynamic assessment framework (dynamisch beoordelingskader).

A person belongs in the approach only when there are care problems (zorg) AND a
safety risk (veiligheid): "Als er bij een persoon óf geen problemen op
leefgebieden óf geen veiligheidsrisico's zijn, hoort deze niet thuis in de
iPGA-R" (docs/rules.md R-CASE-1, R-CASE-9). The weighing is made before intake and repeated at every
evaluation; the latest one says whether the case still meets both criteria.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import lock_for_update

from ..models import Assessment, Case
from .revisions import touch_case

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise

ASSESSMENT_CASE_EXITED = _("De casus is uitgestroomd: er worden geen wegingen meer vastgelegd.")
ASSESSMENT_REASONING_REQUIRED = _(
    "Onderbouw de weging: iedere beslissing en de afweging erachter wordt vastgelegd."
)
ASSESSMENT_RISK_LEVEL_INVALID = _("Kies het risiconiveau: laag, midden of hoog.")
ASSESSMENT_IN_FUTURE = _("De datum van de weging ligt in de toekomst.")

INCLUSION_MET = _(
    "De persoon voldoet aan beide criteria (zorg én veiligheid) en hoort in de aanpak."
)
INCLUSION_NEITHER = _(
    "Er zijn geen problemen op leefgebieden en geen veiligheidsrisico: de persoon hoort niet "
    "in de iPGA-R."
)
INCLUSION_NO_SAFETY_RISK = _(
    "Er zijn wel problemen op leefgebieden, maar geen veiligheidsrisico (geen risico op "
    "geweld vanuit ideologie): de persoon hoort niet in de iPGA-R."
)
INCLUSION_NO_CARE_PROBLEMS = _(
    "Er is wel een veiligheidsrisico, maar er zijn geen problemen op leefgebieden: de "
    "persoon hoort niet in de iPGA-R."
)
INCLUSION_NOT_ASSESSED = _("Deze casus is nog niet gewogen met het dynamisch beoordelingskader.")


@dataclass(frozen=True)
class InclusionCheck:
    """Whether the person belongs in the approach, and why (in Dutch, for the user)."""

    included: bool
    explanation: str | _StrPromise
    assessment: Assessment | None = None


@dataclass(frozen=True)
class AssessmentInput:
    """A new weighing to record together with something else (an evaluation)."""

    care_criterion: bool
    safety_criterion: bool
    risk_level: str
    reasoning: str
    assessed_on: datetime.date | None = None  # None: the date of what it is recorded with


def meets_inclusion(*, care_criterion: bool, safety_criterion: bool) -> bool:
    """Both criteria, never one of them: the approach is care and safety together."""
    return care_criterion and safety_criterion


def inclusion_decision(*, care_criterion: bool, safety_criterion: bool) -> InclusionCheck:
    """The intake decision on the two criteria, with its explanation."""
    if meets_inclusion(care_criterion=care_criterion, safety_criterion=safety_criterion):
        return InclusionCheck(included=True, explanation=INCLUSION_MET)
    if not care_criterion and not safety_criterion:
        explanation = INCLUSION_NEITHER
    elif care_criterion:
        explanation = INCLUSION_NO_SAFETY_RISK
    else:
        explanation = INCLUSION_NO_CARE_PROBLEMS
    return InclusionCheck(included=False, explanation=explanation)


def latest_assessment(case: Case) -> Assessment | None:
    return Assessment.objects.filter(case=case).order_by("-assessed_on", "-created_at").first()


def case_inclusion_check(case: Case) -> InclusionCheck:
    """Whether the case, on its latest weighing, still belongs in the approach."""
    assessment = latest_assessment(case)
    if assessment is None:
        return InclusionCheck(included=False, explanation=INCLUSION_NOT_ASSESSED)
    decision = inclusion_decision(
        care_criterion=assessment.care_criterion, safety_criterion=assessment.safety_criterion
    )
    return InclusionCheck(
        included=decision.included, explanation=decision.explanation, assessment=assessment
    )


def _check(*, assessed_on: datetime.date, risk_level: str, reasoning: str) -> None:
    if risk_level not in Assessment.RiskLevel.values:
        raise ValidationError(ASSESSMENT_RISK_LEVEL_INVALID, code="invalid")
    if not reasoning.strip():
        raise ValidationError(ASSESSMENT_REASONING_REQUIRED, code="required")
    if assessed_on > timezone.localdate():
        raise ValidationError(ASSESSMENT_IN_FUTURE, code="in_future")


def assessment_record_check(case: Case) -> None:
    """Raise the RuleViolation that refuses a new weighing on ``case`` as it stands."""
    if not case.is_open:
        raise RuleViolation(ASSESSMENT_CASE_EXITED, code="case_exited")


@transaction.atomic
def assessment_record(
    *,
    case: Case,
    assessed_on: datetime.date,
    care_criterion: bool,
    safety_criterion: bool,
    risk_level: str,
    reasoning: str,
    by: User,
) -> Assessment:
    """Record a weighing with its reasoning. A weighing may predate the case's
    registration: the case is weighed before it is taken on."""
    _check(assessed_on=assessed_on, risk_level=risk_level, reasoning=reasoning)
    with history_context(user=by.pk):
        locked = lock_for_update(case, expected_revision=None)
        assessment_record_check(locked)
        assessment = Assessment.objects.create(
            case=case,
            assessed_on=assessed_on,
            assessor=by,
            care_criterion=care_criterion,
            safety_criterion=safety_criterion,
            risk_level=risk_level,
            reasoning=reasoning,
        )
        touch_case(case)
    return assessment
