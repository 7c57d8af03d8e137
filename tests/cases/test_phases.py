"""Phase changes: one step at a time, 1 -> 2 on an adopted plan, 2 -> 3 on the
team's judgement given as the reason (no exit procedure needed), back one step
with a reason, each one in the history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, ExitGround, ExitProcedure, Phase, PhaseTransition
from cases.services.exits import exit_propose, exit_withdraw
from cases.services.phases import (
    PHASE_2_NEEDS_ADOPTED_PLAN,
    PHASE_BACK_WHILE_EXIT_RUNNING,
    PHASE_CASE_EXITED,
    PHASE_DATE_BEFORE_CURRENT,
    PHASE_NEEDS_IN_REGIE,
    PHASE_ONE_STEP_AT_A_TIME,
    PHASE_REASON_REQUIRED,
    PHASE_UNCHANGED,
    case_change_phase,
)
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from tests.factories import AssessmentFactory, CaseFactory, PlanVersionFactory

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 23)
REASON = "Nieuwe focus: het plan wordt uitgevoerd."


def propose_exit(case: Case, by) -> ExitProcedure:
    """The team judges that the danger risk and the care need are gone."""
    AssessmentFactory(case=case, assessed_on=ON, safety_criterion=False, care_criterion=False)
    return exit_propose(
        case=case,
        ground=ExitGround.RISK_AND_CARE_GONE,
        team_judgement="Al twee jaar geen signalen; leefgebieden op orde.",
        on=ON,
        by=by,
    )


def change(case: Case, to_phase: int, by, **overrides) -> Case:
    return case_change_phase(
        case=case, to_phase=to_phase, **{"reason": REASON, "on": ON, "by": by, **overrides}
    )


def test_phase_2_needs_an_adopted_plan(author):
    case = CaseFactory()
    PlanVersionFactory(case=case)  # a concept is not enough
    with pytest.raises(RuleViolation) as refused:
        change(case, Phase.EXECUTION, author)
    assert refused.value.message == PHASE_2_NEEDS_ADOPTED_PLAN
    case.refresh_from_db()
    assert case.phase == Phase.CONTACT
    assert not PhaseTransition.objects.filter(case=case).exists()


def test_with_an_adopted_plan_the_case_goes_to_phase_2_and_the_change_is_recorded(author):
    case = CaseFactory()
    PlanVersionFactory(case=case, adopted=True)

    moved = change(case, Phase.EXECUTION, author)

    assert (moved.phase, moved.phase_since, moved.revision) == (
        Phase.EXECUTION,
        ON,
        case.revision + 1,
    )
    transition = PhaseTransition.objects.get(case=case)
    assert (
        transition.from_phase,
        transition.to_phase,
        transition.on,
        transition.by,
        transition.reason,
    ) == (Phase.CONTACT, Phase.EXECUTION, ON, author, REASON)


def test_phase_3_needs_no_running_exit_procedure(author):
    """R-EXIT-2: phase 3 is the exit process; the exit proposal comes at its end, so
    the team's judgement to enter it is the change's reason, not a procedure."""
    case = CaseFactory(phase2=True)
    moved_on = change(case, Phase.EXIT, author, reason="Team: afschalen en overdracht regelen.")
    assert moved_on.phase == Phase.EXIT
    assert not ExitProcedure.objects.filter(case=case).exists()
    transition = PhaseTransition.objects.get(case=case)
    assert transition.reason == "Team: afschalen en overdracht regelen."


def test_phases_are_never_skipped(author):
    case = CaseFactory()
    PlanVersionFactory(case=case, adopted=True)
    with pytest.raises(RuleViolation) as refused:
        change(case, Phase.EXIT, author)
    assert refused.value.message == PHASE_ONE_STEP_AT_A_TIME
    assert refused.value.params == {"from_phase": Phase.CONTACT, "to_phase": Phase.EXIT}

    case = CaseFactory(phase3=True)
    with pytest.raises(RuleViolation) as refused:
        change(case, Phase.CONTACT, author)
    assert refused.value.message == PHASE_ONE_STEP_AT_A_TIME


def test_back_to_phase_2_once_the_exit_procedure_is_closed(author):
    case = CaseFactory(phase2=True)
    change(case, Phase.EXIT, author)
    procedure = propose_exit(case, author)
    with pytest.raises(RuleViolation) as refused:
        change(case, Phase.EXECUTION, author)
    assert refused.value.message == PHASE_BACK_WHILE_EXIT_RUNNING

    exit_withdraw(procedure=procedure, reason="Nieuwe signalen.", on=ON, by=author)
    back = change(case, Phase.EXECUTION, author, reason="Nieuwe signalen: terug naar uitvoering.")
    assert back.phase == Phase.EXECUTION
    assert list(
        PhaseTransition.objects.filter(case=case).values_list("from_phase", "to_phase")
    ) == [(Phase.EXECUTION, Phase.EXIT), (Phase.EXIT, Phase.EXECUTION)]


def test_a_phase_change_needs_a_reason(author):
    case = CaseFactory()
    PlanVersionFactory(case=case, adopted=True)
    with pytest.raises(ValidationError) as refused:
        change(case, Phase.EXECUTION, author, reason="   ")
    assert refused.value.message == PHASE_REASON_REQUIRED


def test_the_same_phase_is_no_change(author):
    with pytest.raises(RuleViolation) as refused:
        change(CaseFactory(phase2=True), Phase.EXECUTION, author)
    assert refused.value.message == PHASE_UNCHANGED


@pytest.mark.parametrize(
    ("traits", "message"),
    [({"exited": True}, PHASE_CASE_EXITED), ({"registered": True}, PHASE_NEEDS_IN_REGIE)],
)
def test_only_a_case_in_regie_changes_phase(author, traits, message):
    case = CaseFactory(**traits)
    PlanVersionFactory(case=case, adopted=True)
    target = Phase.EXECUTION if case.phase == Phase.EXIT else case.phase + 1
    with pytest.raises(RuleViolation) as refused:
        change(case, target, author)
    assert refused.value.message == message


def test_a_phase_change_is_not_dated_before_the_current_phase(author):
    case = CaseFactory()
    PlanVersionFactory(case=case, adopted=True)
    with pytest.raises(ValidationError) as refused:
        change(case, Phase.EXECUTION, author, on=case.phase_since - datetime.timedelta(days=1))
    assert refused.value.message == PHASE_DATE_BEFORE_CURRENT


def test_a_stale_revision_is_refused(author):
    case = CaseFactory()
    PlanVersionFactory(case=case, adopted=True)
    with pytest.raises(StaleObject) as refused:
        change(case, Phase.EXECUTION, author, expected_revision=case.revision + 1)
    assert refused.value.message == STALE_RECORD
    assert Case.objects.get(pk=case.pk).phase == Phase.CONTACT

    assert change(case, Phase.EXECUTION, author, expected_revision=case.revision).phase == 2
