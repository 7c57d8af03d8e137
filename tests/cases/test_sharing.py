"""Sharing on a weighty interest: one plan version or one UVO of this case, with whom
and on what ground, by someone who works on the case; recorded and logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AccessLog
from cases.models import ShareRecord
from cases.services.emergency import emergency_access_open
from cases.services.sharing import (
    SHARE_CHOOSE_ONE,
    SHARE_GROUND_REQUIRED,
    SHARE_NOT_OF_THIS_CASE,
    SHARE_ONLY_WHO_WORKS_ON_CASE,
    share_record,
)
from kernel.errors import RuleViolation
from tests.factories import MeetingFactory, PlanVersionFactory

from .conftest import OUTSIDERS, client_for

pytestmark = pytest.mark.django_db

SHARED_WITH = "J. de Vries, Leger des Heils"
GROUND = "Acuut huisvestingsrisico: de opvang moet de afspraken uit het plan kennen."


@pytest.fixture
def meeting(crew):
    return MeetingFactory(case=crew.case)


@pytest.fixture
def plan_version(crew):
    return PlanVersionFactory(case=crew.case)


@pytest.fixture
def foreign_meeting(crew, start_case):
    return MeetingFactory(case=start_case())


def share_records_and_logs() -> tuple[int, int]:
    return (
        ShareRecord.objects.count(),
        AccessLog.objects.filter(action=AccessLog.Action.SHARE).count(),
    )


# --- the service ----------------------------------------------------------------------


def test_sharing_a_plan_version_is_recorded_and_logged(crew, plan_version):
    record = share_record(
        case=crew.case,
        plan_version=plan_version,
        shared_with=SHARED_WITH,
        ground=GROUND,
        by=crew.regisseur,
    )
    assert (record.shared_object_type, record.plan_version, record.meeting) == (
        "plan",
        plan_version,
        None,
    )
    log = AccessLog.objects.get(action=AccessLog.Action.SHARE)
    assert (log.object_type, log.object_id) == ("cases.planversion", str(plan_version.pk))
    assert (log.shared_with, log.purpose, log.case_id) == (SHARED_WITH, GROUND, crew.case.pk)
    assert log.emergency is False


@pytest.mark.parametrize("choice", ["both", "neither"])
def test_exactly_one_thing_is_shared(crew, plan_version, meeting, choice):
    chosen = {"plan_version": plan_version, "meeting": meeting} if choice == "both" else {}
    with pytest.raises(ValidationError, match=str(SHARE_CHOOSE_ONE)):
        share_record(
            case=crew.case, shared_with=SHARED_WITH, ground=GROUND, by=crew.buddy, **chosen
        )
    assert share_records_and_logs() == (0, 0)


def test_a_record_of_another_case_is_refused(crew, foreign_meeting):
    with pytest.raises(ValidationError, match=str(SHARE_NOT_OF_THIS_CASE)):
        share_record(
            case=crew.case,
            meeting=foreign_meeting,
            shared_with=SHARED_WITH,
            ground=GROUND,
            by=crew.regisseur,
        )
    assert share_records_and_logs() == (0, 0)


def test_a_ground_is_required(crew, meeting):
    with pytest.raises(ValidationError, match=str(SHARE_GROUND_REQUIRED)):
        share_record(
            case=crew.case, meeting=meeting, shared_with=SHARED_WITH, ground="  ", by=crew.buddy
        )


def test_only_who_works_on_the_case_shares(crew, meeting):
    for who in ("team_member", "other_regisseur"):
        with pytest.raises(RuleViolation, match=str(SHARE_ONLY_WHO_WORKS_ON_CASE)):
            share_record(
                case=crew.case,
                meeting=meeting,
                shared_with=SHARED_WITH,
                ground=GROUND,
                by=crew.of(who),
            )
    assert share_records_and_logs() == (0, 0)


def test_emergency_access_is_for_reading_and_shares_nothing(crew, meeting):
    emergency_access_open(
        case=crew.case,
        user=crew.other_regisseur,
        reason="Crisis vannacht; regisseur en buddy zijn onbereikbaar.",
    )
    with pytest.raises(RuleViolation, match=str(SHARE_ONLY_WHO_WORKS_ON_CASE)):
        share_record(
            case=crew.case,
            meeting=meeting,
            shared_with=SHARED_WITH,
            ground=GROUND,
            by=crew.other_regisseur,
        )
    assert share_records_and_logs() == (0, 0)


# --- the page ---------------------------------------------------------------------------


def share_url(crew) -> str:
    return reverse("cases:share", args=[crew.case.pk])


def test_the_regisseur_shares_an_uvo_through_the_form(crew, meeting):
    client = client_for(crew.regisseur)
    assert client.get(share_url(crew)).status_code == 200
    response = client.post(
        share_url(crew), {"meeting": meeting.pk, "shared_with": SHARED_WITH, "ground": GROUND}
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("cases:detail", args=[crew.case.pk]) + "?tab=historie#shares"
    )
    record = ShareRecord.objects.get()
    assert (record.meeting, record.shared_by, record.ground) == (meeting, crew.regisseur, GROUND)
    assert share_records_and_logs() == (1, 1)
    page = client.get(response["Location"]).content.decode()
    assert SHARED_WITH in page


def test_a_forged_id_of_another_cases_meeting_is_a_form_error_and_nothing_is_written(
    crew, foreign_meeting
):
    response = client_for(crew.regisseur).post(
        share_url(crew),
        {"meeting": foreign_meeting.pk, "shared_with": SHARED_WITH, "ground": GROUND},
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("meeting", "invalid_choice")
    assert SHARED_WITH in response.content.decode()  # the input is kept
    assert share_records_and_logs() == (0, 0)


def test_choosing_nothing_shows_the_services_message(crew, meeting):
    response = client_for(crew.buddy).post(
        share_url(crew), {"shared_with": SHARED_WITH, "ground": GROUND}
    )
    assert response.status_code == 400
    assert str(SHARE_CHOOSE_ONE) in response.content.decode()
    assert GROUND in response.content.decode()
    assert share_records_and_logs() == (0, 0)


def test_a_team_member_may_not_share_and_outsiders_do_not_find_the_page(crew, meeting):
    data = {"meeting": meeting.pk, "shared_with": SHARED_WITH, "ground": GROUND}
    member = client_for(crew.team_member)
    assert member.get(share_url(crew)).status_code == 403
    assert member.post(share_url(crew), data).status_code == 403
    for who in OUTSIDERS:
        assert client_for(crew.of(who)).post(share_url(crew), data).status_code == 404
    assert share_records_and_logs() == (0, 0)
