"""The lifecycles of cases/workflow.py: the tables allow what the services do and
refuse what they refuse, and the named querysets select what the status lists did."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial

import pytest
from django.db.models import UniqueConstraint

from accounts.models import User
from cases.models import (
    Case,
    CaseStatus,
    Escalation,
    EscalationStep,
    ExitGround,
    ExitProcedure,
    ItatAdvice,
    Phase,
    Pillar,
    PlanStatus,
    PlanVersion,
)
from cases.services.assignments import case_assign
from cases.services.escalations import (
    ESCALATION_CONSULT_FIRST,
    escalation_open,
    escalation_record_step,
    escalation_resolve,
)
from cases.services.exits import exit_decide, exit_propose, exit_record_itat_advice, exit_withdraw
from cases.services.intake import case_close_not_included, case_register, case_sign_notification
from cases.services.phases import case_change_phase
from cases.services.plans import (
    InterventionInput,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
)
from cases.workflow import (
    ANY,
    CASE_STATUS,
    ESCALATION,
    EXIT_NOT_RUNNING,
    EXIT_PROCEDURE,
    LIFECYCLES,
    NOTIFICATION_ALREADY_SIGNED,
    NOTIFICATION_CASE_EXITED,
    OPEN_STATUSES,
    PHASE,
    PHASE_ONE_STEP_AT_A_TIME,
    PHASE_UNCHANGED,
    PLAN_ADOPTED_IMMUTABLE,
    PLAN_NEEDS_ITAT_ADVICE,
    PLAN_VERSION,
    RUNNING_ESCALATION_STATUSES,
    RUNNING_EXIT_STATUSES,
    EscalationStatus,
    Lifecycle,
    Status,
    assert_transition,
)
from kernel.errors import RuleViolation
from tests.factories import (
    ASSIGNED_ON,
    REGISTERED_ON,
    SIGNED_ON,
    AssessmentFactory,
    CaseFactory,
    OrganisationFactory,
    PlanVersionFactory,
    RegionFactory,
    RegisseurFactory,
    UserFactory,
    weigh_in,
)

IN_PHASE_2_ON = datetime.date(2025, 3, 10)
BACK_IN_PHASE_1_ON = datetime.date(2025, 4, 1)
ASSESSED_ON = datetime.date(2026, 11, 1)
PROPOSED_ON = datetime.date(2026, 11, 23)
ADVISED_ON = datetime.date(2026, 12, 1)
DECIDED_ON = datetime.date(2026, 12, 15)
REASON = "Getest langs de levenscyclus."

Transition = tuple[Status | None, Status]


def refused_pairs(lifecycle: Lifecycle) -> list[tuple[Status, Status]]:
    return [
        (from_, to)
        for from_ in lifecycle.statuses
        for to in lifecycle.statuses
        if not lifecycle.allows(from_, to)
    ]


# --- the tables ------------------------------------------------------------------------


def test_every_status_of_each_enum_is_in_its_lifecycle():
    assert CASE_STATUS.statuses == set(CaseStatus)
    assert PHASE.statuses == set(Phase)
    assert PLAN_VERSION.statuses == set(PlanStatus)
    assert EXIT_PROCEDURE.statuses == set(ExitProcedure.Status)
    assert ESCALATION.statuses == set(EscalationStatus)


def test_open_cases_and_running_exits_are_the_statuses_that_can_still_change():
    assert set(OPEN_STATUSES) == CASE_STATUS.statuses - CASE_STATUS.final
    assert set(RUNNING_EXIT_STATUSES) == EXIT_PROCEDURE.statuses - EXIT_PROCEDURE.final
    assert set(RUNNING_ESCALATION_STATUSES) == ESCALATION.statuses - ESCALATION.final


# The statuses a service asks a lifecycle for (a phase: any, by the user's choice).
ASKED_FOR = [
    (CASE_STATUS, {CaseStatus.IN_REGIE}),
    (PHASE, set(Phase)),
    (PLAN_VERSION, {PlanStatus.ADVISED, PlanStatus.ADOPTED}),
    (
        ESCALATION,
        {EscalationStatus.CONSULTED, EscalationStatus.BREAKTHROUGH, EscalationStatus.RESOLVED},
    ),
    (
        EXIT_PROCEDURE,
        {
            ExitProcedure.Status.ADVISED,
            ExitProcedure.Status.APPROVED,
            ExitProcedure.Status.REJECTED,
            ExitProcedure.Status.WITHDRAWN,
        },
    ),
]


@pytest.mark.parametrize(("lifecycle", "targets"), ASKED_FOR, ids=lambda v: getattr(v, "name", ""))
def test_every_refused_change_a_service_asks_for_has_a_message(lifecycle, targets):
    for from_, to in refused_pairs(lifecycle):
        if to in targets:
            assert lifecycle.refusal(from_, to).message


@pytest.mark.parametrize(
    ("lifecycle", "from_", "to", "message", "code"),
    [
        (PHASE, Phase.CONTACT, Phase.CONTACT, PHASE_UNCHANGED, "phase_unchanged"),
        (PHASE, Phase.CONTACT, Phase.EXIT, PHASE_ONE_STEP_AT_A_TIME, "phase_skipped"),
        (
            PLAN_VERSION,
            PlanStatus.CONCEPT,
            PlanStatus.ADOPTED,
            PLAN_NEEDS_ITAT_ADVICE,
            "no_itat_advice",
        ),
        (
            EXIT_PROCEDURE,
            ExitProcedure.Status.WITHDRAWN,
            ExitProcedure.Status.ADVISED,
            EXIT_NOT_RUNNING,
            "not_running",
        ),
        (
            CASE_STATUS,
            CaseStatus.IN_REGIE,
            CaseStatus.IN_REGIE,
            NOTIFICATION_ALREADY_SIGNED,
            "already_signed",
        ),
    ],
)
def test_assert_transition_raises_the_refusal(lifecycle, from_, to, message, code):
    with pytest.raises(RuleViolation) as refused:
        assert_transition(lifecycle, from_, to)
    assert (refused.value.message, refused.value.code) == (message, code)


def test_a_skipped_phase_names_both_phases():
    with pytest.raises(RuleViolation) as refused:
        assert_transition(PHASE, Phase.CONTACT, Phase.EXIT)
    assert refused.value.params == {"from_phase": Phase.CONTACT, "to_phase": Phase.EXIT}


def test_an_allowed_change_passes():
    for lifecycle in LIFECYCLES:
        for from_, to in lifecycle.allowed():
            assert_transition(lifecycle, from_, to)


def test_the_path_between_phases_goes_one_step_at_a_time():
    assert PHASE.path(Phase.CONTACT, Phase.EXIT) == [Phase.EXECUTION, Phase.EXIT]
    assert PHASE.path(Phase.EXIT, Phase.CONTACT) == [Phase.EXECUTION, Phase.CONTACT]
    assert PHASE.path(Phase.EXECUTION, Phase.EXECUTION) == []
    with pytest.raises(KeyError):
        EXIT_PROCEDURE.path(ExitProcedure.Status.APPROVED, ExitProcedure.Status.OPEN)


def test_the_one_running_procedure_constraint_reads_the_running_statuses():
    (constraint,) = [
        c
        for c in ExitProcedure._meta.constraints
        if c.name == "one_running_exit_procedure_per_case"
    ]
    assert isinstance(constraint, UniqueConstraint)
    assert constraint.condition is not None
    assert constraint.condition.children == [("status__in", list(RUNNING_EXIT_STATUSES))]


def test_any_is_no_status():
    for lifecycle in LIFECYCLES:
        assert ANY not in lifecycle.statuses


# --- every allowed change is made by a service ---------------------------------------


def status_of(record: Case | PlanVersion | ExitProcedure | Escalation) -> Status:
    record.refresh_from_db()
    return record.status


def phase_of(case: Case) -> Status:
    case.refresh_from_db()
    return case.phase


def exit_ready_case(start_case, author: User) -> Case:
    """A case in regie in phase 3 (the exit process, R-EXIT-2) on an adopted plan, with
    no threat any more."""
    case = start_case()
    PlanVersionFactory(case=case, adopted=True)
    case_change_phase(
        case=case, to_phase=Phase.EXECUTION, reason=REASON, on=IN_PHASE_2_ON, by=author
    )
    case_change_phase(case=case, to_phase=Phase.EXIT, reason=REASON, on=IN_PHASE_2_ON, by=author)
    AssessmentFactory(
        case=case, assessed_on=ASSESSED_ON, safety_criterion=False, care_criterion=False
    )
    return case


def propose(case: Case, by: User) -> ExitProcedure:
    return exit_propose(
        case=case,
        ground=ExitGround.RISK_AND_CARE_GONE,
        team_judgement="Geen signalen meer.",
        on=PROPOSED_ON,
        by=by,
    )


def advise(procedure: ExitProcedure, by: User) -> None:
    exit_record_itat_advice(
        procedure=procedure,
        given_on=ADVISED_ON,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice="Verantwoord.",
        by=by,
    )


def withdraw(procedure: ExitProcedure, by: User) -> None:
    exit_withdraw(procedure=procedure, reason=REASON, on=DECIDED_ON, by=by)


def decide(procedure: ExitProcedure, by: User, decision: str) -> None:
    exit_decide(
        procedure=procedure, decision=decision, decided_on=DECIDED_ON, reasoning=REASON, by=by
    )


@pytest.mark.django_db
def test_every_exit_procedure_change_is_made_by_a_service(author, start_case, pto_r_member):
    seen: set[Transition] = set()

    def step(procedure: ExitProcedure, change: Callable[[], object]) -> None:
        before = status_of(procedure)
        change()
        seen.add((before, status_of(procedure)))

    procedure = propose(exit_ready_case(start_case, author), author)
    seen.add((None, status_of(procedure)))
    step(procedure, lambda: withdraw(procedure, author))
    for outcome in ("withdraw", ExitProcedure.Decision.REJECTED, ExitProcedure.Decision.APPROVED):
        case = exit_ready_case(start_case, author)
        procedure = propose(case, author)
        step(procedure, partial(advise, procedure, author))
        if outcome == "withdraw":
            step(procedure, partial(withdraw, procedure, author))
        else:
            step(procedure, partial(decide, procedure, pto_r_member, outcome))

    assert seen == set(EXIT_PROCEDURE.allowed())
    for from_, to in refused_pairs(EXIT_PROCEDURE):
        assert EXIT_PROCEDURE.refusal(from_, to).message


@pytest.mark.django_db
def test_every_case_status_change_is_made_by_a_service(author, start_case, pto_r_member):
    case = case_register(
        number="WF-00001",
        region=RegionFactory(),
        registered_on=REGISTERED_ON,
        first_name="Testpersoon",
        last_name="Fictief",
        date_of_birth=datetime.date(1999, 5, 17),
        address="Voorbeeldstraat 1",
        by=author,
    )
    seen: set[Transition] = {(None, status_of(case))}
    weigh_in(case, by=author)
    case_assign(
        case=case,
        regisseur=RegisseurFactory(),
        buddy=RegisseurFactory(),
        on=ASSIGNED_ON,
        reason=REASON,
        by=author,
    )
    case_sign_notification(case=case, signed_on=SIGNED_ON, by=author)
    seen.add((CaseStatus.REGISTERED, status_of(case)))
    declined = case_register(
        number="WF-00002",
        region=RegionFactory(),
        registered_on=REGISTERED_ON,
        first_name="Testpersoon",
        last_name="Fictief",
        date_of_birth=None,
        address="",
        by=author,
    )
    AssessmentFactory(case=declined, assessed_on=REGISTERED_ON, safety_criterion=False)
    case_close_not_included(case=declined, on=REGISTERED_ON, reason=REASON, by=author)
    seen.add((CaseStatus.REGISTERED, status_of(declined)))
    case = exit_ready_case(start_case, author)
    procedure = propose(case, author)
    advise(procedure, author)
    before = status_of(case)
    decide(procedure, pto_r_member, ExitProcedure.Decision.APPROVED)
    seen.add((before, status_of(case)))

    assert seen == set(CASE_STATUS.allowed())
    with pytest.raises(RuleViolation) as refused:
        case_sign_notification(case=case, signed_on=SIGNED_ON, by=author)
    assert refused.value.message == NOTIFICATION_CASE_EXITED


@pytest.mark.django_db
def test_every_phase_change_is_made_by_a_service(author, start_case):
    case = start_case()  # the notification letter: from no phase to phase 1
    seen: set[Transition] = set(case.phase_transitions.values_list("from_phase", "to_phase"))

    def to(to_phase: Phase, on: datetime.date) -> None:
        before = phase_of(case)
        case_change_phase(case=case, to_phase=to_phase, reason=REASON, on=on, by=author)
        seen.add((before, phase_of(case)))

    PlanVersionFactory(case=case, adopted=True)
    to(Phase.EXECUTION, IN_PHASE_2_ON)
    to(Phase.CONTACT, BACK_IN_PHASE_1_ON)
    to(Phase.EXECUTION, BACK_IN_PHASE_1_ON)
    AssessmentFactory(
        case=case, assessed_on=ASSESSED_ON, safety_criterion=False, care_criterion=False
    )
    to(Phase.EXIT, PROPOSED_ON)
    procedure = propose(case, author)
    exit_withdraw(procedure=procedure, reason=REASON, on=PROPOSED_ON, by=author)
    to(Phase.EXECUTION, PROPOSED_ON)

    assert seen == set(PHASE.allowed())
    case_change_phase(case=case, to_phase=Phase.CONTACT, reason=REASON, on=PROPOSED_ON, by=author)
    with pytest.raises(RuleViolation) as refused:
        case_change_phase(case=case, to_phase=Phase.EXIT, reason=REASON, on=PROPOSED_ON, by=author)
    assert refused.value.message == PHASE_ONE_STEP_AT_A_TIME


@pytest.mark.django_db
def test_every_plan_version_change_is_made_by_a_service(today, author):
    version = plan_version_create(
        case=CaseFactory(),
        concerns="Zorg",
        goals="Doel",
        course="Koers",
        joint_task="Opgave",
        focus="",
        explanation="",
        interventions=[
            InterventionInput(
                description="Iets",
                pillar=Pillar.ZORG,
                responsible_organisation=OrganisationFactory(),
                deadline=today,
            )
        ],
        by=author,
    )
    seen: set[Transition] = {(None, status_of(version))}

    def step(change: Callable[[], object]) -> None:
        before = status_of(version)
        change()
        seen.add((before, status_of(version)))

    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=version, adopted_on=today, by=author)
    assert refused.value.message == PLAN_NEEDS_ITAT_ADVICE
    for _ in range(2):  # advice, and advice again on the same version
        step(
            lambda: plan_record_itat_advice(
                version=version,
                given_on=today,
                recommendation=ItatAdvice.Recommendation.POSITIVE,
                advice="Helder.",
                by=author,
            )
        )
    step(lambda: plan_version_adopt(version=version, adopted_on=today, by=author))

    assert seen == set(PLAN_VERSION.allowed())
    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=version, adopted_on=today, by=author)
    assert refused.value.message == PLAN_ADOPTED_IMMUTABLE


@pytest.mark.django_db
def test_every_escalation_change_is_made_by_a_service(today, author):
    escalation = escalation_open(
        case=CaseFactory(phase2=True),
        stuck_since=today,
        what_is_stuck="Geen contact.",
        team_attempts="Huisbezoek.",
        by=author,
    )
    seen: set[Transition] = {(None, status_of(escalation))}

    def step(change: Callable[[], object]) -> None:
        before = status_of(escalation)
        change()
        seen.add((before, status_of(escalation)))

    def record(kind: str) -> Callable[[], object]:
        return lambda: escalation_record_step(
            escalation=escalation,
            kind=kind,
            held_on=today,
            participants="Regisseur, ITAT-R",
            outcome="Afspraken.",
            by=author,
        )

    with pytest.raises(RuleViolation) as refused:
        record(EscalationStep.Kind.BREAKTHROUGH)()
    assert refused.value.message == ESCALATION_CONSULT_FIRST
    step(record(EscalationStep.Kind.COLLEAGUES))
    step(record(EscalationStep.Kind.ITAT_R))
    step(record(EscalationStep.Kind.BREAKTHROUGH))
    step(record(EscalationStep.Kind.BREAKTHROUGH))

    def resolve() -> object:
        return escalation_resolve(escalation=escalation, on=today, resolution="Los.", by=author)

    step(resolve)
    # The shorter ways to a resolution: straight from stuck, and after a consultation.
    for consultations in (0, 1):
        escalation = escalation_open(
            case=CaseFactory(phase2=True),
            stuck_since=today,
            what_is_stuck="Geen contact.",
            team_attempts="Huisbezoek.",
            by=author,
        )
        for _ in range(consultations):
            step(record(EscalationStep.Kind.PROGRAMME_TEAM))
        step(resolve)

    assert seen == set(ESCALATION.allowed())


# --- the named querysets -----------------------------------------------------------------


@pytest.mark.django_db
def test_open_cases_are_the_registered_and_in_regie_ones():
    CaseFactory(registered=True)
    CaseFactory()
    CaseFactory(exited=True)
    old = Case.objects.filter(status__in=["aangemeld", "in_regie"])
    assert set(Case.objects.open()) == set(old)
    assert Case.objects.open().count() == 2


@pytest.mark.django_db
def test_running_exit_procedures_are_the_open_and_advised_ones():
    by = UserFactory()
    for status in ExitProcedure.Status:
        ExitProcedure.objects.create(
            case=CaseFactory(),
            status=status,
            ground=ExitGround.OTHER,
            ground_explanation=REASON,
            opened_on=PROPOSED_ON,
            opened_by=by,
        )
    old = ExitProcedure.objects.filter(status__in=["open", "advies"])
    assert set(ExitProcedure.objects.running()) == set(old)
    assert ExitProcedure.objects.running().count() == len(RUNNING_EXIT_STATUSES)
    assert all(p.is_running for p in ExitProcedure.objects.running())
    running = old.get(status=ExitProcedure.Status.OPEN)
    assert list(running.case.exit_procedures.running()) == [running]


@pytest.mark.django_db
def test_adopted_plan_versions_are_the_vastgesteld_ones():
    case = CaseFactory()
    PlanVersionFactory(case=case, adopted=True)
    PlanVersionFactory(case=case, number=2)
    old = PlanVersion.objects.filter(status="vastgesteld")
    assert list(PlanVersion.objects.adopted()) == list(old)
    assert [v.number for v in case.plan_versions.adopted()] == [1]
