"""The pool admin: its pages open, and what it saves goes through the pool services."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from django.test.utils import CaptureQueriesContext

from pool import services
from pool.models import (
    Absence,
    Attendance,
    CaseloadReview,
    Regisseur,
    TeamActivity,
    ThreeWayTalk,
)
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, RegionFactory, RegisseurFactory, UserFactory
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

ADMIN = "/beheer/pool"


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    client.user = admin
    return client


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "model",
    ["region", "regisseur", "absence", "caseloadreview", "threewaytalk", "teamactivity"],
)
def test_every_pool_page_opens_for_an_administrator(admin_client, model):
    RegisseurFactory(remark="Gedetacheerd vanuit JBRA")
    assert admin_client.get(f"{ADMIN}/{model}/").status_code == 200
    assert admin_client.get(f"{ADMIN}/{model}/add/").status_code == 200


def test_the_regisseur_list_shows_fte_and_capacity(admin_client):
    regisseur = RegisseurFactory(
        user=UserFactory(first_name="Fictieve", last_name="Regisseur"), fte=Decimal("0.5")
    )
    text = page_text(admin_client.get(f"{ADMIN}/regisseur/"))
    assert str(regisseur) in text
    assert "casussen max" in text.lower()
    row = text[text.index("Fictieve Regisseur") :]
    assert '<td class="field-capacity">6</td>' in html.unescape(row)


def add_rows(model: str, count: int) -> None:
    """``count`` rows of the page's model, each with the related records its list shows."""
    held_on = datetime.date(2021, 9, 14)
    for _ in range(count):
        regisseur = RegisseurFactory(
            region_restriction=RegionFactory(code="amstelland"), manager=UserFactory()
        )
        if model == "absence":
            Absence.objects.create(
                regisseur=regisseur,
                starts_on=held_on,
                ends_on=held_on,
                stand_in=RegisseurFactory(),
                created_by=regisseur.user,
            )
        elif model == "caseloadreview":
            CaseloadReview.objects.create(
                regisseur=regisseur, held_on=held_on, held_by=UserFactory()
            )
        elif model == "threewaytalk":
            ThreeWayTalk.objects.create(
                regisseur=regisseur, held_on=held_on, held_by=UserFactory(), manager=UserFactory()
            )
        elif model == "teamactivity":
            TeamActivity.objects.create(kind=TeamActivity.Kind.TRAINING, held_on=held_on)


def list_page_queries(client, model: str) -> CaptureQueriesContext:
    with count_queries() as queries:
        assert client.get(f"{ADMIN}/{model}/").status_code == 200
    return queries


@pytest.mark.parametrize(
    "model", ["regisseur", "absence", "caseloadreview", "threewaytalk", "teamactivity"]
)
def test_list_pages_take_the_same_number_of_queries_for_three_times_the_rows(admin_client, model):
    add_rows(model, 2)
    list_page_queries(admin_client, model)  # the first request also loads the session's caches
    small = list_page_queries(admin_client, model)
    add_rows(model, 4)
    large = list_page_queries(admin_client, model)
    assert_same_query_count(small, large, what=f"the admin list of {model}")


def regisseur_form(user, organisation, fte: str) -> dict[str, str]:
    return {
        "user": str(user.pk),
        "organisation": str(organisation.pk),
        "fte": fte,
        "remark": "",
        "active_from": "01-06-2020",
        "active_until": "",
    }


def test_a_partner_regisseur_below_half_time_is_refused_with_the_dutch_message(admin_client):
    wpi = OrganisationFactory(code="wpi", name="WPI")
    user = UserFactory(organisation=wpi)

    response = admin_client.post(f"{ADMIN}/regisseur/add/", regisseur_form(user, wpi, "0.3"))

    assert response.status_code == 200  # the form again, with the error
    assert str(services.FTE_BELOW_PARTNER_MINIMUM) in page_text(response)
    assert not Regisseur.objects.exists()


def test_a_valid_regisseur_is_created_through_the_service(admin_client):
    wpi = OrganisationFactory(code="wpi", name="WPI")
    user = UserFactory(organisation=wpi)

    response = admin_client.post(f"{ADMIN}/regisseur/add/", regisseur_form(user, wpi, "0.5"))

    assert response.status_code == 302, page_text(response)
    regisseur = Regisseur.objects.get()
    assert (regisseur.user, regisseur.fte, regisseur.capacity) == (user, Decimal("0.50"), 6)


def test_changing_a_regisseur_in_the_admin_holds_the_rules(admin_client):
    wpi = OrganisationFactory(code="wpi", name="WPI")
    regisseur = RegisseurFactory(user=UserFactory(organisation=wpi))
    data = regisseur_form(regisseur.user, wpi, "0.4")
    del data["user"]  # read-only once the membership exists

    refused = admin_client.post(f"{ADMIN}/regisseur/{regisseur.pk}/change/", data)
    assert str(services.FTE_BELOW_PARTNER_MINIMUM) in page_text(refused)

    data["fte"] = "0.5"
    saved = admin_client.post(f"{ADMIN}/regisseur/{regisseur.pk}/change/", data)
    assert saved.status_code == 302, page_text(saved)
    regisseur.refresh_from_db()
    assert regisseur.fte == Decimal("0.50")


def test_an_overlapping_absence_is_refused_in_the_admin(admin_client):
    regisseur, colleague = RegisseurFactory(), RegisseurFactory()
    services.absence_create(
        regisseur=regisseur,
        starts_on=datetime.date(2021, 7, 1),
        ends_on=datetime.date(2021, 7, 31),
        stand_in=colleague,
        by=admin_client.user,
    )
    form = {
        "regisseur": str(regisseur.pk),
        "starts_on": "15-07-2021",
        "ends_on": "15-08-2021",
        "reason": "Vakantie",
        "stand_in": "",
    }

    response = admin_client.post(f"{ADMIN}/absence/add/", form)
    assert str(services.ABSENCE_OVERLAPS) in page_text(response)
    assert Absence.objects.count() == 1

    form["starts_on"] = "01-08-2021"
    saved = admin_client.post(f"{ADMIN}/absence/add/", form)
    assert saved.status_code == 302, page_text(saved)
    assert Absence.objects.latest("starts_on").created_by == admin_client.user


def test_a_caseload_review_added_in_the_admin_has_its_snapshot(admin_client):
    regisseur = RegisseurFactory(fte=Decimal("0.5"))
    response = admin_client.post(
        f"{ADMIN}/caseloadreview/add/",
        {
            "regisseur": str(regisseur.pk),
            "held_on": "14-09-2021",
            "held_by": str(admin_client.user.pk),
            "progress": "Op koers.",
        },
    )
    assert response.status_code == 302, page_text(response)
    review = CaseloadReview.objects.get()
    assert review.caseload_snapshot["capacity"] == 6
    # A review held is not rewritten afterwards.
    change = admin_client.post(f"{ADMIN}/caseloadreview/{review.pk}/change/", {"progress": "x"})
    assert change.status_code == 403


def test_a_team_meeting_with_its_attendance_is_saved_through_the_services(admin_client):
    present = RegisseurFactory()
    gone = RegisseurFactory(active_until=datetime.date(2020, 8, 31))
    form = {
        "kind": TeamActivity.Kind.TEAM_MEETING,
        "held_on": "03-09-2020",
        "topic": "Casuïstiek",
        "series_name": "",
        "series_number": "",
        "series_size": "",
        "notes": "",
        "attendance_set-TOTAL_FORMS": "2",
        "attendance_set-INITIAL_FORMS": "0",
        "attendance_set-0-regisseur": str(present.pk),
        "attendance_set-0-present": "on",
        "attendance_set-1-regisseur": str(gone.pk),
        "attendance_set-1-present": "on",
    }

    refused = admin_client.post(f"{ADMIN}/teamactivity/add/", form)
    assert str(services.ATTENDEE_NOT_ACTIVE) in page_text(refused)
    assert not TeamActivity.objects.exists()

    form["attendance_set-TOTAL_FORMS"] = "1"
    saved = admin_client.post(f"{ADMIN}/teamactivity/add/", form)
    assert saved.status_code == 302, page_text(saved)
    assert list(Attendance.objects.values_list("regisseur", "present")) == [(present.pk, True)]


def test_an_intervision_without_its_series_is_refused_in_the_admin(admin_client):
    form = {
        "kind": TeamActivity.Kind.INTERVISION,
        "held_on": "03-09-2020",
        "series_name": "Intervisie NTA",
        "series_number": "",
        "series_size": "10",
        "attendance_set-TOTAL_FORMS": "0",
        "attendance_set-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"{ADMIN}/teamactivity/add/", form)
    assert str(services.SERIES_INCOMPLETE) in page_text(response)
    assert not TeamActivity.objects.exists()
