"""The deadline selector at fixed dates: one test per rule, its window (not yet in the
horizon, inside it, overdue), the event that moves it on, who is reminded, the
scope filters, and a fixed number of queries however many cases there are."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from accounts.roles import Role
from cases.models import (
    CaseStatus,
    Evaluation,
    ExitGround,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    Phase,
    PlanStatus,
)
from cases.selectors.deadlines import (
    Deadline,
    DeadlineKind,
    deadlines,
    next_deadline_per_case,
)
from pool.models import Absence
from tests.factories import (
    AbsenceFactory,
    CaseFactory,
    CaseloadReviewFactory,
    EvaluationFactory,
    ExitProcedureFactory,
    InterventionFactory,
    ItatAdviceFactory,
    MeetingActionFactory,
    MeetingFactory,
    OrganisationFactory,
    PlanVersionFactory,
    RegionFactory,
    RegisseurFactory,
    ThreeWayTalkFactory,
    UserFactory,
)
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
HORIZON_DAYS = 14
HORIZON = datetime.timedelta(days=HORIZON_DAYS)
ONE_DAY = datetime.timedelta(days=1)
DAYS_LATE = 10

Clock = Callable[[datetime.date], datetime.date]


@pytest.fixture(autouse=True)
def rules(settings):
    """The numbers of docs/rules.md, pinned so an environment variable cannot move a test."""
    settings.IPGAR_FIRST_UVO_WEEKS = 4
    settings.IPGAR_UVO_INTERVAL_MONTHS = 2
    settings.IPGAR_PLAN_EVALUATION_MONTHS = 1
    settings.IPGAR_EXIT_EVALUATION_YEARS = 2
    settings.IPGAR_CASELOAD_REVIEW_MONTHS = 3
    settings.IPGAR_THREE_WAY_TALK_MONTHS = 12
    settings.IPGAR_EXIT_DECISION_DAYS = 28
    settings.IPGAR_DEADLINE_HORIZON_DAYS = HORIZON_DAYS


@pytest.fixture
def clock(time_machine) -> Clock:
    """Freezes time at a morning in Amsterdam and returns that day."""

    def at(day: datetime.date) -> datetime.date:
        time_machine.move_to(
            datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=AMSTERDAM), tick=False
        )
        return timezone.localdate()

    return at


def member_of(role: Role, **user_fields):
    user = UserFactory(**user_fields)
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def programme_team():
    return member_of(Role.PROGRAMME_TEAM)


@pytest.fixture
def pto_r():
    return member_of(Role.PTO_R)


def items_by_key(on: datetime.date, **filters) -> dict[str, Deadline]:
    items = deadlines(on=on, **filters)
    by_key = {item.key: item for item in items}
    assert len(by_key) == len(items), "a key occurs twice in one result"
    return by_key


def assert_due_window(clock: Clock, key: str, due_on: datetime.date) -> None:
    """Absent until the horizon reaches it, then due, then overdue by the right days."""
    assert key not in items_by_key(clock(due_on - HORIZON - ONE_DAY))

    entering = items_by_key(clock(due_on - HORIZON))[key]
    assert (entering.due_on, entering.overdue, entering.days_overdue) == (due_on, False, 0)

    on_the_day = items_by_key(clock(due_on))[key]
    assert (on_the_day.due_on, on_the_day.overdue, on_the_day.days_overdue) == (due_on, False, 0)

    late = items_by_key(clock(due_on + datetime.timedelta(days=DAYS_LATE)))[key]
    assert (late.due_on, late.overdue, late.days_overdue) == (due_on, True, DAYS_LATE)


def exit_advice(procedure: ExitProcedure, given_on: datetime.date) -> ItatAdvice:
    """ITAT-R's advice on the exit, pinned to a newly adopted plan version of the case."""
    return ItatAdviceFactory(
        on_exit=True,
        exit_procedure=procedure,
        plan_version__number=procedure.case.plan_versions.count() + 1,
        given_on=given_on,
        advice="Uitstroom verantwoord.",
    )


# --- 1. first UVO ------------------------------------------------------------------------


def test_first_uvo_is_due_four_weeks_after_the_notification_letter(clock):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    key = f"first_uvo:case:{case.pk}"

    assert_due_window(clock, key, datetime.date(2026, 3, 30))

    with translation.override("nl"):
        item = items_by_key(clock(datetime.date(2026, 3, 30)))[key]
    assert item.kind == DeadlineKind.FIRST_UVO
    assert (item.case_id, item.case_number) == (case.pk, case.number)
    assert item.regisseur_id == case.regisseur_id
    assert item.responsible_user_ids == (case.regisseur.user_id,)
    assert item.label == f"Eerste UVO voor casus {case.number}"


@pytest.mark.parametrize("kind", [Meeting.Kind.FIRST, Meeting.Kind.REGULAR, Meeting.Kind.PLUS])
def test_any_uvo_held_satisfies_the_first_uvo(clock, kind):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    MeetingFactory(case=case, held_on=datetime.date(2026, 4, 8), kind=kind)

    assert f"first_uvo:case:{case.pk}" not in items_by_key(clock(datetime.date(2026, 4, 9)))


def test_part_one_of_a_first_uvo_in_two_meetings_meets_its_deadline(clock):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    MeetingFactory(
        case=case,
        held_on=datetime.date(2026, 3, 20),
        kind=Meeting.Kind.FIRST,
        first_uvo_part=Meeting.Part.FIRST,
    )

    assert f"first_uvo:case:{case.pk}" not in items_by_key(clock(datetime.date(2026, 4, 9)))


def test_a_breakthrough_meeting_is_not_the_first_uvo(clock):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    MeetingFactory(case=case, held_on=datetime.date(2026, 3, 20), kind=Meeting.Kind.BREAKTHROUGH)

    item = items_by_key(clock(datetime.date(2026, 4, 9)))[f"first_uvo:case:{case.pk}"]
    assert (item.overdue, item.days_overdue) == (True, 10)


def test_no_first_uvo_before_the_notification_letter(clock):
    case = CaseFactory(registered=True)

    assert not [i for i in deadlines(on=clock(datetime.date(2026, 3, 2))) if i.case_id == case.pk]


# --- 2. UVO every two months in phase 2 ------------------------------------------------


def test_uvo_is_due_two_months_after_entering_phase_2_when_none_was_held_since(clock):
    case = CaseFactory(phase2=True, phase_since=datetime.date(2026, 1, 15))
    MeetingFactory(case=case, held_on=datetime.date(2025, 12, 1), kind=Meeting.Kind.FIRST)

    assert_due_window(clock, f"uvo:case:{case.pk}", datetime.date(2026, 3, 15))


def test_logging_an_uvo_moves_the_next_uvo_two_months_on(clock):
    case = CaseFactory(phase2=True, phase_since=datetime.date(2026, 1, 15))
    key = f"uvo:case:{case.pk}"
    today = clock(datetime.date(2026, 3, 20))
    assert items_by_key(today)[key].days_overdue == 5

    MeetingFactory(case=case, held_on=today)

    assert key not in items_by_key(today)
    assert_due_window(clock, key, datetime.date(2026, 5, 20))


def test_a_breakthrough_meeting_does_not_keep_up_the_uvo_rhythm(clock):
    case = CaseFactory(phase2=True, phase_since=datetime.date(2026, 1, 15))
    MeetingFactory(case=case, held_on=datetime.date(2026, 3, 1), kind=Meeting.Kind.BREAKTHROUGH)

    item = items_by_key(clock(datetime.date(2026, 3, 20)))[f"uvo:case:{case.pk}"]
    assert item.due_on == datetime.date(2026, 3, 15)


@pytest.mark.parametrize("phase", [Phase.CONTACT, Phase.EXIT])
def test_the_two_monthly_uvo_belongs_to_phase_2_only(clock, phase):
    case = CaseFactory(phase=phase, phase_since=datetime.date(2025, 6, 1))
    MeetingFactory(case=case, held_on=datetime.date(2025, 6, 10))

    assert f"uvo:case:{case.pk}" not in items_by_key(clock(datetime.date(2026, 3, 20)))


# --- 3. monthly plan evaluation ----------------------------------------------------------


def test_plan_evaluation_is_due_a_month_after_the_plan_was_adopted(clock):
    case = CaseFactory(phase2=True)
    PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2026, 2, 10))

    assert_due_window(clock, f"plan_evaluation:case:{case.pk}", datetime.date(2026, 3, 10))


def test_a_monthly_evaluation_moves_the_next_one_a_month_on(clock):
    case = CaseFactory(phase2=True)
    PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2026, 2, 10))
    EvaluationFactory(case=case, kind=Evaluation.Kind.MONTHLY, held_on=datetime.date(2026, 3, 12))
    # The two-yearly evaluation is another obligation: it does not stand in for this one.
    EvaluationFactory(case=case, kind=Evaluation.Kind.TWO_YEARLY, held_on=datetime.date(2026, 4, 1))

    assert_due_window(clock, f"plan_evaluation:case:{case.pk}", datetime.date(2026, 4, 12))


def test_adopting_a_new_plan_version_starts_the_month_again(clock):
    case = CaseFactory(phase3=True)
    PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2026, 2, 10))
    EvaluationFactory(case=case, kind=Evaluation.Kind.MONTHLY, held_on=datetime.date(2026, 3, 12))
    PlanVersionFactory(case=case, number=2, adopted=True, adopted_on=datetime.date(2026, 3, 20))

    assert_due_window(clock, f"plan_evaluation:case:{case.pk}", datetime.date(2026, 4, 20))


def test_no_plan_evaluation_without_an_adopted_plan_or_in_phase_1(clock):
    concept_only = CaseFactory(phase2=True)
    PlanVersionFactory(case=concept_only, status=PlanStatus.CONCEPT)
    in_phase_1 = CaseFactory()
    PlanVersionFactory(case=in_phase_1, adopted=True, adopted_on=datetime.date(2026, 2, 10))

    keys = items_by_key(clock(datetime.date(2026, 6, 1)))
    assert f"plan_evaluation:case:{concept_only.pk}" not in keys
    assert f"plan_evaluation:case:{in_phase_1.pk}" not in keys


# --- 5. two-yearly evaluation ------------------------------------------------------------


def test_two_yearly_evaluation_is_due_two_years_after_the_notification_letter(clock):
    case = CaseFactory(phase2=True, notification_signed_on=datetime.date(2024, 6, 3))

    assert_due_window(clock, f"two_yearly_evaluation:case:{case.pk}", datetime.date(2026, 6, 3))


def test_a_two_yearly_evaluation_moves_the_next_two_years_on(clock):
    case = CaseFactory(phase2=True, notification_signed_on=datetime.date(2024, 6, 3))
    EvaluationFactory(
        case=case, kind=Evaluation.Kind.TWO_YEARLY, held_on=datetime.date(2026, 6, 10)
    )
    EvaluationFactory(case=case, kind=Evaluation.Kind.MONTHLY, held_on=datetime.date(2026, 7, 1))

    assert_due_window(clock, f"two_yearly_evaluation:case:{case.pk}", datetime.date(2028, 6, 10))


def test_no_two_yearly_evaluation_while_the_exit_process_runs(clock):
    case = CaseFactory(phase3=True, notification_signed_on=datetime.date(2024, 6, 3))

    assert f"two_yearly_evaluation:case:{case.pk}" not in items_by_key(
        clock(datetime.date(2026, 7, 1))
    )


# --- 6. caseload review ------------------------------------------------------------------


def test_caseload_review_is_due_three_months_after_joining_the_pool(clock, programme_team, pto_r):
    regisseur = RegisseurFactory(active_from=datetime.date(2026, 1, 5))
    key = f"caseload_review:regisseur:{regisseur.pk}"

    assert_due_window(clock, key, datetime.date(2026, 4, 5))

    with translation.override("nl"):
        item = items_by_key(clock(datetime.date(2026, 4, 5)))[key]
    assert (item.case_id, item.case_number, item.regisseur_id) == (None, None, regisseur.pk)
    assert item.responsible_user_ids == tuple(sorted([programme_team.pk, regisseur.user_id]))
    assert item.label == f"Caseloadbespreking met {regisseur.user.get_full_name()}"


def test_a_caseload_review_moves_the_next_one_three_months_on(clock):
    regisseur = RegisseurFactory(active_from=datetime.date(2026, 1, 5))
    CaseloadReviewFactory(regisseur=regisseur, held_on=datetime.date(2026, 4, 8))

    assert_due_window(clock, f"caseload_review:regisseur:{regisseur.pk}", datetime.date(2026, 7, 8))


# --- 7. three-way talk -------------------------------------------------------------------


def test_three_way_talk_is_due_a_year_after_joining_and_reminds_the_manager(clock, programme_team):
    manager = UserFactory()
    regisseur = RegisseurFactory(active_from=datetime.date(2025, 5, 1), manager=manager)
    key = f"three_way_talk:regisseur:{regisseur.pk}"

    assert_due_window(clock, key, datetime.date(2026, 5, 1))

    item = items_by_key(clock(datetime.date(2026, 5, 1)))[key]
    assert item.responsible_user_ids == tuple(
        sorted([programme_team.pk, regisseur.user_id, manager.pk])
    )


def test_a_three_way_talk_moves_the_next_one_a_year_on(clock):
    regisseur = RegisseurFactory(active_from=datetime.date(2025, 5, 1))
    ThreeWayTalkFactory(regisseur=regisseur, held_on=datetime.date(2026, 4, 20))

    assert_due_window(clock, f"three_way_talk:regisseur:{regisseur.pk}", datetime.date(2027, 4, 20))


# --- 8. exit proposal: ITAT-R advice, then PTO-R decision ------------------------------


def test_an_exit_proposal_waits_four_weeks_for_itat_advice(clock, programme_team, pto_r):
    case = CaseFactory(phase3=True)
    procedure = ExitProcedureFactory(
        case=case, opened_on=datetime.date(2026, 5, 4), status=ExitProcedure.Status.OPEN
    )
    key = f"exit_advice:exit:{procedure.pk}"

    assert_due_window(clock, key, datetime.date(2026, 6, 1))

    item = items_by_key(clock(datetime.date(2026, 6, 1)))[key]
    assert item.case_id == case.pk
    assert item.responsible_user_ids == tuple(sorted([case.regisseur.user_id, programme_team.pk]))


# --- 9. terms of interventions and UVO actions --------------------------------------------


def test_an_intervention_of_the_plan_in_force_is_due_on_its_term(clock):
    case = CaseFactory(phase2=True)
    older = PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2026, 1, 5))
    in_force = PlanVersionFactory(
        case=case, number=2, adopted=True, adopted_on=datetime.date(2026, 3, 2)
    )
    superseded = InterventionFactory(plan_version=older, deadline=datetime.date(2026, 5, 1))
    due = InterventionFactory(plan_version=in_force, deadline=datetime.date(2026, 6, 1))
    done = InterventionFactory(
        plan_version=in_force,
        deadline=datetime.date(2026, 5, 1),
        status=Intervention.Status.DONE,
    )
    key = f"intervention:intervention:{due.pk}"

    assert_due_window(clock, key, datetime.date(2026, 6, 1))
    items = items_by_key(clock(datetime.date(2026, 6, 1)))
    assert items[key].responsible_user_ids == (case.regisseur.user_id,)
    assert f"intervention:intervention:{superseded.pk}" not in items
    assert f"intervention:intervention:{done.pk}" not in items


def test_an_uvo_action_is_due_until_it_is_done(clock):
    meeting = MeetingFactory(case=CaseFactory(phase2=True), held_on=datetime.date(2026, 4, 1))
    action = MeetingActionFactory(meeting=meeting, due_on=datetime.date(2026, 6, 1))
    key = f"uvo_action:action:{action.pk}"

    assert_due_window(clock, key, datetime.date(2026, 6, 1))
    action.done_on = datetime.date(2026, 6, 2)
    action.save()
    assert key not in items_by_key(clock(datetime.date(2026, 6, 3)))


def test_the_itat_r_step_is_not_due_before_a_proposal_exists(clock):
    """R-EXIT-2: without the team's judgement (the proposal) nothing waits for ITAT-R;
    a move is its own proposal and waits from the day it was recorded."""
    without_proposal = ExitProcedureFactory(
        opened_on=datetime.date(2026, 1, 5), team_judgement="", team_judgement_on=None
    )
    move = ExitProcedureFactory(
        case=CaseFactory(),  # phase 1: a move starts the exit in any phase
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        opened_on=datetime.date(2026, 5, 4),
        team_judgement="",
        team_judgement_on=None,
    )
    items = items_by_key(clock(datetime.date(2026, 6, 1)))
    assert f"exit_advice:exit:{without_proposal.pk}" not in items
    assert items[f"exit_advice:exit:{move.pk}"].due_on == datetime.date(2026, 6, 1)


def test_an_advised_exit_proposal_waits_four_weeks_for_the_pto_r_decision(
    clock, programme_team, pto_r
):
    case = CaseFactory(phase3=True)
    procedure = ExitProcedureFactory(
        case=case, opened_on=datetime.date(2026, 4, 6), status=ExitProcedure.Status.ADVISED
    )
    exit_advice(procedure, datetime.date(2026, 5, 4))
    exit_advice(procedure, datetime.date(2026, 5, 11))  # the latest advice counts
    key = f"exit_decision:exit:{procedure.pk}"

    assert_due_window(clock, key, datetime.date(2026, 6, 8))

    items = items_by_key(clock(datetime.date(2026, 6, 8)))
    assert f"exit_advice:exit:{procedure.pk}" not in items
    item = items[key]
    assert item.kind == DeadlineKind.EXIT_DECISION
    assert item.responsible_user_ids == tuple(sorted([case.regisseur.user_id, pto_r.pk]))
    assert programme_team.pk not in item.responsible_user_ids


@pytest.mark.parametrize(
    "status",
    [ExitProcedure.Status.APPROVED, ExitProcedure.Status.REJECTED, ExitProcedure.Status.WITHDRAWN],
)
def test_a_closed_exit_procedure_is_no_longer_due(clock, status):
    case = CaseFactory(phase3=True)
    ExitProcedureFactory(case=case, opened_on=datetime.date(2026, 4, 6), status=status)

    items = deadlines(on=clock(datetime.date(2026, 6, 8)))
    assert not [
        i for i in items if i.kind in (DeadlineKind.EXIT_ADVICE, DeadlineKind.EXIT_DECISION)
    ]


def test_inactive_group_members_are_not_reminded(clock, pto_r):
    gone = member_of(Role.PTO_R, is_active=False)
    case = CaseFactory(phase3=True)
    procedure = ExitProcedureFactory(
        case=case, opened_on=datetime.date(2026, 4, 6), status=ExitProcedure.Status.ADVISED
    )
    exit_advice(procedure, datetime.date(2026, 5, 4))

    item = items_by_key(clock(datetime.date(2026, 6, 8)))[f"exit_decision:exit:{procedure.pk}"]
    assert pto_r.pk in item.responsible_user_ids
    assert gone.pk not in item.responsible_user_ids


# --- only open cases and active regisseurs ---------------------------------------------


def test_exited_cases_produce_nothing(clock):
    case = CaseFactory(exited=True, notification_signed_on=datetime.date(2024, 1, 8))
    PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2025, 1, 6))
    ExitProcedureFactory(
        case=case, opened_on=datetime.date(2026, 1, 5), status=ExitProcedure.Status.OPEN
    )

    items = deadlines(on=clock(datetime.date(2026, 7, 1)), horizon_days=3650)
    assert not [i for i in items if i.case_id == case.pk]


def test_inactive_regisseurs_have_no_caseload_review_or_three_way_talk(clock):
    left = RegisseurFactory(active_until=datetime.date(2026, 1, 31))
    not_yet = RegisseurFactory(active_from=datetime.date(2026, 9, 1))
    active = RegisseurFactory()

    items = deadlines(on=clock(datetime.date(2026, 3, 2)))
    pool_items = {i.regisseur_id for i in items if i.case_id is None}
    assert pool_items == {active.pk}
    assert left.pk not in pool_items and not_yet.pk not in pool_items


def test_a_case_without_an_active_regisseur_goes_to_the_programme_team(clock, programme_team):
    left = RegisseurFactory(active_until=datetime.date(2026, 1, 31))
    orphaned = CaseFactory(regisseur=left, notification_signed_on=datetime.date(2026, 3, 2))
    unassigned = CaseFactory(
        status=CaseStatus.REGISTERED,
        regisseur=None,
        regisseur_since=None,
        notification_signed_on=datetime.date(2026, 3, 2),
    )

    items = items_by_key(clock(datetime.date(2026, 3, 30)))
    orphaned_uvo = items[f"first_uvo:case:{orphaned.pk}"]
    unassigned_uvo = items[f"first_uvo:case:{unassigned.pk}"]
    assert orphaned_uvo.regisseur_id == left.pk
    assert orphaned_uvo.responsible_user_ids == (programme_team.pk,)
    assert unassigned_uvo.regisseur_id is None
    assert unassigned_uvo.responsible_user_ids == (programme_team.pk,)


def test_the_stand_in_is_reminded_while_the_regisseur_is_away(clock):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    stand_in = RegisseurFactory()
    Absence.objects.create(
        regisseur=case.regisseur,
        starts_on=datetime.date(2026, 3, 23),
        ends_on=datetime.date(2026, 4, 3),
        stand_in=stand_in,
        created_by=UserFactory(),
    )
    key = f"first_uvo:case:{case.pk}"

    during = items_by_key(clock(datetime.date(2026, 3, 30)))[key]
    after = items_by_key(clock(datetime.date(2026, 4, 6)))[key]
    assert during.responsible_user_ids == tuple(sorted([case.regisseur.user_id, stand_in.user_id]))
    assert after.responsible_user_ids == (case.regisseur.user_id,)


def test_a_stand_in_kept_to_a_region_stands_in_only_for_the_cases_of_that_region(clock):
    """R-POOL-3 in one computation: the same regisseur's cases in two regions, his
    stand-in kept to one of them; every kind dated by a record follows the same rule."""
    regisseur = RegisseurFactory()
    kept_to = RegionFactory()
    stand_in = RegisseurFactory(region_restriction=kept_to)
    inside, outside = (
        CaseFactory(
            regisseur=regisseur, region=region, notification_signed_on=datetime.date(2026, 3, 2)
        )
        for region in (kept_to, RegionFactory(code="zaanstad"))
    )
    actions = {
        case.pk: MeetingActionFactory(
            meeting=MeetingFactory(case=case, held_on=datetime.date(2026, 3, 9)),
            due_on=datetime.date(2026, 4, 1),
        )
        for case in (inside, outside)
    }
    Absence.objects.create(
        regisseur=regisseur,
        starts_on=datetime.date(2026, 3, 23),
        ends_on=datetime.date(2026, 4, 3),
        stand_in=stand_in,
        created_by=UserFactory(),
    )

    items = items_by_key(clock(datetime.date(2026, 3, 30)))

    both = tuple(sorted([regisseur.user_id, stand_in.user_id]))
    assert items[f"uvo_action:action:{actions[inside.pk].pk}"].responsible_user_ids == both
    assert items[f"uvo_action:action:{actions[outside.pk].pk}"].responsible_user_ids == (
        regisseur.user_id,
    )


# --- filters, horizon, order and keys --------------------------------------------------


def test_regisseur_filter_gives_his_cases_and_pool_items_and_buddy_cases_on_request(clock):
    me, colleague = RegisseurFactory(), RegisseurFactory()
    directed = CaseFactory(regisseur=me, buddy=colleague)
    buddied = CaseFactory(regisseur=colleague, buddy=me)
    CaseFactory(regisseur=colleague)
    today = clock(datetime.date(2026, 3, 2))

    mine = deadlines(on=today, regisseur=me)
    assert {i.case_id for i in mine} == {directed.pk, None}
    assert {i.regisseur_id for i in mine} == {me.pk}

    with_buddy = deadlines(on=today, regisseur=me, include_buddy=True)
    assert {i.case_id for i in with_buddy} == {directed.pk, buddied.pk, None}
    assert {i.regisseur_id for i in with_buddy if i.case_id is None} == {me.pk}


def test_organisation_filter_gives_the_items_of_its_regisseurs(clock):
    ggd = OrganisationFactory(code="ggd", name="GGD")
    ggd_regisseur = RegisseurFactory(user=UserFactory(organisation=ggd))
    ggd_case = CaseFactory(regisseur=ggd_regisseur)
    CaseFactory()

    items = deadlines(on=clock(datetime.date(2026, 3, 2)), organisation=ggd)
    assert {i.case_id for i in items} == {ggd_case.pk, None}
    assert {i.regisseur_id for i in items} == {ggd_regisseur.pk}


def test_case_ids_filter_gives_only_those_cases_and_no_pool_items(clock):
    wanted, other = CaseFactory(), CaseFactory()
    today = clock(datetime.date(2026, 3, 2))

    assert {i.case_id for i in deadlines(on=today, case_ids=[wanted.pk])} == {wanted.pk}
    assert other.pk not in {i.case_id for i in deadlines(on=today, case_ids=[wanted.pk])}
    assert deadlines(on=today, case_ids=[]) == []


def test_kinds_give_the_items_of_those_kinds_only_and_ask_only_their_queries(
    clock, programme_team, pto_r
):
    """A worklist asks for its own kinds: the same items the whole computation gives of
    them, in the queries of those kinds alone."""
    today = clock(datetime.date(2026, 6, 1))
    add_busy_cases(3)
    everything = deadlines(on=today, horizon_days=400)
    for kinds, queries in (
        ((DeadlineKind.UVO, DeadlineKind.FIRST_UVO), CASE_KINDS_QUERY),
        ((DeadlineKind.UVO_ACTION,), UVO_ACTIONS_QUERY),
        ((DeadlineKind.CASELOAD_REVIEW,), POOL_KINDS_QUERY),
        (
            (DeadlineKind.EXIT_DECISION, DeadlineKind.INTERVENTION),
            EXIT_KINDS_QUERY + INTERVENTIONS_QUERY,
        ),
    ):
        with assert_query_count(
            ROLE_MEMBERS_QUERY + STAND_INS_QUERY + queries, what=f"deadlines of {kinds}"
        ):
            chosen = deadlines(on=today, horizon_days=400, kinds=kinds)
        assert chosen == [item for item in everything if item.kind in kinds]
        assert chosen, f"the busy cases have items of {kinds}"


def test_horizon_days_narrows_or_widens_the_window(clock):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    key = f"first_uvo:case:{case.pk}"
    today = clock(datetime.date(2026, 3, 10))  # due 30 March: 20 days ahead

    assert key not in items_by_key(today)
    assert key not in items_by_key(today, horizon_days=19)
    assert key in items_by_key(today, horizon_days=20)


def test_items_are_sorted_by_due_date_then_key(clock):
    for signed_on in (datetime.date(2026, 3, 2), datetime.date(2026, 2, 2)):
        case = CaseFactory(phase2=True, notification_signed_on=signed_on)
        MeetingFactory(case=case, held_on=signed_on)
    CaseFactory(notification_signed_on=datetime.date(2026, 2, 2))

    items = deadlines(on=clock(datetime.date(2026, 6, 1)))
    assert len(items) > 1
    assert items == sorted(items, key=lambda i: (i.due_on, i.key))


def test_keys_are_stable_unique_and_name_the_kind_and_subject(clock):
    case = CaseFactory(phase3=True, notification_signed_on=datetime.date(2024, 1, 8))
    PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2026, 1, 5))
    ExitProcedureFactory(
        case=case, opened_on=datetime.date(2026, 2, 2), status=ExitProcedure.Status.OPEN
    )
    CaseFactory(phase2=True, notification_signed_on=datetime.date(2024, 6, 3))
    today = clock(datetime.date(2026, 6, 1))

    first, again = deadlines(on=today), deadlines(on=today)
    keys = [i.key for i in first]
    assert keys == [i.key for i in again]
    assert len(set(keys)) == len(keys)
    assert len({(i.key, i.due_on) for i in first}) == len(first)
    kinds = "|".join(DeadlineKind.values)
    assert all(re.fullmatch(rf"({kinds}):(case|regisseur|exit):\d+", key) for key in keys)
    assert {i.kind for i in first} >= {
        DeadlineKind.PLAN_EVALUATION,
        DeadlineKind.EXIT_ADVICE,
        DeadlineKind.UVO,
        DeadlineKind.TWO_YEARLY_EVALUATION,
        DeadlineKind.CASELOAD_REVIEW,
        DeadlineKind.THREE_WAY_TALK,
    }


def test_a_deadline_is_immutable(clock):
    case = CaseFactory(notification_signed_on=datetime.date(2026, 3, 2))
    item = items_by_key(clock(datetime.date(2026, 3, 30)))[f"first_uvo:case:{case.pk}"]

    with pytest.raises(AttributeError):
        item.due_on = datetime.date(2026, 4, 1)  # type: ignore[misc]


# --- next deadline per case ------------------------------------------------------------


def test_next_deadline_per_case_gives_the_first_item_however_far_ahead(clock):
    busy = CaseFactory(phase2=True, notification_signed_on=datetime.date(2025, 9, 1))
    MeetingFactory(case=busy, held_on=datetime.date(2026, 5, 20))
    PlanVersionFactory(case=busy, adopted=True, adopted_on=datetime.date(2026, 5, 25))
    exited = CaseFactory(exited=True)
    today = clock(datetime.date(2026, 6, 1))

    first = next_deadline_per_case(on=today, case_ids=[busy.pk, exited.pk])

    assert set(first) == {busy.pk}
    # Plan evaluation 25 June, UVO 20 July, two-yearly evaluation 1 September 2027.
    assert (first[busy.pk].kind, first[busy.pk].due_on) == (
        DeadlineKind.PLAN_EVALUATION,
        datetime.date(2026, 6, 25),
    )
    assert first[busy.pk].due_on > today + HORIZON


NOTHING_ASKED = 0


def test_next_deadline_per_case_of_no_cases_asks_nothing(clock):
    today = clock(datetime.date(2026, 6, 1))
    with assert_query_count(NOTHING_ASKED, what="next_deadline_per_case of no cases"):
        assert next_deadline_per_case(on=today, case_ids=[]) == {}


# --- a fixed number of queries ---------------------------------------------------------

ROLE_MEMBERS_QUERY = 1  # programme team and PTO-R, for every kind's recipients
STAND_INS_QUERY = 1  # who stands in for whom on the day, for every case-level kind
CASE_KINDS_QUERY = 1  # first UVO, UVO, plan evaluation, two-yearly evaluation
EXIT_KINDS_QUERY = 1  # exit proposals waiting for advice or decision
INTERVENTIONS_QUERY = 1  # terms of the interventions in the plans in force
UVO_ACTIONS_QUERY = 1  # open actions agreed in an UVO
POOL_KINDS_QUERY = 1  # caseload reviews and three-way talks
PER_CASE_QUERIES = (
    ROLE_MEMBERS_QUERY
    + STAND_INS_QUERY
    + CASE_KINDS_QUERY
    + EXIT_KINDS_QUERY
    + INTERVENTIONS_QUERY
    + UVO_ACTIONS_QUERY
)
ALL_KINDS_QUERIES = PER_CASE_QUERIES + POOL_KINDS_QUERY


def add_busy_cases(count: int) -> list[int]:
    """Cases with every kind of history, each with its own regisseur, buddy and stand-in."""
    ids = []
    for n in range(count):
        in_exit = not n % 2
        case = CaseFactory(
            phase=Phase.EXIT if in_exit else Phase.EXECUTION,
            exit_running=in_exit,
            exit_procedure__status=ExitProcedure.Status.ADVISED,
            exit_procedure__opened_on=datetime.date(2026, 4, 1),
            notification_signed_on=datetime.date(2025, 1, 6),
            phase_since=datetime.date(2025, 3, 3),
        )
        meeting = MeetingFactory(case=case, held_on=datetime.date(2026, 4, 1))
        MeetingActionFactory(meeting=meeting, due_on=datetime.date(2026, 6, 5))
        version = PlanVersionFactory(case=case, adopted=True, adopted_on=datetime.date(2025, 3, 3))
        InterventionFactory(plan_version=version, deadline=datetime.date(2026, 6, 10))
        EvaluationFactory(
            case=case, kind=Evaluation.Kind.MONTHLY, held_on=datetime.date(2026, 4, 15)
        )
        EvaluationFactory(
            case=case, kind=Evaluation.Kind.TWO_YEARLY, held_on=datetime.date(2026, 1, 6)
        )
        if in_exit:
            exit_advice(case.exit_procedures.get(), datetime.date(2026, 4, 20))
        CaseloadReviewFactory(regisseur=case.regisseur, held_on=datetime.date(2026, 2, 2))
        ThreeWayTalkFactory(regisseur=case.regisseur, held_on=datetime.date(2025, 6, 2))
        AbsenceFactory(
            regisseur=case.regisseur,
            starts_on=datetime.date(2026, 5, 25),
            ends_on=datetime.date(2026, 6, 5),
            stand_in=case.buddy,
        )
        ids.append(case.pk)
    return ids


def test_deadlines_run_in_a_fixed_number_of_queries(clock, programme_team, pto_r):
    today = clock(datetime.date(2026, 6, 1))

    add_busy_cases(5)
    with assert_query_count(ALL_KINDS_QUERIES, what="deadlines of 5 cases"):
        few_items = deadlines(on=today)
    add_busy_cases(35)
    with assert_query_count(ALL_KINDS_QUERIES, what="deadlines of 40 cases"):
        many_items = deadlines(on=today)

    assert isinstance(few_items, list) and isinstance(many_items, list)
    assert len(many_items) > len(few_items) > 0


# What each listed case has due next is kept under the data stamp: one query for it.
STAMP_QUERY = 1


def test_next_deadline_per_case_runs_in_a_fixed_number_of_queries(clock):
    today = clock(datetime.date(2026, 6, 1))

    ids = add_busy_cases(5)
    with assert_query_count(
        STAMP_QUERY + PER_CASE_QUERIES, what="next_deadline_per_case of 5 cases"
    ):
        few_first = next_deadline_per_case(on=today, case_ids=ids)
    ids += add_busy_cases(35)
    with assert_query_count(
        STAMP_QUERY + PER_CASE_QUERIES, what="next_deadline_per_case of 40 cases"
    ):
        many_first = next_deadline_per_case(on=today, case_ids=ids)

    assert isinstance(few_first, dict) and isinstance(many_first, dict)
    assert (len(few_first), len(many_first)) == (5, 40)


def test_what_is_due_next_is_kept_until_the_data_changes(clock):
    today = clock(datetime.date(2026, 6, 1))
    ids = add_busy_cases(3)
    first = next_deadline_per_case(on=today, case_ids=ids)
    with assert_query_count(STAMP_QUERY, what="the same cases again, nothing changed"):
        assert next_deadline_per_case(on=today, case_ids=list(reversed(ids))) == first
    # A forgotten action, long overdue, is now what the first case has due first: the
    # answer follows the data at once.
    meeting = MeetingFactory(case_id=ids[0], held_on=datetime.date(2025, 12, 1))
    MeetingActionFactory(meeting=meeting, due_on=datetime.date(2025, 12, 15))
    again = next_deadline_per_case(on=today, case_ids=ids)
    assert first[ids[0]].due_on > datetime.date(2025, 12, 15)
    assert (again[ids[0]].kind, again[ids[0]].due_on) == (
        DeadlineKind.UVO_ACTION,
        datetime.date(2025, 12, 15),
    )
    assert again[ids[1]] == first[ids[1]]
