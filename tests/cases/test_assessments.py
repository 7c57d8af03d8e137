"""The dynamic assessment framework: a weighing is recorded with its reasoning, and
a person is in the approach only when both care and safety criteria are met."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases.models import Assessment
from cases.services.assessments import (
    ASSESSMENT_CASE_EXITED,
    ASSESSMENT_IN_FUTURE,
    ASSESSMENT_REASONING_REQUIRED,
    ASSESSMENT_RISK_LEVEL_INVALID,
    INCLUSION_MET,
    INCLUSION_NEITHER,
    INCLUSION_NO_CARE_PROBLEMS,
    INCLUSION_NO_SAFETY_RISK,
    INCLUSION_NOT_ASSESSED,
    assessment_record,
    case_inclusion_check,
    inclusion_decision,
    meets_inclusion,
)
from kernel.errors import RuleViolation
from tests.factories import AssessmentFactory, CaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

ASSESSED_ON = datetime.date(2025, 1, 10)


def record(case, by, **fields) -> Assessment:
    values: dict[str, Any] = {
        "assessed_on": ASSESSED_ON,
        "care_criterion": True,
        "safety_criterion": True,
        "risk_level": Assessment.RiskLevel.HIGH,
        "reasoning": "Schulden, isolement en uitingen die geweld verheerlijken.",
    } | fields
    return assessment_record(case=case, by=by, **values)


def test_a_weighing_is_recorded_with_its_assessor_and_moves_the_case_on(author):
    case = CaseFactory()
    revision = case.revision

    assessment = record(case, author)

    assert assessment.assessor == author
    assert (assessment.care_criterion, assessment.safety_criterion) == (True, True)
    assert assessment.risk_level == Assessment.RiskLevel.HIGH
    case.refresh_from_db()
    assert case.revision == revision + 1


def test_a_weighing_may_predate_the_registration(author):
    """The case is weighed before it is taken on."""
    case = CaseFactory()
    assert record(case, author, assessed_on=case.registered_on - datetime.timedelta(days=7))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reasoning": ""}, ASSESSMENT_REASONING_REQUIRED),
        ({"reasoning": "   \n"}, ASSESSMENT_REASONING_REQUIRED),
        ({"risk_level": "extreem"}, ASSESSMENT_RISK_LEVEL_INVALID),
        ({"assessed_on": datetime.date(2026, 11, 24)}, ASSESSMENT_IN_FUTURE),
    ],
)
def test_weighing_input_is_checked(author, fields, message):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        record(case, author, **fields)
    assert refused.value.messages == [message]
    assert not case.assessments.exists()


def test_an_exited_case_is_not_weighed_again(author):
    with pytest.raises(RuleViolation) as refused:
        record(CaseFactory(exited=True), author)
    assert refused.value.messages == [ASSESSMENT_CASE_EXITED]


@pytest.mark.parametrize(
    ("care", "safety", "included", "explanation"),
    [
        (True, True, True, INCLUSION_MET),
        (True, False, False, INCLUSION_NO_SAFETY_RISK),
        (False, True, False, INCLUSION_NO_CARE_PROBLEMS),
        (False, False, False, INCLUSION_NEITHER),
    ],
)
def test_inclusion_needs_both_care_and_safety(care, safety, included, explanation):
    decision = inclusion_decision(care_criterion=care, safety_criterion=safety)

    assert (decision.included, decision.explanation) == (included, explanation)
    assert meets_inclusion(care_criterion=care, safety_criterion=safety) is included


def test_a_case_without_a_weighing_is_not_in_the_approach():
    check = case_inclusion_check(CaseFactory())
    assert (check.included, check.explanation, check.assessment) == (
        False,
        INCLUSION_NOT_ASSESSED,
        None,
    )


def test_the_latest_weighing_decides(author):
    case = CaseFactory()
    AssessmentFactory(case=case, assessed_on=datetime.date(2025, 1, 10))
    latest = record(case, author, assessed_on=datetime.date(2026, 1, 10), safety_criterion=False)
    AssessmentFactory(case=case, assessed_on=datetime.date(2025, 6, 10))  # recorded later, older

    check = case_inclusion_check(case)

    assert (check.included, check.explanation, check.assessment) == (
        False,
        INCLUSION_NO_SAFETY_RISK,
        latest,
    )


def test_a_case_meeting_both_criteria_is_in_the_approach(author):
    case = CaseFactory()
    record(case, author)
    check = case_inclusion_check(case)
    assert (check.included, check.explanation) == (True, INCLUSION_MET)
