"""The intake through the API, on the same services as the web pages: a registration
with the referring partner, duiding and voortraject; the first assignment refused (409)
until a weighing finds both criteria; a case closed as not included; the notification
letter with its signer."""

from __future__ import annotations

import datetime

import pytest

from audit.models import AccessLog
from cases.models import Assignment, Case, CaseStatus, Person
from tests.factories import (
    AssessmentFactory,
    OrganisationFactory,
    RegionFactory,
    RegisseurFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 2)


def register(api, number: str = "API-2026-001") -> Case:
    politie = OrganisationFactory(code="politie")
    response = api.post(
        "/api/v1/cases/",
        {
            "number": number,
            "region": RegionFactory(code="amsterdam").code,
            "registered_on": ON.isoformat(),
            "person": {"first_name": "Sam", "last_name": "Jansen"},
            "referred_by": politie.pk,
            "interpretation": "Geduid door de politie.",
            "preliminary_findings": "Gesprekken met school.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Case.objects.get(number=number)


def act(api, case: Case, name: str, body: dict):
    url = f"/api/v1/cases/{case.pk}/"
    etag = api.get(url)["ETag"]
    return api.post(f"{url}{name}/", body, format="json", HTTP_IF_MATCH=etag)


def test_the_intake_runs_through_the_api_with_the_inclusion_check(api):
    case = register(api)
    assert case.referred_by is not None
    assert (case.referred_by.code, case.interpretation) == ("politie", "Geduid door de politie.")
    assign = {
        "regisseur": RegisseurFactory().pk,
        "buddy": RegisseurFactory().pk,
        "reason": "Start",
        "on": ON.isoformat(),
    }

    refused = act(api, case, "assign", assign)

    assert refused.status_code == 409
    assert "Eerst de weging" in refused.json()["detail"]
    assert not Assignment.objects.filter(case=case).exists()

    AssessmentFactory(case=case, assessed_on=ON)
    assert act(api, case, "assign", assign).status_code == 200
    signed = act(
        api, case, "sign-notification", {"signed_on": ON.isoformat(), "signed_by": "Burgemeester"}
    )
    assert signed.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.notification_signed_by) == (CaseStatus.IN_REGIE, "Burgemeester")


def test_a_case_is_closed_as_not_included_through_the_api(api):
    case = register(api)
    body = {"on": ON.isoformat(), "reason": "Geen veiligheidsrisico."}
    assert act(api, case, "not-included", body).status_code == 409  # not weighed yet

    AssessmentFactory(case=case, assessed_on=ON, safety_criterion=False)
    closed = act(api, case, "not-included", body)

    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == CaseStatus.NOT_INCLUDED
    assert (closed.json()["not_included_on"], closed.json()["not_included_reason"]) == (
        ON.isoformat(),
        "Geen veiligheidsrisico.",
    )


def test_the_intake_fields_are_returned_on_read(api):
    case = register(api)
    AssessmentFactory(case=case, assessed_on=ON)
    body = {"regisseur": RegisseurFactory().pk, "buddy": RegisseurFactory().pk}
    act(api, case, "assign", {**body, "reason": "Start", "on": ON.isoformat()})
    act(api, case, "sign-notification", {"signed_on": ON.isoformat(), "signed_by": "Burgemeester"})

    read = api.get(f"/api/v1/cases/{case.pk}/").json()

    assert read["referred_by"] == case.referred_by_id
    assert read["interpretation"] == "Geduid door de politie."
    assert read["preliminary_findings"] == "Gesprekken met school."
    assert (read["notification_signed_on"], read["notification_signed_by"]) == (
        ON.isoformat(),
        "Burgemeester",
    )
    assert (read["not_included_on"], read["not_included_reason"]) == (None, "")


def test_the_already_known_check_answers_number_and_state_and_is_logged(api, sync_user):
    known = register(api)
    Person.objects.filter(case=known).update(bsn="111222333", date_of_birth=ON)
    url = "/api/v1/cases/already-known/"

    by_bsn = api.post(url, {"bsn": "111222333"}, format="json")
    by_name = api.post(
        url,
        {"first_name": "sam", "last_name": "JANSEN", "date_of_birth": ON.isoformat()},
        format="json",
    )
    nobody = api.post(url, {"bsn": "999999999"}, format="json")

    expected = [{"id": known.pk, "number": "API-2026-001", "is_open": True}]
    assert (by_bsn.status_code, by_bsn.json()) == (200, expected)
    assert by_name.json() == expected
    assert nobody.json() == []
    searches = AccessLog.objects.filter(user=sync_user, action=AccessLog.Action.SEARCH)
    assert searches.count() == 3
    assert "111222333" in searches.order_by("pk")[0].search_term
