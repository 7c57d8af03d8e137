"""Case selectors: the case page in a fixed number of queries, a regisseur's own
cases with his/her role on each, and the exit proposals waiting for PTO-R."""

from __future__ import annotations

import datetime

import pytest

from cases.models import (
    Case,
    Evaluation,
    ExitProcedure,
    ItatAdvice,
)
from cases.selectors.cases import (
    CaseRole,
    case_detail,
    cases_of_regisseur,
    exit_procedures_awaiting_decision,
    listed_person,
)
from cases.services.exits import case_record_move, exit_decide, exit_record_itat_advice
from pool.models import Absence
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    EvaluationFactory,
    InterventionFactory,
    ItatAdviceFactory,
    MeetingActionFactory,
    MeetingAttendeeFactory,
    MeetingFactory,
    OrganisationFactory,
    PlanVersionFactory,
    RegisseurFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 23)

# case_detail: one query for the case row joined with its region, regisseur and
# buddy (each with user and organisation) and the person; then one per prefetched
# relation, whatever its size.
CASE_ROW_QUERIES = 1
CASE_DETAIL_PREFETCHES = (
    "intervention team",
    "plan versions",
    "their interventions",
    "their ITAT-R advice",
    "meetings",
    "their actions",
    "their attendees",
    "assessments",
    "evaluations",
    "exit procedures",
    "their ITAT-R advice",
    "escalations of a stuck case, with their steps",
    "phase transitions",
    "assignments",
)
CASE_DETAIL_QUERIES = CASE_ROW_QUERIES + len(CASE_DETAIL_PREFETCHES)
NOTHING_MORE = 0  # reading the whole page afterwards asks nothing: all was prefetched
# A regisseur's list: the colleagues he stands in for, then the cases through the
# director indexes.
STAND_INS = 1
MY_CASES = 1
# The PTO-R list: the procedures with their case and region; their advice with its plan
# version.
PROCEDURES = 1
THEIR_ADVICE = 1


def furnished_case(start_case, author, *, meetings: int) -> Case:
    """A case with at least one of everything its page shows (an empty relation
    would skip the queries nested under it), and ``meetings`` UVOs."""
    case = start_case()  # person, assignments and the phase history
    organisation = OrganisationFactory(code="ggd", name="GGD")
    TeamMemberFactory(case=case, user=UserFactory(), organisation=organisation)
    version = PlanVersionFactory(case=case, adopted=True)
    InterventionFactory.create_batch(2, plan_version=version)
    ItatAdviceFactory(
        plan_version=version,
        given_on=datetime.date(2025, 2, 20),
        advice="Helder plan.",
        recorded_by=author,
    )
    for week in range(meetings):
        meeting = MeetingFactory(
            case=case, held_on=datetime.date(2025, 2, 3) + datetime.timedelta(weeks=week)
        )
        MeetingActionFactory(
            meeting=meeting,
            description="Huisbezoek plannen",
            owner_organisation=organisation,
            due_on=meeting.held_on + datetime.timedelta(days=14),
        )
        MeetingAttendeeFactory(meeting=meeting, name="Professional", organisation=organisation)
    assessment = AssessmentFactory(case=case)
    EvaluationFactory(
        case=case,
        kind=Evaluation.Kind.MONTHLY,
        held_on=datetime.date(2025, 4, 1),
        plan_version=version,
        assessment=assessment,
        findings="Woonsituatie stabiel.",
        recorded_by=author,
    )
    move = case_record_move(
        case=case,
        destination="Utrecht",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=ON,
        by=author,
    )
    exit_record_itat_advice(
        procedure=move,
        given_on=ON,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice="Overdracht aan Utrecht regelen.",
        by=author,
    )
    return case


def read_the_whole_page(case: Case) -> int:
    """Touch everything the case page shows; returns the number of meetings."""
    _ = (case.region.name, case.person.bsn)
    for director in (case.regisseur, case.buddy):
        assert director is not None
        _ = (director.user.get_full_name(), director.organisation.name)
    for member in case.team_members.all():
        _ = (member.organisation.name, member.user)
    for version in case.plan_versions.all():
        _ = (version.created_by, version.adopted_by)
        for intervention in version.interventions.all():
            _ = intervention.responsible_organisation.name
        for advice in version.itat_advices.all():
            _ = advice.recorded_by
    meetings = list(case.meetings.all())
    for meeting in meetings:
        _ = meeting.recorded_by
        for action in meeting.actions.all():
            _ = action.owner_organisation.name
        for attendee in meeting.attendees.all():
            _ = attendee.organisation.name
    for assessment in case.assessments.all():
        _ = assessment.assessor
    for evaluation in case.evaluations.all():
        _ = (evaluation.plan_version, evaluation.assessment, evaluation.recorded_by)
    for procedure in case.exit_procedures.all():
        _ = (procedure.opened_by, procedure.decided_by, procedure.decision_plan_version)
        for advice in procedure.itat_advices.all():
            _ = (advice.plan_version, advice.recorded_by)
    for transition in case.phase_transitions.all():
        _ = transition.by
    for assignment in case.assignments.all():
        _ = (assignment.regisseur.user, assignment.by)
    return len(meetings)


@pytest.mark.parametrize("meetings", [1, 10])
def test_the_case_page_takes_the_same_queries_for_1_and_10_meetings(start_case, author, meetings):
    case = furnished_case(start_case, author, meetings=meetings)

    with assert_query_count(CASE_DETAIL_QUERIES, what="case_detail"):
        detail = case_detail(case.pk)
    with assert_query_count(NOTHING_MORE, what="reading the case page"):
        assert read_the_whole_page(detail) == meetings


def test_the_case_page_raises_for_an_unknown_case():
    with pytest.raises(Case.DoesNotExist):
        case_detail(0)


# --- a regisseur's cases -------------------------------------------------------------


def test_a_regisseurs_cases_are_his_own_his_buddy_cases_and_those_he_stands_in_for(author):
    me, absent = RegisseurFactory(), RegisseurFactory()
    own = CaseFactory(regisseur=me)
    buddied = CaseFactory(buddy=me)
    covered = CaseFactory(regisseur=absent)
    CaseFactory()  # somebody else's
    CaseFactory(regisseur=me, exited=True)
    Absence.objects.create(
        regisseur=absent,
        starts_on=ON,
        ends_on=ON + datetime.timedelta(days=14),
        stand_in=me,
        created_by=author,
    )

    during = {case: case.role for case in cases_of_regisseur(me, on=ON)}
    assert during == {own: CaseRole.REGISSEUR, buddied: CaseRole.BUDDY, covered: CaseRole.STAND_IN}

    before = {case: case.role for case in cases_of_regisseur(me, on=ON - datetime.timedelta(1))}
    assert before == {own: CaseRole.REGISSEUR, buddied: CaseRole.BUDDY}


@pytest.mark.parametrize("cases", [1, 5])
def test_a_regisseurs_case_list_takes_two_queries(cases):
    """The colleagues he stands in for, then the cases through the director indexes, each
    with the names its row shows."""
    me = RegisseurFactory()
    CaseFactory.create_batch(cases, regisseur=me)
    with assert_query_count(STAND_INS + MY_CASES, what="cases_of_regisseur"):
        listed = [
            (
                c.number,
                c.role,
                c.region_name,
                listed_person(c, "regisseur"),
                listed_person(c, "buddy"),
            )
            for c in cases_of_regisseur(me, on=ON)
        ]
    assert len(listed) == cases


# --- exit proposals waiting for PTO-R ------------------------------------------------


def moved_and_advised(author, *, advised_on: datetime.date) -> ExitProcedure:
    case = CaseFactory()
    PlanVersionFactory(case=case)
    move = case_record_move(
        case=case,
        destination="Utrecht",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=advised_on,
        by=author,
    )
    exit_record_itat_advice(
        procedure=move,
        given_on=advised_on,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice="Overdracht regelen.",
        by=author,
    )
    move.refresh_from_db()
    return move


def test_the_proposals_awaiting_pto_r_longest_waiting_first(author, pto_r_member):
    recent = moved_and_advised(author, advised_on=ON)
    oldest = moved_and_advised(author, advised_on=ON - datetime.timedelta(days=20))
    decided = moved_and_advised(author, advised_on=ON - datetime.timedelta(days=40))
    exit_decide(
        procedure=decided,
        decision="afgewezen",
        decided_on=ON,
        reasoning="Nog niet.",
        by=pto_r_member,
    )
    case_record_move(  # opened, not yet advised
        case=CaseFactory(),
        destination="Utrecht",
        abroad=False,
        municipality_contact="Gesprek met de nieuwe gemeente.",
        moved_on=ON,
        by=author,
    )

    waiting = list(exit_procedures_awaiting_decision())

    assert waiting == [oldest, recent]
    assert [p.advised_on for p in waiting] == [ON - datetime.timedelta(days=20), ON]


@pytest.mark.parametrize("proposals", [1, 4])
def test_the_pto_r_list_takes_two_queries(author, proposals):
    for _ in range(proposals):
        moved_and_advised(author, advised_on=ON)
    with assert_query_count(PROCEDURES + THEIR_ADVICE, what="exit_procedures_awaiting_decision"):
        listed = [
            (
                p.case.number,
                p.case.region.name,
                [a.plan_version.number for a in p.itat_advices.all()],
            )
            for p in exit_procedures_awaiting_decision()
        ]
    assert len(listed) == proposals
