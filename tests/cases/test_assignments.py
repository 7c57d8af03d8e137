"""Regisseur and buddy: the first assignment, hand-overs, buddy changes, and the
hand-over of every case when a regisseur leaves the pool (all or nothing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.access import users_with_case_access
from cases.models import Assignment, Case, CaseStatus
from cases.services.assignments import (
    ASSIGN_CASE_EXITED,
    ASSIGNMENT_DATE_TOO_EARLY,
    BUDDY_MUST_DIFFER,
    CAPACITY_WARNING,
    DISTRIBUTION_INCOMPLETE,
    HAND_OVER_TO_BUDDY_NEEDS_NEW_BUDDY,
    HAND_OVER_TO_SAME,
    REGION_RESTRICTED,
    REGISSEUR_NOT_ACTIVE,
    case_assign,
    case_change_buddy,
    case_hand_over,
    pool_leave_with_hand_over,
    suggest_distribution,
)
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from pool.models import Regisseur
from tests.factories import (
    ASSIGNED_ON,
    AbsenceFactory,
    AssessmentFactory,
    CaseFactory,
    RegionFactory,
    RegisseurFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 23)
REASON = "Herverdeling na caseloadbespreking."


def current(case: Case, role: Assignment.Role) -> Assignment:
    return Assignment.objects.get(case=case, role=role, ended_on__isnull=True)


def fill_caseload(regisseur: Regisseur, open_cases: int) -> None:
    """Give ``regisseur`` this many open cases as regisseur (and one exited, which
    never counts). Their buddy left the pool long ago, so it is never a candidate."""
    gone = RegisseurFactory(active_until=datetime.date(2020, 12, 31))
    CaseFactory.create_batch(open_cases, regisseur=regisseur, buddy=gone)
    CaseFactory(regisseur=regisseur, buddy=gone, exited=True)


# --- first assignment ---------------------------------------------------------------


def test_the_first_assignment_records_both_directors_and_grants_them_access(author):
    case = CaseFactory(registered=True, regisseur=None, buddy=None)
    AssessmentFactory(case=case)
    regisseur, buddy = RegisseurFactory(), RegisseurFactory()

    result = case_assign(
        case=case, regisseur=regisseur, buddy=buddy, on=ASSIGNED_ON, reason=REASON, by=author
    )

    assert (result.case.regisseur, result.case.buddy, result.case.regisseur_since) == (
        regisseur,
        buddy,
        ASSIGNED_ON,
    )
    assert result.warnings == []
    for role, director in ((Assignment.Role.REGISSEUR, regisseur), (Assignment.Role.BUDDY, buddy)):
        row = current(case, role)
        assert (row.regisseur, row.started_on, row.reason, row.by) == (
            director,
            ASSIGNED_ON,
            REASON,
            author,
        )
    assert users_with_case_access(case) == {regisseur.user_id, buddy.user_id}


def test_the_buddy_must_be_another_regisseur(author):
    case = CaseFactory(registered=True, regisseur=None, buddy=None)
    regisseur = RegisseurFactory()
    with pytest.raises(RuleViolation) as refused:
        case_assign(
            case=case, regisseur=regisseur, buddy=regisseur, on=ON, reason=REASON, by=author
        )
    assert refused.value.message == BUDDY_MUST_DIFFER
    assert not Assignment.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "membership",
    [
        {"active_until": ON - datetime.timedelta(days=1)},  # left the pool the day before
        {"active_from": ON + datetime.timedelta(days=1)},  # joins the day after
    ],
)
def test_only_an_active_pool_member_is_assigned(author, start_case, membership):
    case = start_case()
    outsider = RegisseurFactory(active_from=datetime.date(2020, 1, 1))
    Regisseur.objects.filter(pk=outsider.pk).update(**membership)
    outsider.refresh_from_db()

    with pytest.raises(RuleViolation) as refused:
        case_hand_over(case=case, to_regisseur=outsider, reason=REASON, on=ON, by=author)
    assert refused.value.message == REGISSEUR_NOT_ACTIVE
    assert refused.value.params == {"regisseur": str(outsider), "on": "23-11-2026"}
    with pytest.raises(RuleViolation) as refused:
        case_change_buddy(case=case, to_buddy=outsider, reason=REASON, on=ON, by=author)
    assert refused.value.message == REGISSEUR_NOT_ACTIVE


def test_a_region_restriction_holds_for_regisseur_and_buddy(author, start_case):
    amstelland = RegionFactory(code="amstelland")
    only_amstelland = RegisseurFactory(region_restriction=amstelland)
    amsterdam_case = start_case(region=RegionFactory(code="amsterdam"))

    with pytest.raises(RuleViolation) as refused:
        case_hand_over(
            case=amsterdam_case, to_regisseur=only_amstelland, reason=REASON, on=ON, by=author
        )
    assert refused.value.message == REGION_RESTRICTED
    with pytest.raises(RuleViolation) as refused:
        case_change_buddy(
            case=amsterdam_case, to_buddy=only_amstelland, reason=REASON, on=ON, by=author
        )
    assert refused.value.message == REGION_RESTRICTED

    amstelland_case = start_case(region=amstelland)
    result = case_hand_over(
        case=amstelland_case, to_regisseur=only_amstelland, reason=REASON, on=ON, by=author
    )
    assert result.case.regisseur == only_amstelland


def test_going_over_capacity_is_a_warning_not_a_block(author, start_case):
    half_time = RegisseurFactory(fte=Decimal("0.5"))  # 6 places
    fill_caseload(half_time, open_cases=5)

    sixth = case_hand_over(
        case=start_case(), to_regisseur=half_time, reason=REASON, on=ON, by=author
    )
    assert sixth.warnings == []

    seventh = case_hand_over(
        case=start_case(), to_regisseur=half_time, reason=REASON, on=ON, by=author
    )
    assert seventh.case.regisseur == half_time
    assert seventh.warnings == [
        CAPACITY_WARNING % {"regisseur": str(half_time), "count": 7, "capacity": 6}
    ]
    assert "7 van 6" in seventh.warnings[0]


def test_an_exited_case_gets_nobody(author):
    case = CaseFactory(exited=True)
    with pytest.raises(RuleViolation) as refused:
        case_hand_over(case=case, to_regisseur=RegisseurFactory(), reason=REASON, on=ON, by=author)
    assert refused.value.message == ASSIGN_CASE_EXITED
    with pytest.raises(RuleViolation) as refused:
        case_change_buddy(case=case, to_buddy=RegisseurFactory(), reason=REASON, on=ON, by=author)
    assert refused.value.message == ASSIGN_CASE_EXITED


# --- hand-over and buddy change ------------------------------------------------------


def test_a_hand_over_ends_the_old_row_starts_a_new_one_and_moves_access(author, start_case):
    old, buddy, new = RegisseurFactory(), RegisseurFactory(), RegisseurFactory()
    case = start_case(regisseur=old, buddy=buddy)

    result = case_hand_over(case=case, to_regisseur=new, reason=REASON, on=ON, by=author)

    assert (result.case.regisseur, result.case.regisseur_since, result.case.buddy) == (
        new,
        ON,
        buddy,
    )
    ended = Assignment.objects.get(case=case, regisseur=old)
    assert (ended.started_on, ended.ended_on) == (ASSIGNED_ON, ON)
    started = current(case, Assignment.Role.REGISSEUR)
    assert (started.regisseur, started.started_on, started.reason, started.by) == (
        new,
        ON,
        REASON,
        author,
    )
    assert current(case, Assignment.Role.BUDDY).regisseur == buddy
    assert users_with_case_access(case) == {new.user_id, buddy.user_id}


def test_a_hand_over_to_the_buddy_needs_a_new_buddy(author, start_case):
    old, buddy, newcomer = RegisseurFactory(), RegisseurFactory(), RegisseurFactory()
    case = start_case(regisseur=old, buddy=buddy)
    with pytest.raises(RuleViolation) as refused:
        case_hand_over(case=case, to_regisseur=buddy, reason=REASON, on=ON, by=author)
    assert refused.value.message == HAND_OVER_TO_BUDDY_NEEDS_NEW_BUDDY

    with pytest.raises(RuleViolation) as refused:
        case_hand_over(
            case=case, to_regisseur=buddy, new_buddy=buddy, reason=REASON, on=ON, by=author
        )
    assert refused.value.message == HAND_OVER_TO_BUDDY_NEEDS_NEW_BUDDY

    result = case_hand_over(
        case=case, to_regisseur=buddy, new_buddy=newcomer, reason=REASON, on=ON, by=author
    )
    assert (result.case.regisseur, result.case.buddy) == (buddy, newcomer)
    assert current(case, Assignment.Role.REGISSEUR).regisseur == buddy
    assert current(case, Assignment.Role.BUDDY).regisseur == newcomer
    assert users_with_case_access(case) == {buddy.user_id, newcomer.user_id}


def test_regisseur_and_buddy_may_swap(author, start_case):
    old, buddy = RegisseurFactory(), RegisseurFactory()
    case = start_case(regisseur=old, buddy=buddy)
    result = case_hand_over(
        case=case, to_regisseur=buddy, new_buddy=old, reason=REASON, on=ON, by=author
    )
    assert (result.case.regisseur, result.case.buddy) == (buddy, old)


def test_a_hand_over_to_the_present_regisseur_is_refused(author, start_case):
    regisseur = RegisseurFactory()
    case = start_case(regisseur=regisseur)
    with pytest.raises(RuleViolation) as refused:
        case_hand_over(case=case, to_regisseur=regisseur, reason=REASON, on=ON, by=author)
    assert refused.value.message == HAND_OVER_TO_SAME


def test_a_buddy_change_keeps_the_regisseur_and_must_not_pick_him(author, start_case):
    regisseur, buddy, new_buddy = RegisseurFactory(), RegisseurFactory(), RegisseurFactory()
    case = start_case(regisseur=regisseur, buddy=buddy)
    with pytest.raises(RuleViolation) as refused:
        case_change_buddy(case=case, to_buddy=regisseur, reason=REASON, on=ON, by=author)
    assert refused.value.message == BUDDY_MUST_DIFFER

    result = case_change_buddy(case=case, to_buddy=new_buddy, reason=REASON, on=ON, by=author)

    assert (result.case.regisseur, result.case.buddy, result.warnings) == (
        regisseur,
        new_buddy,
        [],
    )
    assert Assignment.objects.get(case=case, regisseur=buddy).ended_on == ON
    assert current(case, Assignment.Role.BUDDY).regisseur == new_buddy
    assert users_with_case_access(case) == {regisseur.user_id, new_buddy.user_id}


def test_a_hand_over_before_the_current_assignment_started_is_refused(author, start_case):
    case = start_case()
    with pytest.raises(ValidationError) as refused:
        case_hand_over(
            case=case,
            to_regisseur=RegisseurFactory(),
            reason=REASON,
            on=ASSIGNED_ON - datetime.timedelta(days=1),
            by=author,
        )
    assert refused.value.message == ASSIGNMENT_DATE_TOO_EARLY


def test_a_hand_over_on_a_stale_case_is_refused(author, start_case):
    case = start_case()
    regisseur = case.regisseur
    with pytest.raises(StaleObject) as refused:
        case_hand_over(
            case=case,
            to_regisseur=RegisseurFactory(),
            reason=REASON,
            on=ON,
            by=author,
            expected_revision=case.revision - 1,
        )
    assert refused.value.message == STALE_RECORD
    assert Case.objects.get(pk=case.pk).regisseur == regisseur

    result = case_hand_over(
        case=case,
        to_regisseur=RegisseurFactory(),
        reason=REASON,
        on=ON,
        by=author,
        expected_revision=case.revision,
    )
    assert result.case.revision == case.revision + 1


# --- a regisseur leaves the pool ---------------------------------------------------


def receivers(suggestions) -> list[tuple[str, str, Regisseur | None]]:
    return [(s.case.number, s.role, s.receiver) for s in suggestions]


def away(regisseur: Regisseur) -> Regisseur:
    """Absent on the day of the hand-over: never suggested (R-POOL-5)."""
    AbsenceFactory(regisseur=regisseur, starts_on=ON, ends_on=ON)
    return regisseur


def test_suggestions_go_to_the_most_free_places_counting_this_run(start_case):
    leaving = RegisseurFactory()
    roomy = RegisseurFactory(fte=Decimal("0.5"))  # 6 places, 2 taken: 4 free
    fill_caseload(roomy, open_cases=2)
    tight = RegisseurFactory(fte=Decimal("1.0"))  # 12 places, 9 taken: 3 free
    fill_caseload(tight, open_cases=9)
    buddy = away(RegisseurFactory())  # the buddy of all three cases, absent: not suggested
    first, second, third = (start_case(regisseur=leaving, buddy=buddy) for _ in range(3))

    suggestions = suggest_distribution(leaving=leaving, on=ON)

    # roomy 4 -> 3; then both have 3 and the older member record wins (roomy 3 -> 2);
    # then tight has the most (3 -> 2). Without counting the run, roomy would get all.
    assert receivers(suggestions) == [
        (first.number, Assignment.Role.REGISSEUR, roomy),
        (second.number, Assignment.Role.REGISSEUR, roomy),
        (third.number, Assignment.Role.REGISSEUR, tight),
    ]
    assert [s.free_places for s in suggestions] == [3, 2, 2]


def test_suggestions_respect_region_restrictions(start_case):
    amstelland = RegionFactory(code="amstelland")
    leaving = RegisseurFactory()
    only_amstelland = RegisseurFactory(region_restriction=amstelland)  # 12 free: the most
    anyone = RegisseurFactory()
    fill_caseload(anyone, open_cases=6)
    full_buddy = away(RegisseurFactory())
    amsterdam_case = start_case(
        regisseur=leaving, buddy=full_buddy, region=RegionFactory(code="amsterdam")
    )
    amstelland_case = start_case(regisseur=leaving, buddy=full_buddy, region=amstelland)

    by_case = {s.case: s.receiver for s in suggest_distribution(leaving=leaving, on=ON)}

    assert by_case[amsterdam_case] == anyone
    assert by_case[amstelland_case] == only_amstelland


def test_the_buddy_is_suggested_first_with_a_new_buddy(start_case):
    """R-POOL-5: the buddy is the standby successor, even when fuller than others."""
    leaving, buddy = RegisseurFactory(), RegisseurFactory()
    fill_caseload(buddy, open_cases=11)
    roomy, colleague = RegisseurFactory(), RegisseurFactory()
    fill_caseload(colleague, open_cases=3)
    case = start_case(regisseur=leaving, buddy=buddy)

    (suggestion,) = suggest_distribution(leaving=leaving, on=ON)
    assert (suggestion.case, suggestion.role, suggestion.receiver) == (
        case,
        Assignment.Role.REGISSEUR,
        buddy,
    )
    assert suggestion.new_buddy == roomy


def test_an_absent_buddy_is_not_suggested(start_case):
    leaving, buddy = RegisseurFactory(), away(RegisseurFactory())
    colleague = RegisseurFactory()
    case = start_case(regisseur=leaving, buddy=buddy)
    away(RegisseurFactory())  # the emptiest caseload, but absent

    (suggestion,) = suggest_distribution(leaving=leaving, on=ON)
    assert (suggestion.case, suggestion.receiver, suggestion.new_buddy) == (case, colleague, None)


def test_the_regisseur_is_never_suggested_as_buddy_of_the_same_case(start_case):
    leaving, regisseur = RegisseurFactory(), RegisseurFactory()  # 11 free places
    colleague = RegisseurFactory()
    fill_caseload(colleague, open_cases=11)
    case = start_case(regisseur=regisseur, buddy=leaving)

    assert receivers(suggest_distribution(leaving=leaving, on=ON)) == [
        (case.number, Assignment.Role.BUDDY, colleague)
    ]


def test_someone_leaving_on_the_same_day_is_not_suggested(start_case):
    leaving = RegisseurFactory()
    RegisseurFactory(active_until=ON)  # an empty caseload, but leaving too
    colleague, full_buddy = RegisseurFactory(), away(RegisseurFactory())
    fill_caseload(colleague, open_cases=6)
    case = start_case(regisseur=leaving, buddy=full_buddy)

    assert receivers(suggest_distribution(leaving=leaving, on=ON)) == [
        (case.number, Assignment.Role.REGISSEUR, colleague)
    ]


@pytest.fixture
def departure(start_case):
    """A leaving regisseur with two cases as regisseur and one as buddy."""
    leaving, buddy, colleague = RegisseurFactory(), RegisseurFactory(), RegisseurFactory()
    own = [start_case(regisseur=leaving, buddy=buddy) for _ in range(2)]
    buddied = start_case(regisseur=colleague, buddy=leaving)
    return leaving, own, buddied


def test_leaving_the_pool_hands_every_case_over_and_ends_the_membership(author, departure):
    leaving, own, buddied = departure
    receiver_1, receiver_2, new_buddy = RegisseurFactory(), RegisseurFactory(), RegisseurFactory()
    assert all(leaving.user_id in users_with_case_access(c) for c in [*own, buddied])

    results = pool_leave_with_hand_over(
        leaving=leaving,
        on=ON,
        distribution={own[0].pk: receiver_1.pk, own[1].pk: receiver_2.pk},
        buddy_distribution={buddied.pk: new_buddy.pk},
        reason="Politie levert geen regisseur meer.",
        by=author,
    )

    assert [r.case.pk for r in results] == [own[0].pk, own[1].pk, buddied.pk]
    for case, receiver in ((own[0], receiver_1), (own[1], receiver_2)):
        case.refresh_from_db()
        assert (case.regisseur, case.regisseur_since) == (receiver, ON)
        assert current(case, Assignment.Role.REGISSEUR).regisseur == receiver
    buddied.refresh_from_db()
    assert buddied.buddy == new_buddy
    assert not Assignment.objects.filter(regisseur=leaving, ended_on__isnull=True).exists()
    leaving.refresh_from_db()
    assert leaving.active_until == ON
    for case in [*own, buddied]:
        assert leaving.user_id not in users_with_case_access(case)
    assert receiver_1.user_id in users_with_case_access(own[0])
    assert new_buddy.user_id in users_with_case_access(buddied)


def test_leaving_the_pool_is_all_or_nothing(author, departure):
    leaving, own, buddied = departure
    only_amstelland = RegisseurFactory(region_restriction=RegionFactory(code="amstelland"))
    before = {
        case.pk: (case.regisseur_id, case.buddy_id, case.revision) for case in [*own, buddied]
    }
    assignments_before = set(Assignment.objects.values_list("pk", "ended_on"))
    access_before = {case.pk: users_with_case_access(case) for case in [*own, buddied]}

    with pytest.raises(RuleViolation) as refused:
        pool_leave_with_hand_over(
            leaving=leaving,
            on=ON,
            distribution={own[0].pk: RegisseurFactory().pk, own[1].pk: RegisseurFactory().pk},
            # The last step fails: the Amsterdam case may not go to an Amstelland-only member.
            buddy_distribution={buddied.pk: only_amstelland.pk},
            reason="Politie levert geen regisseur meer.",
            by=author,
        )
    assert refused.value.message == REGION_RESTRICTED

    after = {
        case.pk: (case.regisseur_id, case.buddy_id, case.revision)
        for case in Case.objects.filter(pk__in=before)
    }
    assert after == before
    assert set(Assignment.objects.values_list("pk", "ended_on")) == assignments_before
    assert {case.pk: users_with_case_access(case) for case in [*own, buddied]} == access_before
    leaving.refresh_from_db()
    assert leaving.active_until is None


def test_leaving_the_pool_needs_a_receiver_for_every_case(author, departure):
    leaving, own, buddied = departure
    with pytest.raises(ValidationError) as refused:
        pool_leave_with_hand_over(
            leaving=leaving,
            on=ON,
            distribution={own[0].pk: RegisseurFactory().pk},
            buddy_distribution={buddied.pk: RegisseurFactory().pk},
            reason="Politie levert geen regisseur meer.",
            by=author,
        )
    assert refused.value.message == DISTRIBUTION_INCOMPLETE
    assert refused.value.params is not None
    assert own[1].number in refused.value.params["cases"]
    assert Case.objects.get(pk=own[0].pk).regisseur == leaving
    assert Case.objects.filter(regisseur=leaving, status=CaseStatus.IN_REGIE).count() == 2
