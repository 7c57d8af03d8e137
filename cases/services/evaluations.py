"""Evaluations of a case (docs/rules.md R-CASE-8, R-CASE-9, R-CASE-10).

- The monthly evaluation (maandelijks) looks at the plan that holds, so it needs an
  adopted plan; "na iedere maandelijkse evaluatie" the plan is brought up to date
  with a new focus and explanation: when the evaluation says so, the next concept
  version is started right away.
- The two-yearly evaluation (tweejaarlijks) answers whether the person can exit,
  and repeats the weighing with the dynamic assessment framework.

Each evaluation pins the plan version that held on the day it was held, so it
can always be read against the plan it evaluated.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.history import history_context
from kernel.errors import RuleViolation
from kernel.locking import lock_for_update

from ..models import Assessment, Case, Evaluation
from ..selectors.plans import plan_in_force_on
from .assessments import AssessmentInput, assessment_record
from .plans import PLAN_FOCUS_REQUIRED, plan_version_new_from
from .revisions import touch_case

EVALUATION_CASE_EXITED = _("De casus is uitgestroomd: er worden geen evaluaties meer vastgelegd.")
EVALUATION_KIND_INVALID = _("Kies het soort evaluatie: maandelijks of tweejaarlijks.")
EVALUATION_IN_FUTURE = _(
    "Een evaluatie wordt vastgelegd nadat ze is gehouden: de datum ligt in de toekomst."
)
EVALUATION_BEFORE_REGISTRATION = _(
    "De evaluatie kan niet zijn gehouden vóór de aanmelding van de casus."
)
EVALUATION_FINDINGS_REQUIRED = _("Vul de bevindingen van de evaluatie in.")
EVALUATION_NEEDS_ADOPTED_PLAN = _(
    "De maandelijkse evaluatie gaat over het vastgestelde plan van aanpak, en deze casus had op "
    "die datum nog geen vastgesteld plan."
)
EVALUATION_EXIT_QUESTION_REQUIRED = _(
    "De tweejaarlijkse evaluatie beantwoordt de vraag of de persoon kan uitstromen."
)
# R-CASE-9: "bij iedere evaluatie" the team weighs again with the dynamic framework.
EVALUATION_ASSESSMENT_REQUIRED = _(
    "Bij iedere evaluatie wordt de weging met het dynamisch beoordelingskader herhaald: "
    "leg die vast."
)
EVALUATION_ASSESSMENT_OF_OTHER_CASE = _("Deze weging hoort bij een andere casus.")
EVALUATION_ASSESSMENT_AFTER = _("De weging kan niet later zijn dan de evaluatie.")
EVALUATION_ASSESSMENT_USED = _("Deze weging hoort al bij een andere evaluatie.")


def _check(
    *,
    case: Case,
    kind: str,
    held_on: datetime.date,
    findings: str,
    exit_possible: bool | None,
    assessment: Assessment | AssessmentInput | None,
    plan_needs_update: bool,
    plan_focus: str,
    plan_explanation: str,
) -> None:
    if kind not in Evaluation.Kind.values:
        raise ValidationError(EVALUATION_KIND_INVALID, code="invalid")
    if held_on > timezone.localdate():
        raise ValidationError(EVALUATION_IN_FUTURE, code="in_future")
    if held_on < case.registered_on:
        raise ValidationError(EVALUATION_BEFORE_REGISTRATION, code="before_registration")
    if not findings.strip():
        raise ValidationError(EVALUATION_FINDINGS_REQUIRED, code="required")
    if kind == Evaluation.Kind.TWO_YEARLY and exit_possible is None:
        raise ValidationError(EVALUATION_EXIT_QUESTION_REQUIRED, code="exit_question")
    if assessment is None:
        raise ValidationError(EVALUATION_ASSESSMENT_REQUIRED, code="assessment_required")
    if isinstance(assessment, Assessment):
        if assessment.case_id != case.pk:
            raise ValidationError(EVALUATION_ASSESSMENT_OF_OTHER_CASE, code="other_case")
        if assessment.assessed_on > held_on:
            raise ValidationError(EVALUATION_ASSESSMENT_AFTER, code="assessment_after")
        if assessment.evaluations.exists():
            raise ValidationError(EVALUATION_ASSESSMENT_USED, code="assessment_used")
    if plan_needs_update and not (plan_focus.strip() and plan_explanation.strip()):
        raise ValidationError(PLAN_FOCUS_REQUIRED, code="focus_required")


def evaluation_record_check(case: Case) -> None:
    """Raise the RuleViolation that refuses a new evaluation on ``case`` as it stands."""
    if not case.is_open:
        raise RuleViolation(EVALUATION_CASE_EXITED, code="case_exited")


@transaction.atomic
def evaluation_record(
    *,
    case: Case,
    kind: str,
    held_on: datetime.date,
    findings: str,
    by: User,
    exit_possible: bool | None = None,
    assessment: Assessment | AssessmentInput | None = None,
    plan_needs_update: bool = False,
    plan_focus: str = "",
    plan_explanation: str = "",
) -> Evaluation:
    """Record an evaluation, pinned to the plan version that held on ``held_on``.

    ``assessment`` is an already recorded weighing of this case, or the inputs of
    a new one (recorded here, dated ``held_on`` unless it says otherwise).
    ``plan_needs_update`` starts the next concept version of the plan, with
    ``plan_focus`` and ``plan_explanation`` as its focus and explanation.
    """
    _check(
        case=case,
        kind=kind,
        held_on=held_on,
        findings=findings,
        exit_possible=exit_possible,
        assessment=assessment,
        plan_needs_update=plan_needs_update,
        plan_focus=plan_focus,
        plan_explanation=plan_explanation,
    )
    with history_context(user=by.pk):
        locked = lock_for_update(case, expected_revision=None)
        evaluation_record_check(locked)
        plan_version = plan_in_force_on(case, held_on)
        if kind == Evaluation.Kind.MONTHLY and plan_version is None:
            raise RuleViolation(EVALUATION_NEEDS_ADOPTED_PLAN, code="no_adopted_plan")
        if isinstance(assessment, AssessmentInput):
            assessment = assessment_record(
                case=case,
                assessed_on=assessment.assessed_on or held_on,
                care_criterion=assessment.care_criterion,
                safety_criterion=assessment.safety_criterion,
                risk_level=assessment.risk_level,
                reasoning=assessment.reasoning,
                by=by,
            )
        evaluation = Evaluation.objects.create(
            case=case,
            kind=kind,
            held_on=held_on,
            plan_version=plan_version,
            assessment=assessment,
            findings=findings,
            exit_possible=exit_possible,
            recorded_by=by,
        )
        if plan_needs_update:
            plan_version_new_from(case=case, focus=plan_focus, explanation=plan_explanation, by=by)
        touch_case(case)
    return evaluation
