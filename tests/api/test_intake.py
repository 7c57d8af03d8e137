"""The intake through the API, on the same services as the web pages: a registration
with the referring partner, duiding and voortraject; the first assignment refused (409)
until a weighing finds both criteria; a case closed as not included; the notification
letter with its signer."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Assignment, Case, CaseStatus
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
