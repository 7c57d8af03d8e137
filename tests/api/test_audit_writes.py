"""Every API answer that carries person data is in the access log, writes included:
a create, a PATCH and an action answer with the record as it now is."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.models import AccessLog
from tests.factories import CaseFactory, PersonFactory, RegionFactory, RegisseurFactory

pytestmark = pytest.mark.django_db

Action = AccessLog.Action


def records_since(before: int) -> list[AccessLog]:
    return list(AccessLog.objects.order_by("id")[before:])


def test_a_patch_of_a_person_is_recorded_for_the_tokens_user(api, sync_user):
    person = PersonFactory(bsn="123456782")
    url = f"/api/v1/persons/{person.pk}/"
    etag = api.get(url)["ETag"]
    before = AccessLog.objects.count()

    response = api.patch(url, {"address": "Nieuwe straat 2"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()
    assert response.json()["bsn"] == "123456782"  # the answer carries the BSN
    [record] = records_since(before)
    assert (record.user, record.action, record.basis) == (
        sync_user,
        Action.UPDATE,
        AccessLog.Basis.SYNC_CLIENT,
    )
    assert (record.object_type, record.object_id) == ("cases.person", str(person.pk))
    assert record.case_id == person.case_id and record.path == url


def test_a_refused_patch_answers_no_data_and_records_nothing(api):
    person = PersonFactory()
    url = f"/api/v1/persons/{person.pk}/"
    etag = api.get(url)["ETag"]
    before = AccessLog.objects.count()
    bad = api.patch(url, {"bsn": "12"}, format="json", HTTP_IF_MATCH=etag)
    stale = api.patch(url, {"address": "Elders 1"}, format="json", HTTP_IF_MATCH='"oud"')
    assert (bad.status_code, stale.status_code) == (400, 412)
    assert records_since(before) == []


def test_reads_are_recorded_as_api_reads_on_the_tokens_ground(api, sync_user):
    person = PersonFactory()
    before = AccessLog.objects.count()
    assert api.get(f"/api/v1/persons/{person.pk}/").status_code == 200
    assert api.get("/api/v1/persons/").status_code == 200
    records = records_since(before)
    assert [r.action for r in records] == [Action.API_READ, Action.API_READ]
    assert {(r.user, r.basis) for r in records} == {(sync_user, AccessLog.Basis.SYNC_CLIENT)}


def case_body(number: str, external_id: str | None = None) -> dict:
    body = {
        "number": number,
        "region": RegionFactory().code,
        "registered_on": "2026-11-02",
        "person": {"first_name": "Proef", "last_name": "Persoon", "address": "Straat 1"},
    }
    if external_id:
        body["external_id"] = external_id
    return body


def test_a_create_is_recorded_and_an_upsert_of_the_same_object_is_a_read(api):
    before = AccessLog.objects.count()
    created = api.post("/api/v1/cases/", case_body("R-91001", "vehaa-91001"), format="json")
    again = api.post("/api/v1/cases/", case_body("R-91001", "vehaa-91001"), format="json")
    assert (created.status_code, again.status_code) == (201, 200)
    records = records_since(before)
    assert [(r.action, r.object_type, r.object_id) for r in records] == [
        (Action.CREATE, "cases.case", str(created.json()["id"])),
        (Action.API_READ, "cases.case", str(created.json()["id"])),
    ]


def test_a_replayed_answer_is_recorded_as_a_read(api):
    body = case_body("R-91002")
    first = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-audit")
    before = AccessLog.objects.count()
    replay = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-audit")
    assert replay.json() == first.json()
    [record] = records_since(before)
    assert (record.action, record.object_id) == (Action.API_READ, str(first.json()["id"]))


def test_an_action_that_answers_with_the_record_is_recorded(api, sync_user):
    case = CaseFactory(phase2=True)
    PersonFactory(case=case)
    url = f"/api/v1/cases/{case.pk}/"
    etag = api.get(url)["ETag"]
    before = AccessLog.objects.count()
    body = {
        "to_buddy": RegisseurFactory().pk,
        "reason": "Verlof",
        "on": timezone.localdate().isoformat(),
    }
    changed = api.post(f"{url}buddy/", body, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    [record] = records_since(before)
    assert (record.user, record.action, record.object_id, record.case_id) == (
        sync_user,
        Action.UPDATE,
        str(case.pk),
        case.pk,
    )
