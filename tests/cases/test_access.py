"""Object permissions on a case follow who works on it, including stand-ins over time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.access import (
    DIRECTOR_PERMISSIONS,
    TEAM_MEMBER_PERMISSIONS,
    case_access_sync,
    case_for,
    cases_visible_to,
    user_may,
    users_with_case_access,
)
from cases.models import Case
from cases.tasks import access_refresh_daily
from pool.services import absence_create, absence_end_early
from tests.factories import (
    CaseFactory,
    RegionFactory,
    RegisseurFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


def perms_of(user, case) -> set[str]:
    from guardian.shortcuts import get_perms

    return set(get_perms(user, case))


@pytest.fixture
def case():
    return CaseFactory(access_on=MONDAY)


def test_regisseur_and_buddy_work_on_the_case_and_see_the_person(case):
    for director in (case.regisseur, case.buddy):
        assert perms_of(director.user, case) == set(DIRECTOR_PERMISSIONS)
    assert perms_of(UserFactory(), case) == set()


def test_a_team_member_with_an_account_reads_the_case_but_not_the_person(case):
    member = TeamMemberFactory(case=case, user=UserFactory(), joined_on=MONDAY)
    case_access_sync(case=case, on=MONDAY)
    assert perms_of(member.user, case) == set(TEAM_MEMBER_PERMISSIONS)
    assert "view_person_data" not in perms_of(member.user, case)


def test_an_exited_case_leaves_no_object_permissions(case):
    case.status, case.exited_on = "uitgestroomd", MONDAY
    case.save()
    case_access_sync(case=case, on=MONDAY)
    assert users_with_case_access(case) == set()


@time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_stand_in_holds_the_cases_for_the_absence_period_only(case):
    stand_in = RegisseurFactory()
    absence = absence_create(
        regisseur=case.regisseur,
        starts_on=MONDAY,
        ends_on=MONDAY + datetime.timedelta(days=4),
        reason="Ziek",
        stand_in=stand_in,
        by=UserFactory(),
    )
    assert perms_of(stand_in.user, case) == set(DIRECTOR_PERMISSIONS)
    absence_end_early(absence=absence, on=MONDAY, by=UserFactory())
    assert perms_of(stand_in.user, case) == set(DIRECTOR_PERMISSIONS)  # today is the last day

    with time_machine.travel(datetime.datetime(2026, 11, 24, 0, 5, tzinfo=datetime.UTC)):
        assert access_refresh_daily() == 1
    assert perms_of(stand_in.user, case) == set()
    assert perms_of(case.regisseur.user, case) == set(DIRECTOR_PERMISSIONS)


def test_a_future_absence_grants_nothing_until_its_first_day(case):
    stand_in = RegisseurFactory()
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)):
        absence_create(
            regisseur=case.buddy,
            starts_on=MONDAY + datetime.timedelta(days=7),
            ends_on=MONDAY + datetime.timedelta(days=9),
            stand_in=stand_in,
            by=UserFactory(),
        )
    assert perms_of(stand_in.user, case) == set()
    with time_machine.travel(datetime.datetime(2026, 11, 30, 0, 5, tzinfo=datetime.UTC)):
        access_refresh_daily()
    assert perms_of(stand_in.user, case) == set(DIRECTOR_PERMISSIONS)


def test_a_team_member_loses_access_the_day_of_leaving(case):
    member = TeamMemberFactory(
        case=case,
        user=UserFactory(),
        joined_on=MONDAY,
        left_on=MONDAY + datetime.timedelta(days=1),
    )
    case_access_sync(case=case, on=MONDAY)
    assert perms_of(member.user, case) == set(TEAM_MEMBER_PERMISSIONS)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 0, 5, tzinfo=datetime.UTC)):
        access_refresh_daily()
    assert perms_of(member.user, case) == set()


# --- reading: one rule for lists and details --------------------------------------------


def test_the_list_rule_and_the_object_check_agree_for_everyone(crew):
    people = {
        name: crew.of(name)
        for name in ("regisseur", "buddy", "stand_in", "team_member", "programme_team")
    }
    people.update(crew.outsiders)
    for name, user in people.items():
        listed = crew.case in cases_visible_to(user)
        assert listed == user_may(user, crew.case, "view_case"), name
        for need in ("view_case", "work_on_case", "view_person_data"):
            if not listed:
                with pytest.raises(Http404):
                    case_for(user, crew.case.pk, need=need)
            elif user_may(user, crew.case, need):
                assert case_for(user, crew.case.pk, need=need) == crew.case
            else:
                with pytest.raises(PermissionDenied):
                    case_for(user, crew.case.pk, need=need)
    assert set(cases_visible_to(crew.programme_team)) == set(Case.objects.all())
    assert not cases_visible_to(crew.outsiders["pto_r"]).exists()


# The rule and the caller's own filter compose into a single SELECT.
COMPOSED_QUERY = 1


def test_the_visible_cases_are_one_query_that_composes(crew):
    visible = cases_visible_to(crew.team_member)  # the permission check itself is cached
    with assert_query_count(COMPOSED_QUERY, what="the visible cases, filtered further"):
        assert list(visible.filter(phase=crew.case.phase).values_list("pk", flat=True)) == [
            crew.case.pk
        ]


@time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_stand_in_kept_to_a_region_stands_in_for_its_cases_only():
    """R-POOL-3: a restriction binds standing in too."""
    amstelland = RegionFactory(code="amstelland")
    absent = RegisseurFactory()
    amsterdam_case = CaseFactory(regisseur=absent, region=RegionFactory(code="amsterdam"))
    amstelland_case = CaseFactory(regisseur=absent, region=amstelland)
    stand_in = RegisseurFactory(region_restriction=amstelland)
    absence_create(
        regisseur=absent,
        starts_on=MONDAY,
        ends_on=MONDAY + datetime.timedelta(days=4),
        reason="Ziek",
        stand_in=stand_in,
        by=UserFactory(),
    )
    case_access_sync(case=amsterdam_case, on=MONDAY)
    case_access_sync(case=amstelland_case, on=MONDAY)
    assert perms_of(stand_in.user, amstelland_case) == set(DIRECTOR_PERMISSIONS)
    assert perms_of(stand_in.user, amsterdam_case) == set()
