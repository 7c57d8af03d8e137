"""The pool overview reproduces the 2020 pool table (R-POOL-4); the other pool read functions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from cases.models import CaseStatus
from pool.models import TeamActivity
from pool.permissions import may_manage_pool
from pool.selectors import (
    INTERVISION_INTERVAL,
    TEAM_MEETING_INTERVAL,
    last_caseload_review_dates,
    last_three_way_talk_dates,
    pool_overview,
    regisseurs_active,
    team_rhythm_status,
)
from tests.factories import (
    CaseFactory,
    CaseloadReviewFactory,
    OrganisationFactory,
    RegisseurFactory,
    TeamActivityFactory,
    ThreeWayTalkFactory,
    UserFactory,
)
from tests.pool.conftest import POOL_2020, Pool2020, build_pool_2020
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db


def rows_by_key(pool: Pool2020, overview):
    by_id = {row.regisseur_id: row for row in overview.rows}
    return {key: by_id[regisseur.pk] for key, regisseur in pool.regisseurs.items()}


# --- the pool memo's table (R-POOL-4) -----------------------------------------------


def test_pool_overview_reproduces_the_table_of_the_2020_memo(pool_2020):
    overview = pool_overview(on=pool_2020.on, new_since=pool_2020.new_since)

    assert overview.regisseur_count == 8
    assert [row.name for row in overview.rows] == sorted(row.name for row in overview.rows)
    assert overview.total_fte == Decimal("6.0")
    assert overview.total_capacity == 72
    assert (overview.cases_in_regie, overview.new_cases, overview.total_cases) == (43, 7, 50)
    assert overview.free_places == 72 - 50
    over = {(row.organisation, row.total_cases, row.capacity) for row in overview.over_capacity}
    assert over == {("OM", 7, 6), ("RN", 7, 6)}


def test_each_line_of_the_overview_matches_its_line_in_the_memo(pool_2020):
    rows = rows_by_key(pool_2020, pool_overview(on=pool_2020.on, new_since=pool_2020.new_since))
    for memo_row in POOL_2020:
        row = rows[memo_row.key]
        assert (
            row.organisation,
            row.fte,
            row.capacity,
            row.cases_in_regie,
            row.new_cases,
            row.remark,
        ) == (
            memo_row.organisation_name,
            memo_row.fte,
            memo_row.capacity,
            memo_row.in_regie,
            memo_row.new,
            memo_row.remark,
        ), memo_row.key
        assert row.free_places == memo_row.capacity - memo_row.in_regie - memo_row.new
    assert rows["amstelland"].region_restriction == "Amstelland"
    assert rows["om"].free_places == -1


def test_without_a_new_since_date_every_open_case_is_in_regie(pool_2020):
    overview = pool_overview(on=pool_2020.on)
    assert (overview.cases_in_regie, overview.new_cases, overview.total_cases) == (50, 0, 50)


def test_buddy_cases_are_counted_apart_from_the_own_caseload(pool_2020):
    """Each regisseur is buddy of every case of the one above him in the table."""
    rows = rows_by_key(pool_2020, pool_overview(on=pool_2020.on, new_since=pool_2020.new_since))
    for position, memo_row in enumerate(POOL_2020):
        buddy_key = POOL_2020[(position + 1) % len(POOL_2020)].key
        assert rows[buddy_key].buddy_cases == memo_row.in_regie + memo_row.new, buddy_key
    # Being buddy does not fill the caseload: OOV-3 (5 own, buddy of 11) is not over capacity.
    assert rows["oov-3"].buddy_cases == 11
    assert not rows["oov-3"].over_capacity


def test_exited_cases_count_neither_as_own_case_nor_as_buddy_case(pool_2020):
    om, ggd = pool_2020.regisseurs["om"], pool_2020.regisseurs["ggd"]
    CaseFactory(
        exited=True,
        exited_on=pool_2020.on,
        regisseur=om,
        buddy=ggd,
        since=pool_2020.new_since,
    )
    overview = pool_overview(on=pool_2020.on, new_since=pool_2020.new_since)
    rows = rows_by_key(pool_2020, overview)
    assert rows["om"].total_cases == 7
    assert rows["ggd"].buddy_cases == 5  # WPI's five open cases only
    assert overview.total_cases == 50


def test_a_registered_case_counts_toward_the_caseload(pool_2020):
    ggd, om = pool_2020.regisseurs["ggd"], pool_2020.regisseurs["om"]
    CaseFactory(status=CaseStatus.REGISTERED, regisseur=ggd, buddy=om, since=pool_2020.new_since)
    rows = rows_by_key(pool_2020, pool_overview(on=pool_2020.on, new_since=pool_2020.new_since))
    assert (rows["ggd"].cases_in_regie, rows["ggd"].new_cases) == (2, 1)


def test_a_case_without_a_start_date_counts_as_in_regie_not_as_new(pool_2020):
    wpi, ggd = pool_2020.regisseurs["wpi"], pool_2020.regisseurs["ggd"]
    CaseFactory(
        status=CaseStatus.REGISTERED,
        regisseur=wpi,
        buddy=ggd,
        since=pool_2020.new_since,
        regisseur_since=None,
    )
    rows = rows_by_key(pool_2020, pool_overview(on=pool_2020.on, new_since=pool_2020.new_since))
    assert (rows["wpi"].cases_in_regie, rows["wpi"].new_cases) == (3, 3)


def test_a_manager_sees_only_his_own_organisations_regisseurs(pool_2020):
    om = pool_2020.regisseurs["om"].organisation
    overview = pool_overview(on=pool_2020.on, new_since=pool_2020.new_since, organisation=om)
    assert [row.regisseur_id for row in overview.rows] == [pool_2020.regisseurs["om"].pk]
    assert (overview.total_capacity, overview.total_cases, overview.free_places) == (6, 7, -1)

    oov = pool_2020.regisseurs["oov-1"].organisation
    oov_overview = pool_overview(on=pool_2020.on, organisation=oov)
    assert (oov_overview.regisseur_count, oov_overview.total_fte) == (3, Decimal("2.5"))


def test_regisseurs_not_in_the_pool_on_the_day_are_left_out(pool_2020):
    gone = pool_2020.regisseurs["ggd"]
    gone.active_until = pool_2020.on - datetime.timedelta(days=1)
    gone.save()
    RegisseurFactory(active_from=pool_2020.on + datetime.timedelta(days=1))  # not yet started
    overview = pool_overview(on=pool_2020.on, new_since=pool_2020.new_since)
    assert gone.pk not in {row.regisseur_id for row in overview.rows}
    assert (overview.regisseur_count, overview.total_fte) == (7, Decimal("5.5"))

    # On his last day he is still in it.
    last_day = pool_overview(on=gone.active_until)
    assert gone.pk in {row.regisseur_id for row in last_day.rows}


def test_pool_overview_takes_the_same_number_of_queries_for_three_times_the_pool(pool_2020):
    # The active regisseurs joined with user, organisation and region, and the open
    # cases counted per regisseur (in regie and new) and per buddy, each in one pass:
    # three queries whatever the pool's size.
    regisseurs_with_counts = 3

    with assert_query_count(regisseurs_with_counts, what="pool_overview of 8 regisseurs"):
        small = pool_overview(on=pool_2020.on, new_since=pool_2020.new_since)
    build_pool_2020(copy=2)
    build_pool_2020(copy=3)
    with assert_query_count(regisseurs_with_counts, what="pool_overview of 24 regisseurs"):
        large = pool_overview(on=pool_2020.on, new_since=pool_2020.new_since)

    assert (small.regisseur_count, small.total_cases) == (8, 50)
    assert (large.regisseur_count, large.total_cases) == (24, 150)


# --- active regisseurs, programme team ----------------------------------------------


def test_regisseurs_active_on_a_day():
    day = datetime.date(2024, 3, 1)
    current = RegisseurFactory(active_from=datetime.date(2023, 1, 1))
    ends_today = RegisseurFactory(active_from=datetime.date(2023, 1, 1), active_until=day)
    RegisseurFactory(active_from=datetime.date(2023, 1, 1), active_until=datetime.date(2024, 2, 29))
    RegisseurFactory(active_from=datetime.date(2024, 3, 2))
    assert set(regisseurs_active(on=day)) == {current, ends_today}


def test_regisseurs_active_of_one_organisation():
    day = datetime.date(2024, 3, 1)
    wpi = OrganisationFactory(code="wpi", name="WPI")
    of_wpi = RegisseurFactory(user=UserFactory(organisation=wpi))
    RegisseurFactory()
    assert list(regisseurs_active(on=day, organisation=wpi)) == [of_wpi]


def test_managing_the_pool_is_the_programme_teams_or_a_superusers(programme_team_member):
    assert may_manage_pool(programme_team_member)
    assert may_manage_pool(UserFactory(is_superuser=True))
    # Working at OOV is not enough: the role is the group.
    assert not may_manage_pool(UserFactory())
    other = UserFactory()
    other.groups.add(Group.objects.get(name=Role.REGISSEUR.value))
    assert not may_manage_pool(other)


# --- caseload reviews and three-way talks -------------------------------------------


def test_latest_caseload_review_and_three_way_talk_per_regisseur():
    on = datetime.date(2024, 6, 30)
    reviewed, never = RegisseurFactory(), RegisseurFactory()
    oov = UserFactory()
    for held_on in (datetime.date(2024, 1, 10), datetime.date(2024, 4, 10)):
        CaseloadReviewFactory(regisseur=reviewed, held_on=held_on, held_by=oov)
    # After ``on``: not yet held as far as ``on`` is concerned.
    CaseloadReviewFactory(regisseur=reviewed, held_on=datetime.date(2024, 7, 10), held_by=oov)
    ThreeWayTalkFactory(regisseur=reviewed, held_on=datetime.date(2023, 11, 1), held_by=oov)
    RegisseurFactory(active_until=datetime.date(2024, 1, 1))  # left the pool: not listed

    # The active regisseurs with the latest date as a subquery: one query each.
    regisseurs_with_latest_date = 1
    with assert_query_count(regisseurs_with_latest_date, what="last_caseload_review_dates"):
        reviews = last_caseload_review_dates(on=on)
    with assert_query_count(regisseurs_with_latest_date, what="last_three_way_talk_dates"):
        talks = last_three_way_talk_dates(on=on)

    assert reviews == {reviewed.pk: datetime.date(2024, 4, 10), never.pk: None}
    assert talks == {reviewed.pk: datetime.date(2023, 11, 1), never.pk: None}


# --- team rhythm ------------------------------------------------------------------


def activity(kind, held_on, **series):
    return TeamActivityFactory(kind=kind, held_on=held_on, **series)


def test_team_rhythm_gives_the_last_meetings_and_when_the_next_are_due():
    on = datetime.date(2020, 10, 1)
    kind = TeamActivity.Kind
    activity(kind.TEAM_MEETING, datetime.date(2020, 8, 20))
    activity(kind.TEAM_MEETING, datetime.date(2020, 9, 17))
    activity(kind.TEAM_MEETING, datetime.date(2020, 10, 15))  # after ``on``
    series = {"series_name": "Intervisie NTA", "series_size": 10}
    activity(kind.INTERVISION, datetime.date(2020, 2, 5), series_number=1, **series)
    activity(kind.INTERVISION, datetime.date(2020, 4, 1), series_number=2, **series)
    activity(kind.INTERVISION, datetime.date(2020, 7, 1), series_number=3, **series)
    activity(kind.INTERVISION, datetime.date(2020, 11, 1), series_number=4, **series)  # later
    activity(kind.TRAINING, datetime.date(2020, 3, 1))
    activity(kind.TRAINING, datetime.date(2019, 11, 1))  # last year

    rhythm = team_rhythm_status(on=on)

    assert rhythm.last_team_meeting_on == datetime.date(2020, 9, 17)
    assert rhythm.next_team_meeting_due_on == datetime.date(2020, 9, 17) + TEAM_MEETING_INTERVAL
    assert rhythm.next_team_meeting_due_on == datetime.date(2020, 10, 15)
    assert not rhythm.team_meeting_overdue
    assert rhythm.last_intervision_on == datetime.date(2020, 7, 1)
    assert rhythm.next_intervision_due_on == datetime.date(2020, 7, 1) + INTERVISION_INTERVAL
    assert rhythm.intervision_overdue
    assert rhythm.intervision_series is not None
    assert rhythm.intervision_series.label == "3 van 10"
    assert not rhythm.intervision_series.completed
    assert rhythm.trainings_this_year == 1
    assert not rhythm.outing_this_year


def test_team_rhythm_with_nothing_held_is_due_at_once():
    on = datetime.date(2020, 6, 1)
    rhythm = team_rhythm_status(on=on)
    assert (rhythm.last_team_meeting_on, rhythm.last_intervision_on) == (None, None)
    assert rhythm.next_team_meeting_due_on == on
    assert rhythm.next_intervision_due_on == on
    assert rhythm.intervision_series is None
