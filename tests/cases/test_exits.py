"""The exit process: the team's judgement leads to a proposal, ITAT-R advises and
PTO-R decides, both pinned to the exact plan version; a move starts the procedure
at once; nobody exits while there is a threat of violence."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.access import users_with_case_access
from cases.models import (
    Assignment,
    Case,
    CaseStatus,
    ExitGround,
    ExitProcedure,
    ItatAdvice,
    Phase,
    PhaseTransition,
    PlanVersion,
)
from cases.services.exits import (
    EXIT_ADVICE_ALREADY_GIVEN,
    EXIT_ADVICE_NEEDS_PHASE_3,
    EXIT_ADVICE_NEEDS_PLAN_VERSION,
    EXIT_ALREADY_RUNNING,
    EXIT_APPROVED_REASON,
    EXIT_CASE_EXITED,
    EXIT_DECISION_NEEDS_ADVICE,
    EXIT_DECISION_ONLY_PTO_R,
    EXIT_HANDOVER_NEEDS_ORGANISATION,
    EXIT_MOVE_BEFORE_REGISTRATION,
    EXIT_MOVE_IN_FUTURE,
    EXIT_MOVE_NEEDS_DESTINATION,
    EXIT_MOVE_NEEDS_INFORMATION_WEIGHING,
    EXIT_MOVE_NEEDS_MUNICIPALITY_CONTACT,
    EXIT_NEEDS_ASSESSMENT,
    EXIT_NOT_RUNNING,
    EXIT_OTHER_NEEDS_EXPLANATION,
    EXIT_PROPOSAL_NEEDS_PHASE_3,
    EXIT_REFUSED_THREAT_OF_VIOLENCE,
    EXIT_TEAM_JUDGEMENT_REQUIRED,
    case_record_move,
    exit_decide,
    exit_propose,
    exit_record_itat_advice,
    exit_withdraw,
)
from cases.services.phases import case_change_phase
from cases.workflow import exit_may_open
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from tests.factories import AssessmentFactory, CaseFactory, PlanVersionFactory

pytestmark = pytest.mark.django_db

IN_PHASE_2_ON = datetime.date(2025, 3, 10)
ASSESSED_ON = datetime.date(2026, 11, 1)
PROPOSED_ON = datetime.date(2026, 11, 23)
ADVISED_ON = datetime.date(2026, 12, 1)
DECIDED_ON = datetime.date(2026, 12, 15)
JUDGEMENT = "Twee jaar geen signalen van geweldsbereidheid; leefgebieden op orde."
# R-EXIT-3: every ground but a move ('anders' too) waits while a threat remains.
GROUNDS_REFUSED_UNDER_THREAT = [
    ExitGround.RISK_AND_CARE_GONE,
    ExitGround.CARE_HANDED_OVER,
    ExitGround.OTHER,
]
IN_PHASE_3_ON = datetime.date(2026, 9, 1)


def no_threat(case: Case, on: datetime.date = ASSESSED_ON) -> None:
    AssessmentFactory(case=case, assessed_on=on, safety_criterion=False, care_criterion=False)


def threat(case: Case, on: datetime.date = ASSESSED_ON) -> None:
    AssessmentFactory(case=case, assessed_on=on, safety_criterion=True)


def propose(case: Case, by, ground: str = ExitGround.RISK_AND_CARE_GONE, **extra) -> ExitProcedure:
    if ground == ExitGround.CARE_HANDED_OVER:
        extra.setdefault("handover_organisation", "Schuldhulpverlening Amsterdam")
    if ground == ExitGround.OTHER:
        extra.setdefault("ground_explanation", "Opgenomen in een instelling buiten de regio.")
    return exit_propose(
        case=case, ground=ground, team_judgement=JUDGEMENT, on=PROPOSED_ON, by=by, **extra
    )


def advise(procedure: ExitProcedure, by, **extra) -> ItatAdvice:
    return exit_record_itat_advice(
        procedure=procedure,
        given_on=ADVISED_ON,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice="Uitstroom verantwoord; nazorg via het wijkteam.",
        by=by,
        **extra,
    )


def decide(procedure: ExitProcedure, by, decision: str = ExitProcedure.Decision.APPROVED, **extra):
    return exit_decide(
        procedure=procedure,
        decision=decision,
        decided_on=DECIDED_ON,
        reasoning="Alle kernpartners zien geen gevaarsrisico meer.",
        by=by,
        **extra,
    )


@pytest.fixture
def plan_v1(author, start_case) -> PlanVersion:
    """A case in regie, in phase 3 (the exit process) on its adopted first plan, no
    threat any more: where an exit proposal is made (R-EXIT-2)."""
    case = start_case()
    version = PlanVersionFactory(case=case, adopted=True)
    case_change_phase(
        case=case, to_phase=Phase.EXECUTION, reason="Plan vastgesteld.", on=IN_PHASE_2_ON, by=author
    )
    case_change_phase(
        case=case, to_phase=Phase.EXIT, reason="Afschalen.", on=IN_PHASE_3_ON, by=author
    )
    no_threat(case)
    return version


@pytest.fixture
def proposal(author, plan_v1) -> ExitProcedure:
    """The team's proposal at the end of phase 3."""
    return propose(plan_v1.case, author)


# --- the proposal --------------------------------------------------------------------


def test_the_team_judgement_opens_the_procedure(author, plan_v1):
    procedure = propose(plan_v1.case, author)
    procedure.refresh_from_db()
    assert (procedure.status, procedure.ground, procedure.opened_on, procedure.opened_by) == (
        ExitProcedure.Status.OPEN,
        ExitGround.RISK_AND_CARE_GONE,
        PROPOSED_ON,
        author,
    )
    assert (procedure.team_judgement, procedure.team_judgement_on) == (JUDGEMENT, PROPOSED_ON)


def test_a_proposal_rests_on_the_team_judgement(author, plan_v1):
    with pytest.raises(ValidationError) as refused:
        exit_propose(
            case=plan_v1.case,
            ground=ExitGround.RISK_AND_CARE_GONE,
            team_judgement=" ",
            on=PROPOSED_ON,
            by=author,
        )
    assert refused.value.message == EXIT_TEAM_JUDGEMENT_REQUIRED


@pytest.mark.parametrize(
    ("ground", "message"),
    [
        (ExitGround.CARE_HANDED_OVER, EXIT_HANDOVER_NEEDS_ORGANISATION),
        (ExitGround.MOVED_NL, EXIT_MOVE_NEEDS_DESTINATION),
        (ExitGround.MOVED_ABROAD, EXIT_MOVE_NEEDS_DESTINATION),
        (ExitGround.OTHER, EXIT_OTHER_NEEDS_EXPLANATION),
    ],
)
def test_each_ground_names_what_it_needs(author, plan_v1, ground, message):
    with pytest.raises(ValidationError) as refused:
        exit_propose(
            case=plan_v1.case,
            ground=ground,
            team_judgement=JUDGEMENT,
            handover_organisation="",
            on=PROPOSED_ON,
            by=author,
        )
    assert refused.value.message == message


@pytest.mark.parametrize("ground", GROUNDS_REFUSED_UNDER_THREAT)
def test_nobody_exits_while_the_safety_criterion_stands(author, plan_v1, ground):
    threat(plan_v1.case, on=ASSESSED_ON + datetime.timedelta(days=1))  # newer than no_threat
    with pytest.raises(RuleViolation) as refused:
        propose(plan_v1.case, author, ground=ground)
    assert refused.value.message == EXIT_REFUSED_THREAT_OF_VIOLENCE
    assert refused.value.params == {"assessed_on": "02-11-2026"}
    assert not ExitProcedure.objects.exists()


@pytest.mark.parametrize("ground", GROUNDS_REFUSED_UNDER_THREAT)
def test_only_the_latest_assessment_counts(author, plan_v1, ground):
    threat(plan_v1.case, on=ASSESSED_ON - datetime.timedelta(days=60))  # older than no_threat
    assert propose(plan_v1.case, author, ground=ground).ground == ground


def test_a_proposal_that_the_threat_is_gone_needs_an_assessment(author):
    case = CaseFactory(phase3=True)
    with pytest.raises(RuleViolation) as refused:
        propose(case, author)
    assert refused.value.message == EXIT_NEEDS_ASSESSMENT


@pytest.mark.parametrize("phase", [Phase.CONTACT, Phase.EXECUTION])
def test_a_proposal_comes_at_the_end_of_phase_3(author, phase):
    case = CaseFactory(phase=phase)
    no_threat(case)
    with pytest.raises(RuleViolation) as refused:
        propose(case, author)
    assert refused.value.message == EXIT_PROPOSAL_NEEDS_PHASE_3
    assert not ExitProcedure.objects.exists()


def test_one_running_procedure_per_case(author, proposal):
    with pytest.raises(RuleViolation) as refused:
        propose(proposal.case, author, ground=ExitGround.CARE_HANDED_OVER)
    assert refused.value.message == EXIT_ALREADY_RUNNING
    assert ExitProcedure.objects.filter(case=proposal.case).count() == 1


# --- a move --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("abroad", "ground"), [(False, ExitGround.MOVED_NL), (True, ExitGround.MOVED_ABROAD)]
)
def test_a_move_opens_the_procedure_at_once_in_any_phase(author, abroad, ground):
    case = CaseFactory()  # phase 1, no plan, no team judgement
    threat(case)  # moves are exempt: they start at once
    moved_on = datetime.date(2025, 2, 1)

    procedure = case_record_move(
        case=case,
        destination="Utrecht",
        abroad=abroad,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        information_weighing="Politie en OM geven niets door.",
        moved_on=moved_on,
        by=author,
    )

    procedure.refresh_from_db()
    assert (procedure.status, procedure.ground, procedure.destination, procedure.opened_on) == (
        ExitProcedure.Status.OPEN,
        ground,
        "Utrecht",
        moved_on,
    )
    assert procedure.team_judgement == ""


def test_a_move_takes_over_the_running_procedure(author, proposal):
    moved = case_record_move(
        case=proposal.case,
        destination="Berlijn",
        abroad=True,
        information_weighing="Politie en OM geven niets door.",
        moved_on=ADVISED_ON,
        by=author,
    )
    assert moved.pk == proposal.pk
    assert (moved.ground, moved.destination) == (ExitGround.MOVED_ABROAD, "Berlijn")
    assert ExitProcedure.objects.filter(case=proposal.case).count() == 1


MOVE_CONTACT = "Gesprek met de nieuwe gemeente: warme overdracht aan het zorgteam daar."
MOVE_WEIGHING = "Politie en OM geven het dossier niet door."


@pytest.mark.parametrize("phase", list(Phase))
def test_a_move_opens_the_procedure_in_every_phase(author, phase):
    case = CaseFactory(phase=phase)
    procedure = case_record_move(
        case=case,
        destination="Utrecht",
        abroad=False,
        municipality_contact=MOVE_CONTACT,
        moved_on=datetime.date(2025, 2, 1),
        by=author,
    )
    assert procedure.is_running
    assert exit_may_open(phase=phase, move=True)


def test_a_move_records_the_contact_or_the_weighing_that_fits_it(author):
    home = case_record_move(
        case=CaseFactory(),
        destination="Utrecht",
        abroad=False,
        municipality_contact=MOVE_CONTACT,
        information_weighing="(niet van toepassing)",
        moved_on=datetime.date(2025, 2, 1),
        by=author,
    )
    abroad = case_record_move(
        case=CaseFactory(),
        destination="Berlijn",
        abroad=True,
        information_weighing=MOVE_WEIGHING,
        moved_on=datetime.date(2025, 2, 1),
        by=author,
    )
    assert (home.municipality_contact, home.information_weighing) == (MOVE_CONTACT, "")
    assert (abroad.municipality_contact, abroad.information_weighing) == ("", MOVE_WEIGHING)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"destination": " "}, EXIT_MOVE_NEEDS_DESTINATION),
        ({"municipality_contact": " "}, EXIT_MOVE_NEEDS_MUNICIPALITY_CONTACT),
        ({"abroad": True, "information_weighing": ""}, EXIT_MOVE_NEEDS_INFORMATION_WEIGHING),
        ({"moved_on": datetime.date(2099, 1, 1)}, EXIT_MOVE_IN_FUTURE),
        ({"moved_on": datetime.date(2000, 1, 1)}, EXIT_MOVE_BEFORE_REGISTRATION),
    ],
)
def test_a_move_without_its_arrangements_changes_nothing(author, fields, message):
    case = CaseFactory()
    revision = case.revision
    values = {
        "destination": "Utrecht",
        "abroad": False,
        "municipality_contact": MOVE_CONTACT,
        "moved_on": datetime.date(2025, 2, 1),
    } | fields
    with pytest.raises(ValidationError) as refused:
        case_record_move(case=case, **values, by=author)
    assert refused.value.messages == [message]
    assert not ExitProcedure.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.revision == revision


def test_a_move_opens_the_procedure_in_any_phase_another_ground_only_in_phase_3():
    """R-EXIT-2: phase 3 is the exit process and the proposal comes at its end."""
    for phase in Phase:
        assert exit_may_open(phase=phase, move=True)
    assert not exit_may_open(phase=Phase.CONTACT, move=False)
    assert not exit_may_open(phase=Phase.EXECUTION, move=False)
    assert exit_may_open(phase=Phase.EXIT, move=False)


def test_a_move_of_an_exited_person_is_not_recorded(author):
    with pytest.raises(RuleViolation) as refused:
        case_record_move(
            case=CaseFactory(exited=True),
            destination="Utrecht",
            abroad=False,
            municipality_contact="Gesprek met de nieuwe gemeente.",
            moved_on=datetime.date(2026, 7, 1),
            by=author,
        )
    assert refused.value.message == EXIT_CASE_EXITED


# --- ITAT-R advice -------------------------------------------------------------------


def test_the_advice_is_pinned_to_the_latest_adopted_plan_version(author, plan_v1, proposal):
    case = plan_v1.case
    plan_v2 = PlanVersionFactory(case=case, number=2, based_on=plan_v1, adopted=True)
    PlanVersionFactory(case=case, number=3, based_on=plan_v2)  # a concept: not advised on

    advice = advise(proposal, author)

    advice.refresh_from_db()
    assert advice.plan_version == plan_v2
    assert (advice.subject, advice.exit_procedure, advice.given_on, advice.recorded_by) == (
        ItatAdvice.Subject.EXIT,
        proposal,
        ADVISED_ON,
        author,
    )
    proposal.refresh_from_db()
    assert proposal.status == ExitProcedure.Status.ADVISED
    with pytest.raises(RuleViolation) as refused:
        advise(proposal, author)
    assert refused.value.message == EXIT_ADVICE_ALREADY_GIVEN


def test_without_an_adopted_plan_the_advice_reads_the_latest_version(author):
    case = CaseFactory()
    PlanVersionFactory(case=case)  # a first concept
    move = case_record_move(
        case=case,
        destination="Utrecht",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=ADVISED_ON,
        by=author,
    )
    assert advise(move, author).plan_version == PlanVersion.objects.get(case=case)


def test_the_advice_needs_a_plan_version(author):
    move = case_record_move(
        case=CaseFactory(),
        destination="Utrecht",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=ADVISED_ON,
        by=author,
    )
    with pytest.raises(RuleViolation) as refused:
        advise(move, author)
    assert refused.value.message == EXIT_ADVICE_NEEDS_PLAN_VERSION


def test_a_proposal_goes_to_itat_r_from_phase_3(author):
    # A proposal opened outside phase 3 (recorded before R-EXIT-2 was applied).
    case = CaseFactory(phase2=True)
    PlanVersionFactory(case=case, adopted=True)
    procedure = ExitProcedure.objects.create(
        case=case,
        ground=ExitGround.RISK_AND_CARE_GONE,
        team_judgement=JUDGEMENT,
        team_judgement_on=PROPOSED_ON,
        opened_on=PROPOSED_ON,
        opened_by=author,
    )
    with pytest.raises(RuleViolation) as refused:
        advise(procedure, author)
    assert refused.value.message == EXIT_ADVICE_NEEDS_PHASE_3


# --- the PTO-R decision --------------------------------------------------------------


def test_only_pto_r_decides(author, proposal):
    advise(proposal, author)
    with pytest.raises(RuleViolation) as refused:
        decide(proposal, author)
    assert refused.value.message == EXIT_DECISION_ONLY_PTO_R
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision) == (ExitProcedure.Status.ADVISED, "")
    assert Case.objects.get(pk=proposal.case_id).status == CaseStatus.IN_REGIE


def test_pto_r_decides_only_after_the_itat_r_advice(pto_r_member, proposal):
    with pytest.raises(RuleViolation) as refused:
        decide(proposal, pto_r_member)
    assert refused.value.message == EXIT_DECISION_NEEDS_ADVICE


def test_an_approved_exit_closes_the_case_on_the_advised_plan_version(
    author, pto_r_member, plan_v1, proposal
):
    case = plan_v1.case
    directors = {case.regisseur.user_id, case.buddy.user_id}
    assert users_with_case_access(case) == directors
    advise(proposal, author)
    # A newer plan adopted after the advice does not change what PTO-R decided on.
    PlanVersionFactory(
        case=case,
        number=2,
        based_on=plan_v1,
        adopted=True,
        adopted_on=ADVISED_ON + datetime.timedelta(days=1),
    )

    decided = decide(proposal, pto_r_member)

    assert decided.decision_plan_version == plan_v1
    assert (decided.status, decided.decision, decided.decided_on, decided.decided_by) == (
        ExitProcedure.Status.APPROVED,
        ExitProcedure.Decision.APPROVED,
        DECIDED_ON,
        pto_r_member,
    )
    case.refresh_from_db()
    assert (case.status, case.exited_on, case.phase) == (CaseStatus.EXITED, DECIDED_ON, Phase.EXIT)
    last = PhaseTransition.objects.filter(case=case).latest("on", "created_at")
    assert (last.from_phase, last.to_phase, last.on, last.by) == (
        Phase.EXIT,
        Phase.EXIT,
        DECIDED_ON,
        pto_r_member,
    )
    assert last.reason == EXIT_APPROVED_REASON % {"reasoning": decided.decision_reasoning}
    assert set(Assignment.objects.filter(case=case).values_list("ended_on", flat=True)) == {
        DECIDED_ON
    }
    assert users_with_case_access(case) == set()


def test_a_refused_exit_leaves_the_case_where_it_is(author, pto_r_member, proposal):
    advise(proposal, author)
    decided = decide(proposal, pto_r_member, decision=ExitProcedure.Decision.REJECTED)

    assert (decided.status, decided.decision_plan_version) == (
        ExitProcedure.Status.REJECTED,
        ItatAdvice.objects.get(exit_procedure=proposal).plan_version,
    )
    case = Case.objects.get(pk=proposal.case_id)
    assert (case.status, case.phase, case.exited_on) == (CaseStatus.IN_REGIE, Phase.EXIT, None)
    assert not Assignment.objects.filter(case=case, ended_on__isnull=False).exists()
    with pytest.raises(RuleViolation) as refused:
        decide(proposal, pto_r_member)
    assert refused.value.message == EXIT_NOT_RUNNING


def test_approval_is_refused_when_the_threat_returned_after_the_advice(
    author, pto_r_member, proposal
):
    advise(proposal, author)
    threat(proposal.case, on=ADVISED_ON + datetime.timedelta(days=2))
    with pytest.raises(RuleViolation) as refused:
        decide(proposal, pto_r_member)
    assert refused.value.message == EXIT_REFUSED_THREAT_OF_VIOLENCE
    assert Case.objects.get(pk=proposal.case_id).status == CaseStatus.IN_REGIE

    rejected = decide(proposal, pto_r_member, decision=ExitProcedure.Decision.REJECTED)
    assert rejected.status == ExitProcedure.Status.REJECTED


def test_a_move_exits_in_any_phase(author, pto_r_member):
    case = CaseFactory()  # phase 1
    plan = PlanVersionFactory(case=case)
    threat(case)
    move = case_record_move(
        case=case,
        destination="Rotterdam",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=PROPOSED_ON,
        by=author,
    )
    advise(move, author)

    assert decide(move, pto_r_member).decision_plan_version == plan
    case.refresh_from_db()
    assert (case.status, case.phase) == (CaseStatus.EXITED, Phase.EXIT)
    transition = PhaseTransition.objects.get(case=case)
    assert (transition.from_phase, transition.to_phase) == (Phase.CONTACT, Phase.EXIT)


def test_a_decision_on_a_stale_procedure_is_refused(author, pto_r_member, proposal):
    advise(proposal, author)
    loaded_revision = proposal.revision  # before the advice raised it
    with pytest.raises(StaleObject) as refused:
        decide(proposal, pto_r_member, expected_revision=loaded_revision)
    assert refused.value.message == STALE_RECORD

    proposal.refresh_from_db()
    decided = decide(proposal, pto_r_member, expected_revision=proposal.revision)
    assert decided.status == ExitProcedure.Status.APPROVED


# --- withdrawal ----------------------------------------------------------------------


def test_a_withdrawn_proposal_makes_room_for_a_new_one(author, proposal):
    withdrawn = exit_withdraw(
        procedure=proposal, reason="Nieuwe signalen in het UVO.", on=ADVISED_ON, by=author
    )
    assert (withdrawn.status, withdrawn.decision, withdrawn.decision_reasoning) == (
        ExitProcedure.Status.WITHDRAWN,
        "",
        "Nieuwe signalen in het UVO.",
    )
    assert (withdrawn.decided_on, withdrawn.decided_by) == (ADVISED_ON, author)
    with pytest.raises(RuleViolation) as refused:
        exit_withdraw(procedure=proposal, reason="Nogmaals.", on=ADVISED_ON, by=author)
    assert refused.value.message == EXIT_NOT_RUNNING

    again = propose(proposal.case, author, ground=ExitGround.CARE_HANDED_OVER)
    assert again.status == ExitProcedure.Status.OPEN
