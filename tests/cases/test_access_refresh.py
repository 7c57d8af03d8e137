"""The nightly access refresh derives access from today's state, so a night it did not
run never leaves a stand-in or a departed team member with a case, nor a stand-in
without one; and it reads the cases a batch at a time with a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm, get_perms

from cases import access, tasks
from cases.access import DIRECTOR_PERMISSIONS, TEAM_MEMBER_PERMISSIONS, case_access_sync
from cases.models import Case
from cases.tasks import access_refresh_daily
from pool.models import Regisseur
from pool.services import absence_create
from tests.factories import CaseFactory, RegisseurFactory, TeamMemberFactory, UserFactory
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def at_night(day: datetime.date) -> time_machine.travel:
    """Shortly after midnight in Amsterdam, when the refresh runs."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(0, 5), tzinfo=datetime.UTC)
        - datetime.timedelta(hours=1),
        tick=False,
    )


def during(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False
    )


def perms_of(user, case: Case) -> set[str]:
    return set(get_perms(user, case))


def away(case: Case, *, starts_on: datetime.date, ends_on: datetime.date) -> Regisseur:
    """The case's regisseur is away, recorded a month ahead; returns the stand-in."""
    stand_in = RegisseurFactory()
    assert case.regisseur is not None
    with during(MONDAY - datetime.timedelta(days=30)):
        absence_create(
            regisseur=case.regisseur,
            starts_on=starts_on,
            ends_on=ends_on,
            reason="Verlof",
            stand_in=stand_in,
            by=UserFactory(),
        )
    return stand_in


@pytest.fixture
def case() -> Case:
    return CaseFactory(access_on=MONDAY - datetime.timedelta(days=30))


def test_a_stand_in_whose_absence_ended_three_days_ago_loses_the_case(case):
    ends_on = MONDAY - datetime.timedelta(days=3)
    stand_in = away(case, starts_on=ends_on - datetime.timedelta(days=4), ends_on=ends_on)
    # The last refresh ran while the absence was on; none ran since.
    case_access_sync(case=case, on=ends_on)
    assert perms_of(stand_in.user, case) == set(DIRECTOR_PERMISSIONS)

    with at_night(MONDAY):
        assert access_refresh_daily() == 1
    assert perms_of(stand_in.user, case) == set()
    assert perms_of(case.regisseur.user, case) == set(DIRECTOR_PERMISSIONS)


def test_a_team_member_who_left_two_days_ago_loses_the_case(case):
    left_on = MONDAY - datetime.timedelta(days=2)
    member = TeamMemberFactory(
        case=case, user=UserFactory(), joined_on=MONDAY - datetime.timedelta(days=20)
    )
    case_access_sync(case=case, on=left_on)
    member.left_on = left_on
    member.save()  # recorded without a refresh: the job was down that night
    assert perms_of(member.user, case) == set(TEAM_MEMBER_PERMISSIONS)

    with at_night(MONDAY):
        assert access_refresh_daily() == 1
    assert perms_of(member.user, case) == set()


def test_a_stand_in_whose_absence_began_on_a_missed_night_gains_the_case(case):
    stand_in = away(
        case,
        starts_on=MONDAY - datetime.timedelta(days=1),
        ends_on=MONDAY + datetime.timedelta(days=5),
    )
    assert perms_of(stand_in.user, case) == set()  # recorded in advance

    with at_night(MONDAY):
        assert access_refresh_daily() == 1
    assert perms_of(stand_in.user, case) == set(DIRECTOR_PERMISSIONS)


def test_a_permission_left_on_an_exited_case_is_revoked():
    case = CaseFactory(exited=True)
    stray = UserFactory()
    assign_perm("cases.view_case", stray, case)

    with at_night(MONDAY):
        assert access_refresh_daily() == 1
    assert perms_of(stray, case) == set()


def test_a_second_run_changes_nothing(case):
    away(case, starts_on=MONDAY - datetime.timedelta(days=1), ends_on=MONDAY)
    with at_night(MONDAY):
        assert access_refresh_daily() == 1
        assert access_refresh_daily() == 0


# A case whose regisseur is away from Sunday to Wednesday with a stand-in, and whose one
# team member left on Sunday, with the access as it stood on Saturday.
AWAY_AND_A_MEMBER_GONE = {
    "stand_in": True,
    "stand_in__starts_on": MONDAY - datetime.timedelta(days=1),
    "stand_in__ends_on": MONDAY + datetime.timedelta(days=2),
    "team": 1,
    "team__joined_on": MONDAY - datetime.timedelta(days=20),
    "team__left_on": MONDAY - datetime.timedelta(days=1),
    "access_on": MONDAY - datetime.timedelta(days=2),
}


def _refresh_queries() -> CaptureQueriesContext:
    with at_night(MONDAY), count_queries() as queries:
        access_refresh_daily()
    return queries


def test_the_refresh_reads_a_batch_with_the_same_number_of_queries_however_large():
    CaseFactory.create_batch(2, **AWAY_AND_A_MEMBER_GONE)
    two_cases = _refresh_queries()
    # Six more to change, beside the two now right: one batch all the same.
    CaseFactory.create_batch(6, **AWAY_AND_A_MEMBER_GONE)
    eight_cases = _refresh_queries()
    assert_same_query_count(two_cases, eight_cases, what="the nightly access refresh")


def test_every_case_is_refreshed_across_batches(monkeypatch):
    monkeypatch.setattr(access, "ACCESS_SYNC_BATCH_SIZE", 2)
    monkeypatch.setattr(tasks, "ACCESS_SYNC_BATCH_SIZE", 2)
    made = CaseFactory.create_batch(5, **AWAY_AND_A_MEMBER_GONE)

    with at_night(MONDAY):
        assert access_refresh_daily() == 5
    for case in made:
        stand_in = case.regisseur.absences.get().stand_in
        member = case.team_members.get()
        assert perms_of(stand_in.user, case) == set(DIRECTOR_PERMISSIONS), case.number
        assert perms_of(member.user, case) == set(), case.number
