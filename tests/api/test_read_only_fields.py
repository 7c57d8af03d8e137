"""A write that carries fields ipgar keeps itself (``id``, ``status``, ``revision``,
...) is refused with a 400 naming them, instead of being accepted without them."""

from __future__ import annotations

import pytest

from api.base import READ_ONLY_FIELD
from api.models import WebhookSubscription
from api.problems import PROBLEM_CONTENT_TYPE
from cases.models import Case, Meeting, PlanVersion
from tests.factories import CaseFactory, MeetingFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def refused_fields(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def case_body() -> dict:
    return {
        "number": "R-80001",
        "region": RegionFactory().code,
        "registered_on": "2026-11-02",
        "person": {"first_name": "Proef", "last_name": "Persoon"},
    }


def test_a_create_naming_status_revision_and_id_is_refused(api):
    body = case_body() | {"id": 5, "status": "in_regie", "revision": 7, "phase": 3}
    response = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="ro-1")
    fields = refused_fields(response)
    assert fields == dict.fromkeys(["id", "phase", "revision", "status"], str(READ_ONLY_FIELD))
    assert not Case.objects.filter(number="R-80001").exists()
    # Without them the same create is accepted.
    assert api.post("/api/v1/cases/", case_body(), format="json").status_code == 201


def test_a_patch_naming_the_revision_is_refused_and_changes_nothing(api):
    meeting = MeetingFactory(case=CaseFactory(phase2=True), decisions="Zo blijft het.")
    url = f"/api/v1/meetings/{meeting.pk}/"
    etag = api.get(url)["ETag"]
    response = api.patch(
        url,
        {"decisions": "Verder zo.", "revision": 99, "created_at": "2020-01-01T00:00:00Z"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert set(refused_fields(response)) == {"created_at", "revision"}
    assert Meeting.objects.get(pk=meeting.pk).decisions == "Zo blijft het."


def test_a_read_only_field_inside_a_nested_object_is_named_with_its_path(api):
    case = CaseFactory()
    organisation = OrganisationFactory()
    intervention = {
        "description": "Begeleiding",
        "pillar": "zorg",
        "responsible_organisation": organisation.pk,
        "deadline": "2027-01-01",
    }
    body = {
        "case": case.pk,
        "concerns": "Zorgen",
        "goals": "Doelen",
        "course": "Koers",
        "joint_task": "Taak",
        "interventions": [intervention, intervention | {"status": "afgerond", "frozen": True}],
    }
    response = api.post("/api/v1/plans/", body, format="json")
    assert set(refused_fields(response)) == {"interventions.1.frozen", "interventions.1.status"}
    assert not PlanVersion.objects.filter(case=case).exists()


def test_an_action_naming_what_it_changes_is_refused(api):
    case = CaseFactory()
    etag = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    response = api.post(
        f"/api/v1/cases/{case.pk}/phase/",
        {"to_phase": 2, "reason": "Plan loopt.", "on": "2026-11-20", "phase": 2},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert set(refused_fields(response)) == {"phase"}


def test_a_webhook_client_cannot_choose_its_secret(api):
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.org/", "secret": "raden", "is_active": True},
        format="json",
    )
    assert set(refused_fields(response)) == {"is_active", "secret"}
    assert not WebhookSubscription.objects.exists()
