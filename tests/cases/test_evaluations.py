"""Evaluations: pinned to the plan that held on the day; the monthly one needs an
adopted plan and can start the next plan version; the two-yearly one answers the
exit question and repeats the weighing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases.models import Assessment, Evaluation, PlanStatus
from cases.selectors.plans import latest_plan_version
from cases.services.assessments import AssessmentInput
from cases.services.evaluations import (
    EVALUATION_ASSESSMENT_AFTER,
    EVALUATION_ASSESSMENT_OF_OTHER_CASE,
    EVALUATION_ASSESSMENT_REQUIRED,
    EVALUATION_ASSESSMENT_USED,
    EVALUATION_BEFORE_REGISTRATION,
    EVALUATION_CASE_EXITED,
    EVALUATION_EXIT_QUESTION_REQUIRED,
    EVALUATION_FINDINGS_REQUIRED,
    EVALUATION_IN_FUTURE,
    EVALUATION_KIND_INVALID,
    EVALUATION_NEEDS_ADOPTED_PLAN,
    evaluation_record,
)
from cases.services.plans import (
    PLAN_FOCUS_REQUIRED,
    PLAN_OPEN_VERSION_EXISTS,
    plan_version_new_from,
)
from kernel.errors import RuleViolation
from tests.factories import AssessmentFactory, CaseFactory, PlanVersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

MONTHLY = Evaluation.Kind.MONTHLY
TWO_YEARLY = Evaluation.Kind.TWO_YEARLY
EVALUATED_ON = datetime.date(2025, 4, 1)  # after the first plan's adoption on 1 March 2025
SECOND_ADOPTED_ON = datetime.date(2025, 6, 1)
REWEIGHING = AssessmentInput(
    care_criterion=True,
    safety_criterion=False,
    risk_level=Assessment.RiskLevel.LOW,
    reasoning="Geen signalen van geweldsbereidheid meer; zorg loopt via de GGD.",
)


def evaluate(case, by, **fields) -> Evaluation:
    values: dict[str, Any] = {
        "kind": MONTHLY,
        "held_on": EVALUATED_ON,
        "findings": "Woonbegeleiding loopt; contact met de persoon is goed.",
        "assessment": REWEIGHING,
    } | fields
    return evaluation_record(case=case, by=by, **values)


def nothing_written(case) -> bool:
    return not case.evaluations.exists()


# --- Monthly --------------------------------------------------------------------


def test_a_monthly_evaluation_pins_the_plan_that_held_on_the_day(adopted_plan, author, adopt):
    case = adopted_plan.case
    second = adopt(
        plan_version_new_from(base=adopted_plan, focus="Fase 2", explanation="Juni.", by=author),
        on=SECOND_ADOPTED_ON,
    )

    before_second = evaluate(case, author, held_on=SECOND_ADOPTED_ON - datetime.timedelta(1))
    after_second = evaluate(case, author, held_on=SECOND_ADOPTED_ON)

    assert before_second.plan_version == adopted_plan
    assert after_second.plan_version == second
    assert after_second.recorded_by == author


def test_a_monthly_evaluation_needs_an_adopted_plan(author):
    case = CaseFactory(phase2=True)
    PlanVersionFactory(case=case)  # a concept does not count
    with pytest.raises(RuleViolation) as refused:
        evaluate(case, author)
    assert refused.value.messages == [EVALUATION_NEEDS_ADOPTED_PLAN]
    assert nothing_written(case)


def test_a_plan_adopted_after_the_evaluation_does_not_count(adopted_plan, author):
    with pytest.raises(RuleViolation) as refused:
        evaluate(adopted_plan.case, author, held_on=adopted_plan.adopted_on - datetime.timedelta(1))
    assert refused.value.messages == [EVALUATION_NEEDS_ADOPTED_PLAN]


def test_an_evaluation_moves_the_case_on(adopted_plan, author):
    case = adopted_plan.case
    case.refresh_from_db()
    weighing = AssessmentFactory(case=case, assessed_on=EVALUATED_ON)  # recorded before
    revision = case.revision
    evaluate(case, author, assessment=weighing)
    case.refresh_from_db()
    assert case.revision == revision + 1


def test_a_monthly_evaluation_that_asks_for_it_starts_the_next_plan_version(adopted_plan, author):
    case = adopted_plan.case

    evaluate(
        case,
        author,
        plan_needs_update=True,
        plan_focus="Werk naast wonen.",
        plan_explanation="De woning is geregeld; werk is de volgende stap.",
    )

    version = latest_plan_version(case)
    assert version is not None
    assert (version.number, version.status, version.based_on) == (
        2,
        PlanStatus.CONCEPT,
        adopted_plan,
    )
    assert (version.focus, version.explanation) == (
        "Werk naast wonen.",
        "De woning is geregeld; werk is de volgende stap.",
    )
    assert version.interventions.count() == 2


def test_a_monthly_evaluation_without_plan_change_leaves_the_plan(adopted_plan, author):
    evaluate(adopted_plan.case, author)
    assert latest_plan_version(adopted_plan.case) == adopted_plan


def test_the_next_plan_version_needs_a_focus_and_explanation(adopted_plan, author):
    with pytest.raises(ValidationError) as refused:
        evaluate(adopted_plan.case, author, plan_needs_update=True, plan_focus="Werk.")
    assert refused.value.messages == [PLAN_FOCUS_REQUIRED]
    assert nothing_written(adopted_plan.case)


def test_with_a_version_already_in_progress_the_evaluation_is_refused_whole(adopted_plan, author):
    case = adopted_plan.case
    plan_version_new_from(base=adopted_plan, focus="Fase 2", explanation="Al begonnen.", by=author)

    with pytest.raises(RuleViolation) as refused:
        evaluate(
            case,
            author,
            assessment=REWEIGHING,
            plan_needs_update=True,
            plan_focus="Werk.",
            plan_explanation="Volgende stap.",
        )

    assert refused.value.messages == [PLAN_OPEN_VERSION_EXISTS]
    assert nothing_written(case)
    assert not case.assessments.exists()
    assert case.plan_versions.count() == 2


# --- Two-yearly -------------------------------------------------------------------


def test_the_two_yearly_evaluation_answers_the_exit_question_and_reweighs(adopted_plan, author):
    case = adopted_plan.case
    held_on = datetime.date(2026, 11, 2)

    evaluation = evaluate(
        case, author, kind=TWO_YEARLY, held_on=held_on, exit_possible=True, assessment=REWEIGHING
    )

    assert evaluation.exit_possible is True
    assert evaluation.plan_version == adopted_plan
    assessment = evaluation.assessment
    assert assessment is not None
    assert (assessment.case, assessment.assessed_on, assessment.assessor) == (case, held_on, author)
    assert (assessment.care_criterion, assessment.safety_criterion) == (True, False)
    assert assessment.reasoning == REWEIGHING.reasoning


def test_the_two_yearly_evaluation_must_answer_the_exit_question(adopted_plan, author):
    with pytest.raises(ValidationError) as refused:
        evaluate(adopted_plan.case, author, kind=TWO_YEARLY, assessment=REWEIGHING)
    assert refused.value.messages == [EVALUATION_EXIT_QUESTION_REQUIRED]
    assert nothing_written(adopted_plan.case)


@pytest.mark.parametrize("kind", [MONTHLY, TWO_YEARLY])
def test_every_evaluation_must_repeat_the_weighing(adopted_plan, author, kind):
    with pytest.raises(ValidationError) as refused:
        evaluate(adopted_plan.case, author, kind=kind, exit_possible=False, assessment=None)
    assert refused.value.messages == [EVALUATION_ASSESSMENT_REQUIRED]
    assert nothing_written(adopted_plan.case)


def test_the_two_yearly_evaluation_may_use_a_weighing_recorded_for_it(adopted_plan, author):
    case = adopted_plan.case
    weighing = AssessmentFactory(case=case, assessed_on=EVALUATED_ON)

    evaluation = evaluate(case, author, kind=TWO_YEARLY, exit_possible=False, assessment=weighing)

    assert evaluation.assessment == weighing
    assert case.assessments.count() == 1


def test_a_weighing_serves_one_evaluation_of_its_own_case_made_before_it(adopted_plan, author):
    case = adopted_plan.case
    used = AssessmentFactory(case=case, assessed_on=EVALUATED_ON)
    evaluate(case, author, assessment=used)
    attempts = [
        (AssessmentFactory(assessed_on=EVALUATED_ON), EVALUATION_ASSESSMENT_OF_OTHER_CASE),
        (
            AssessmentFactory(case=case, assessed_on=EVALUATED_ON + datetime.timedelta(1)),
            EVALUATION_ASSESSMENT_AFTER,
        ),
        (used, EVALUATION_ASSESSMENT_USED),
    ]
    for weighing, message in attempts:
        with pytest.raises(ValidationError) as refused:
            evaluate(case, author, kind=TWO_YEARLY, exit_possible=False, assessment=weighing)
        assert refused.value.messages == [message]
    assert case.evaluations.count() == 1


def test_a_two_yearly_evaluation_without_an_adopted_plan_pins_none(author):
    case = CaseFactory()
    evaluation = evaluate(case, author, kind=TWO_YEARLY, exit_possible=False, assessment=REWEIGHING)
    assert evaluation.plan_version is None


# --- Input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "wekelijks"}, EVALUATION_KIND_INVALID),
        ({"findings": " "}, EVALUATION_FINDINGS_REQUIRED),
        ({"held_on": datetime.date(2026, 11, 24)}, EVALUATION_IN_FUTURE),
        ({"held_on": datetime.date(2025, 1, 5)}, EVALUATION_BEFORE_REGISTRATION),
    ],
)
def test_evaluation_input_is_checked(adopted_plan, author, fields, message):
    with pytest.raises(ValidationError) as refused:
        evaluate(adopted_plan.case, author, **fields)
    assert refused.value.messages == [message]
    assert nothing_written(adopted_plan.case)


def test_no_evaluation_on_an_exited_case(author):
    case = CaseFactory(exited=True)
    with pytest.raises(RuleViolation) as refused:
        evaluate(case, author, kind=TWO_YEARLY, exit_possible=True, assessment=REWEIGHING)
    assert refused.value.messages == [EVALUATION_CASE_EXITED]
    assert nothing_written(case)
