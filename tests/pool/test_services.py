"""The pool's write services and the rules of docs/rules.md (R-POOL) they enforce."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organisation
from cases.models import CaseStatus
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from pool import services
from pool.models import Attendance, CaseloadReview, Regisseur, TeamActivity
from pool.selectors import pool_overview
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    PersonFactory,
    RegionFactory,
    RegisseurFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2020, 6, 1)


@pytest.fixture
def oov():
    return OrganisationFactory(code="oov", name="OOV")


@pytest.fixture
def wpi():
    return OrganisationFactory(code="wpi", name="WPI")


@pytest.fixture
def lead(oov):
    """Whoever records the change."""
    return UserFactory(organisation=oov)


def create(organisation: Organisation, fte: str, by, **extra) -> Regisseur:
    return services.regisseur_create(
        user=extra.pop("user", None) or UserFactory(organisation=organisation),
        organisation=organisation,
        fte=Decimal(fte),
        active_from=extra.pop("active_from", START),
        by=by,
        **extra,
    )


# --- membership -------------------------------------------------------------------


def test_a_regisseurs_capacity_follows_from_his_fte(wpi, lead):
    regisseur = create(wpi, "0.5", lead, remark="Alleen Amstelland casussen")
    regisseur.refresh_from_db()
    assert (regisseur.fte, regisseur.capacity) == (Decimal("0.50"), 6)
    assert regisseur.remark == "Alleen Amstelland casussen"
    assert create(wpi, "1.0", lead).capacity == 12


@pytest.mark.parametrize(
    ("fte", "message"),
    [
        ("0", services.FTE_NOT_POSITIVE),
        ("-0.5", services.FTE_NOT_POSITIVE),
        ("1.1", services.FTE_ABOVE_ONE),
        ("0.555", services.FTE_TOO_PRECISE),
    ],
)
def test_fte_lies_above_0_and_at_most_1(oov, lead, fte, message):
    with pytest.raises(ValidationError) as exc:
        create(oov, fte, lead)
    assert exc.value.messages == [message]
    assert not Regisseur.objects.exists()


def test_a_regisseur_from_another_kernpartner_than_oov_works_at_least_half_time(wpi, lead):
    with pytest.raises(RuleViolation) as exc:
        create(wpi, "0.4", lead)
    assert exc.value.messages == [services.FTE_BELOW_PARTNER_MINIMUM]
    assert not Regisseur.objects.exists()
    assert create(wpi, "0.5", lead).fte == Decimal("0.5")


def test_an_oov_regisseur_may_work_less_than_half_time(oov, lead):
    assert create(oov, "0.3", lead).capacity == 3


def test_the_minimum_applies_to_kernpartners_only(lead):
    intervention_partner = OrganisationFactory(
        code="jbra", name="JBRA", kind=Organisation.Kind.INTERVENTIEPARTNER
    )
    assert create(intervention_partner, "0.3", lead).fte == Decimal("0.3")


def test_a_user_is_regisseur_only_once(oov, lead):
    user = UserFactory(organisation=oov)
    create(oov, "1.0", lead, user=user)
    with pytest.raises(RuleViolation) as exc:
        create(oov, "0.5", lead, user=user)
    assert exc.value.messages == [services.USER_ALREADY_REGISSEUR]


def test_the_membership_ends_after_it_starts(oov, lead):
    with pytest.raises(ValidationError) as exc:
        create(oov, "1.0", lead, active_until=START - datetime.timedelta(days=1))
    assert exc.value.messages == [services.ACTIVE_PERIOD_REVERSED]
    assert create(oov, "1.0", lead, active_until=START).active_until == START


def test_the_manager_works_at_the_regisseurs_moederorganisation(oov, wpi, lead):
    with pytest.raises(RuleViolation) as exc:
        create(wpi, "1.0", lead, manager=UserFactory(organisation=oov))
    assert exc.value.messages == [services.MANAGER_OTHER_ORGANISATION]
    manager = UserFactory(organisation=wpi)
    assert create(wpi, "1.0", lead, manager=manager).manager == manager


def test_a_region_restriction_is_kept(oov, lead):
    amstelland = RegionFactory(code="amstelland", name="Amstelland")
    regisseur = create(oov, "1.0", lead, region_restriction=amstelland)
    assert Regisseur.objects.get(pk=regisseur.pk).region_restriction == amstelland


def test_update_changes_only_what_is_given(wpi, lead):
    regisseur = create(wpi, "1.0", lead, remark="Gedetacheerd vanuit JBRA")
    updated = services.regisseur_update(regisseur=regisseur, fte=Decimal("0.5"), by=lead)
    updated.refresh_from_db()
    assert (updated.fte, updated.capacity, updated.remark) == (
        Decimal("0.5"),
        6,
        "Gedetacheerd vanuit JBRA",
    )


def test_update_holds_the_same_rules(wpi, oov, lead):
    regisseur = create(wpi, "1.0", lead)
    with pytest.raises(RuleViolation) as exc:
        services.regisseur_update(regisseur=regisseur, fte=Decimal("0.3"), by=lead)
    assert exc.value.messages == [services.FTE_BELOW_PARTNER_MINIMUM]
    with pytest.raises(RuleViolation) as exc:
        services.regisseur_update(
            regisseur=regisseur, manager=UserFactory(organisation=oov), by=lead
        )
    assert exc.value.messages == [services.MANAGER_OTHER_ORGANISATION]
    regisseur.refresh_from_db()
    assert (regisseur.fte, regisseur.manager) == (Decimal("1.00"), None)


def test_moving_an_oov_regisseur_to_a_partner_checks_his_fte(oov, wpi, lead):
    regisseur = create(oov, "0.3", lead)
    with pytest.raises(RuleViolation) as exc:
        services.regisseur_update(regisseur=regisseur, organisation=wpi, by=lead)
    assert exc.value.messages == [services.FTE_BELOW_PARTNER_MINIMUM]


def test_of_two_editors_of_a_regisseur_the_second_is_refused_and_overwrites_nothing(wpi, lead):
    regisseur = create(wpi, "1.0", lead)
    loaded = regisseur.revision  # both editors opened the same version
    services.regisseur_update(
        regisseur=regisseur, remark="Eerste", by=lead, expected_revision=loaded
    )
    with pytest.raises(StaleObject) as exc:
        services.regisseur_update(
            regisseur=regisseur,
            fte=Decimal("0.5"),
            remark="Tweede",
            by=UserFactory(),
            expected_revision=loaded,
        )
    assert exc.value.messages == [STALE_RECORD]
    regisseur.refresh_from_db()
    assert (regisseur.remark, regisseur.fte, regisseur.revision) == (
        "Eerste",
        Decimal("1.00"),
        loaded + 1,
    )


def test_ending_a_membership_makes_an_edit_loaded_before_it_stale(oov, lead):
    regisseur = create(oov, "1.0", lead)
    loaded = regisseur.revision
    services.regisseur_end_membership(regisseur=regisseur, on=datetime.date(2021, 3, 31), by=lead)
    with pytest.raises(StaleObject):
        services.regisseur_update(
            regisseur=regisseur, remark="Later", by=lead, expected_revision=loaded
        )
    regisseur.refresh_from_db()
    assert regisseur.remark == ""


def test_ending_the_membership_takes_the_regisseur_out_of_the_pool(oov, lead):
    regisseur = create(oov, "1.0", lead)
    last_day = datetime.date(2021, 3, 31)
    services.regisseur_end_membership(regisseur=regisseur, on=last_day, by=lead)
    regisseur.refresh_from_db()
    assert regisseur.active_until == last_day
    assert pool_overview(on=last_day).regisseur_count == 1
    assert pool_overview(on=last_day + datetime.timedelta(days=1)).regisseur_count == 0


def test_a_membership_cannot_end_before_it_starts_or_after_it_ended(oov, lead):
    regisseur = create(oov, "1.0", lead)
    with pytest.raises(ValidationError) as exc:
        services.regisseur_end_membership(
            regisseur=regisseur, on=START - datetime.timedelta(days=1), by=lead
        )
    assert exc.value.messages == [services.ACTIVE_PERIOD_REVERSED]

    services.regisseur_end_membership(regisseur=regisseur, on=datetime.date(2021, 3, 31), by=lead)
    with pytest.raises(RuleViolation) as exc:
        services.regisseur_end_membership(
            regisseur=regisseur, on=datetime.date(2021, 6, 30), by=lead
        )
    assert exc.value.messages == [services.MEMBERSHIP_ALREADY_ENDED]
    # Bringing the last day forward is allowed.
    services.regisseur_end_membership(regisseur=regisseur, on=datetime.date(2021, 1, 31), by=lead)
    regisseur.refresh_from_db()
    assert regisseur.active_until == datetime.date(2021, 1, 31)


# --- absences -----------------------------------------------------------------------

JULY_1, JULY_31 = datetime.date(2021, 7, 1), datetime.date(2021, 7, 31)


@pytest.fixture
def pair():
    """Two regisseurs who stand in for each other."""
    return RegisseurFactory(), RegisseurFactory()


def absent(regisseur, starts_on=JULY_1, ends_on=JULY_31, stand_in=None, by=None):
    return services.absence_create(
        regisseur=regisseur,
        starts_on=starts_on,
        ends_on=ends_on,
        reason="Vakantie",
        stand_in=stand_in,
        by=by or UserFactory(),
    )


def test_an_absence_with_a_stand_in_is_recorded(pair):
    regisseur, colleague = pair
    absence = absent(regisseur, stand_in=colleague)
    assert (absence.starts_on, absence.ends_on, absence.stand_in) == (JULY_1, JULY_31, colleague)


def test_an_absence_ends_on_or_after_its_start(pair):
    with pytest.raises(ValidationError) as exc:
        absent(pair[0], starts_on=JULY_31, ends_on=JULY_1)
    assert exc.value.messages == [services.ABSENCE_PERIOD_REVERSED]


def test_absences_of_one_regisseur_do_not_overlap(pair):
    regisseur, _ = pair
    absent(regisseur)
    with pytest.raises(RuleViolation) as exc:
        absent(regisseur, starts_on=JULY_31, ends_on=datetime.date(2021, 8, 14))
    assert exc.value.messages == [services.ABSENCE_OVERLAPS]
    # The day after is free.
    absent(
        regisseur,
        starts_on=JULY_31 + datetime.timedelta(days=1),
        ends_on=datetime.date(2021, 8, 14),
    )


def test_nobody_stands_in_for_himself(pair):
    regisseur, _ = pair
    with pytest.raises(ValidationError) as exc:
        absent(regisseur, stand_in=regisseur)
    assert exc.value.messages == [services.STAND_IN_IS_REGISSEUR]


def test_the_stand_in_is_in_the_pool_for_the_whole_period(pair):
    regisseur, _ = pair
    leaving = RegisseurFactory(active_until=datetime.date(2021, 7, 15))
    with pytest.raises(RuleViolation) as exc:
        absent(regisseur, stand_in=leaving)
    assert exc.value.messages == [services.STAND_IN_NOT_ACTIVE]
    joining = RegisseurFactory(active_from=datetime.date(2021, 7, 15))
    with pytest.raises(RuleViolation) as exc:
        absent(regisseur, stand_in=joining)
    assert exc.value.messages == [services.STAND_IN_NOT_ACTIVE]


def test_the_stand_in_is_not_away_himself(pair):
    regisseur, colleague = pair
    absent(colleague, starts_on=datetime.date(2021, 7, 20), ends_on=datetime.date(2021, 8, 10))
    with pytest.raises(RuleViolation) as exc:
        absent(regisseur, stand_in=colleague)
    assert exc.value.messages == [services.STAND_IN_ABSENT]


def test_a_stand_in_cannot_go_away_while_standing_in(pair):
    regisseur, colleague = pair
    absent(regisseur, stand_in=colleague)
    with pytest.raises(RuleViolation) as exc:
        absent(colleague, starts_on=datetime.date(2021, 7, 25), ends_on=datetime.date(2021, 8, 5))
    assert exc.value.messages == [services.REGISSEUR_STANDS_IN]


def test_an_absence_ends_early_within_its_period(pair):
    regisseur, colleague = pair
    absence = absent(regisseur, stand_in=colleague)
    lead = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.absence_end_early(absence=absence, on=datetime.date(2021, 8, 5), by=lead)
    assert exc.value.messages == [services.END_EARLY_OUTSIDE_ABSENCE]

    back = datetime.date(2021, 7, 20)
    services.absence_end_early(absence=absence, on=back, by=lead)
    absence.refresh_from_db()
    assert absence.ends_on == back
    # The colleague is free to go away after that.
    absent(colleague, starts_on=back + datetime.timedelta(days=1), ends_on=JULY_31)


def test_changing_an_absence_keeps_the_rules_but_not_against_itself(pair):
    regisseur, colleague = pair
    absence = absent(regisseur)
    later = datetime.date(2021, 8, 7)
    services.absence_update(absence=absence, ends_on=later, by=UserFactory())
    absence.refresh_from_db()
    assert absence.ends_on == later

    absent(colleague, starts_on=later, ends_on=later)
    with pytest.raises(RuleViolation) as exc:
        services.absence_update(absence=absence, stand_in=colleague, by=UserFactory())
    assert exc.value.messages == [services.STAND_IN_ABSENT]


def test_of_two_editors_of_an_absence_the_second_is_refused_and_overwrites_nothing(pair):
    regisseur, colleague = pair
    absence = absent(regisseur)
    loaded = absence.revision  # both editors opened the same version
    services.absence_update(
        absence=absence, reason="Ziek", by=UserFactory(), expected_revision=loaded
    )
    with pytest.raises(StaleObject) as exc:
        services.absence_update(
            absence=absence,
            ends_on=datetime.date(2021, 7, 10),
            stand_in=colleague,
            by=UserFactory(),
            expected_revision=loaded,
        )
    assert exc.value.messages == [STALE_RECORD]
    with pytest.raises(StaleObject):
        services.absence_end_early(
            absence=absence,
            on=datetime.date(2021, 7, 10),
            by=UserFactory(),
            expected_revision=loaded,
        )
    absence.refresh_from_db()
    assert (absence.reason, absence.ends_on, absence.stand_in, absence.revision) == (
        "Ziek",
        JULY_31,
        None,
        loaded + 1,
    )


# --- caseload reviews ---------------------------------------------------------------

REVIEW_DAY = datetime.date(2021, 9, 14)


def test_a_caseload_review_freezes_the_caseload_without_person_data(programme_team_member):
    regisseur = RegisseurFactory(fte=Decimal("0.5"))
    colleague = RegisseurFactory()
    amstelland = RegionFactory(code="amstelland", name="Amstelland")
    own = CaseFactory(number="R-00002", regisseur=regisseur, buddy=colleague, phase2=True)
    PersonFactory(case=own, first_name="Fictieve", last_name="Naam", bsn="123456782")
    CaseFactory(number="R-00001", regisseur=regisseur, buddy=colleague, region=amstelland)
    CaseFactory(number="R-00003", regisseur=colleague, buddy=regisseur, registered=True)
    CaseFactory(number="R-00004", regisseur=regisseur, buddy=colleague, exited=True)

    review = services.caseload_review_create(
        regisseur=regisseur,
        held_on=REVIEW_DAY,
        held_by=programme_team_member,
        progress="Alle casussen op koers.",
        requirements="Registratie UVO's binnen een week.",
        assignments="Plan van aanpak R-00002 actualiseren.",
    )

    snapshot = CaseloadReview.objects.get(pk=review.pk).caseload_snapshot
    assert snapshot == {
        "held_on": "2021-09-14",
        "fte": "0.50",
        "capacity": 6,
        "cases_as_regisseur": [
            {"number": "R-00001", "phase": 1, "status": "in_regie", "region": "amstelland"},
            {"number": "R-00002", "phase": 2, "status": "in_regie", "region": "amsterdam"},
        ],
        "cases_as_buddy": [
            {"number": "R-00003", "phase": 1, "status": "aangemeld", "region": "amsterdam"},
        ],
        "total": 2,
        "over_capacity": False,
    }
    frozen = json.dumps(snapshot)
    assert "Fictieve" not in frozen
    assert "123456782" not in frozen


def test_the_snapshot_does_not_follow_later_changes(programme_team_member):
    regisseur = RegisseurFactory()
    case = CaseFactory(regisseur=regisseur)
    review = services.caseload_review_create(
        regisseur=regisseur, held_on=REVIEW_DAY, held_by=programme_team_member
    )
    case.status, case.exited_on = CaseStatus.EXITED, REVIEW_DAY
    case.save()
    review.refresh_from_db()
    assert [c["number"] for c in review.caseload_snapshot["cases_as_regisseur"]] == [case.number]


def test_only_the_programme_team_holds_caseload_reviews(programme_team_member):
    regisseur = RegisseurFactory()
    oov_colleague = UserFactory()  # works at OOV, but not in the programme team
    with pytest.raises(RuleViolation) as exc:
        services.caseload_review_create(
            regisseur=regisseur, held_on=REVIEW_DAY, held_by=oov_colleague
        )
    assert exc.value.messages == [services.HELD_BY_NOT_PROGRAMME_TEAM]
    assert not CaseloadReview.objects.exists()

    superuser = UserFactory(is_superuser=True)
    services.caseload_review_create(regisseur=regisseur, held_on=REVIEW_DAY, held_by=superuser)
    services.caseload_review_create(
        regisseur=regisseur, held_on=REVIEW_DAY, held_by=programme_team_member
    )
    assert CaseloadReview.objects.count() == 2


def test_a_caseload_review_is_held_with_a_member_of_the_pool(programme_team_member):
    regisseur = RegisseurFactory(active_until=datetime.date(2021, 6, 30))
    with pytest.raises(RuleViolation) as exc:
        services.caseload_review_create(
            regisseur=regisseur, held_on=REVIEW_DAY, held_by=programme_team_member
        )
    assert exc.value.messages == [services.REGISSEUR_NOT_ACTIVE]


# --- three-way talks ----------------------------------------------------------------


def test_a_three_way_talk_is_held_with_the_regisseurs_own_manager(programme_team_member, wpi):
    manager = UserFactory(organisation=wpi)
    regisseur = RegisseurFactory(user=UserFactory(organisation=wpi), manager=manager)
    talk = services.three_way_talk_create(
        regisseur=regisseur,
        held_on=REVIEW_DAY,
        held_by=programme_team_member,
        manager=manager,
        agreements="Volgend driegesprek over een jaar.",
    )
    assert (talk.manager, talk.held_by) == (manager, programme_team_member)


def test_another_manager_of_the_moederorganisation_may_take_part(programme_team_member, wpi):
    regisseur = RegisseurFactory(user=UserFactory(organisation=wpi))
    deputy = UserFactory(organisation=wpi)
    talk = services.three_way_talk_create(
        regisseur=regisseur, held_on=REVIEW_DAY, held_by=programme_team_member, manager=deputy
    )
    assert talk.manager == deputy


def test_a_manager_from_elsewhere_is_refused(programme_team_member, wpi):
    regisseur = RegisseurFactory(user=UserFactory(organisation=wpi))
    outsider = UserFactory(organisation=OrganisationFactory(code="ggd", name="GGD"))
    with pytest.raises(RuleViolation) as exc:
        services.three_way_talk_create(
            regisseur=regisseur, held_on=REVIEW_DAY, held_by=programme_team_member, manager=outsider
        )
    assert exc.value.messages == [services.MANAGER_NOT_OF_REGISSEUR]


def test_only_the_programme_team_holds_three_way_talks(wpi):
    regisseur = RegisseurFactory(user=UserFactory(organisation=wpi))
    manager = UserFactory(organisation=wpi)
    with pytest.raises(RuleViolation) as exc:
        services.three_way_talk_create(
            regisseur=regisseur, held_on=REVIEW_DAY, held_by=manager, manager=manager
        )
    assert exc.value.messages == [services.HELD_BY_NOT_PROGRAMME_TEAM]


# --- team activities ----------------------------------------------------------------

NTA = {"series_name": "Intervisie NTA", "series_size": 10}


def intervision(number, by, **extra):
    return services.team_activity_create(
        kind=TeamActivity.Kind.INTERVISION,
        held_on=datetime.date(2020, 9, 1) + datetime.timedelta(weeks=8 * number),
        series_number=number,
        by=by,
        **{**NTA, **extra},
    )


def test_a_team_meeting_is_recorded_with_who_was_there(lead):
    present, away = RegisseurFactory(), RegisseurFactory()
    meeting = services.team_activity_create(
        kind=TeamActivity.Kind.TEAM_MEETING,
        held_on=datetime.date(2020, 9, 3),
        topic="Casuïstiek en vakontwikkeling",
        attendance={present: True, away: False},
        by=lead,
    )
    assert set(Attendance.objects.filter(activity=meeting).values_list("regisseur", "present")) == {
        (present.pk, True),
        (away.pk, False),
    }


def test_an_intervision_belongs_to_a_numbered_series(lead):
    with pytest.raises(ValidationError) as exc:
        services.team_activity_create(
            kind=TeamActivity.Kind.INTERVISION, held_on=datetime.date(2020, 9, 1), by=lead
        )
    assert exc.value.messages == [services.SERIES_INCOMPLETE]
    assert not TeamActivity.objects.exists()


@pytest.mark.parametrize("number", [0, 11])
def test_the_number_lies_within_the_series(lead, number):
    with pytest.raises(ValidationError) as exc:
        intervision(number, lead)
    assert exc.value.messages == [services.SERIES_NUMBER_OUT_OF_RANGE]


def test_numbers_are_unique_within_a_series(lead):
    intervision(3, lead)
    with pytest.raises(RuleViolation) as exc:
        intervision(3, lead)
    assert exc.value.messages == [services.SERIES_NUMBER_TAKEN]
    # Another series may use the number again.
    assert intervision(3, lead, series_name="Intervisie 2022").series_number == 3


def test_a_series_keeps_its_size(lead):
    intervision(1, lead)
    with pytest.raises(RuleViolation) as exc:
        intervision(2, lead, series_size=12)
    assert exc.value.messages == [services.SERIES_SIZE_DIFFERS]


def test_changing_an_activity_keeps_its_own_number(lead):
    first = intervision(1, lead)
    intervision(2, lead)
    moved = services.team_activity_update(
        activity=first, held_on=datetime.date(2020, 10, 1), by=lead
    )
    assert (moved.series_number, moved.held_on) == (1, datetime.date(2020, 10, 1))
    with pytest.raises(RuleViolation) as exc:
        services.team_activity_update(activity=first, series_number=2, by=lead)
    assert exc.value.messages == [services.SERIES_NUMBER_TAKEN]


def test_an_unknown_kind_is_refused(lead):
    with pytest.raises(ValidationError) as exc:
        services.team_activity_create(kind="borrel", held_on=datetime.date(2020, 9, 1), by=lead)
    assert exc.value.messages == [services.KIND_UNKNOWN]


def test_attendance_is_for_members_of_the_pool_on_the_day(lead):
    meeting = services.team_activity_create(
        kind=TeamActivity.Kind.TEAM_MEETING, held_on=datetime.date(2020, 9, 3), by=lead
    )
    gone = RegisseurFactory(active_until=datetime.date(2020, 8, 31))
    with pytest.raises(RuleViolation) as exc:
        services.attendance_record(activity=meeting, regisseur=gone, present=True, by=lead)
    assert exc.value.messages == [services.ATTENDEE_NOT_ACTIVE]


def test_recording_attendance_again_changes_it(lead):
    regisseur = RegisseurFactory()
    meeting = services.team_activity_create(
        kind=TeamActivity.Kind.TEAM_MEETING,
        held_on=datetime.date(2020, 9, 3),
        attendance={regisseur: True},
        by=lead,
    )
    services.attendance_record(activity=meeting, regisseur=regisseur, present=False, by=lead)
    assert list(Attendance.objects.values_list("present", flat=True)) == [False]
