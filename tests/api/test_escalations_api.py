"""A stuck case through the sync API (docs/rules.md R-CASE-11): the same services as
the case pages, step by step with If-Match, refusals as problem details, reads
audited, and the escalation in the change feed with its case."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessLog
from cases.models import Escalation, EscalationStatus, Meeting
from cases.services.escalations import ESCALATION_ATTEMPTS_REQUIRED, ESCALATION_CONSULT_FIRST
from tests.factories import CaseFactory, EscalationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/escalations/"


def ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def open_body(case, **overrides) -> dict:
    return {
        "case": case.pk,
        "stuck_since": ago(20),
        "what_is_stuck": "De persoon weigert elk contact.",
        "team_attempts": "Huisbezoek door de wijkagent.",
        "external_id": "vehaa-esc-1",
        **overrides,
    }


def step(api, escalation: dict, **body):
    etag = api.get(f"{URL}{escalation['id']}/")["ETag"]
    return api.post(f"{URL}{escalation['id']}/step/", body, format="json", HTTP_IF_MATCH=etag)


def test_a_stuck_case_escalates_step_by_step_through_the_api(api):
    case = CaseFactory(phase2=True)
    opened = api.post(URL, open_body(case), format="json")
    assert opened.status_code == 201, opened.json()
    escalation = opened.json()
    assert (escalation["status"], escalation["steps"]) == (EscalationStatus.STUCK, [])
    assert escalation["external_id"] == "vehaa-esc-1"

    consulted = step(api, escalation, kind="itat_r", held_on=ago(15), outcome="Advies op de casus.")
    assert consulted.status_code == 200, consulted.json()
    breakthrough = step(
        api,
        escalation,
        kind="doorbraak",
        held_on=ago(10),
        outcome="Nieuwe ingang via de huisarts.",
        participants="Regisseur, ITAT-R, huisarts",
    )
    assert breakthrough.status_code == 200, breakthrough.json()
    body = breakthrough.json()
    assert body["status"] == EscalationStatus.BREAKTHROUGH
    assert [s["kind"] for s in body["steps"]] == ["itat_r", "doorbraak"]
    meeting = Meeting.objects.get(pk=body["steps"][1]["meeting"])
    assert (meeting.case_id, meeting.kind) == (case.pk, Meeting.Kind.BREAKTHROUGH)

    etag = api.get(f"{URL}{escalation['id']}/")["ETag"]
    resolved = api.post(
        f"{URL}{escalation['id']}/resolve/",
        {"on": ago(2), "resolution": "Contact hersteld."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert resolved.status_code == 200, resolved.json()
    assert (resolved.json()["status"], resolved.json()["resolved_on"]) == ("vlotgetrokken", ago(2))


def test_a_doorbraakoverleg_before_a_consultation_is_refused_and_nothing_written(api):
    escalation = EscalationFactory(case=CaseFactory(phase2=True), stuck_since=timezone.localdate())
    body = {"id": escalation.pk}
    refused = step(
        api, body, kind="doorbraak", held_on=ago(0), outcome="Besproken.", participants="X"
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == str(ESCALATION_CONSULT_FIRST)
    escalation.refresh_from_db()
    assert (escalation.status, escalation.steps.count()) == (EscalationStatus.STUCK, 0)
    assert not Meeting.objects.filter(case=escalation.case).exists()


def test_bad_input_is_a_400_in_dutch(api):
    case = CaseFactory(phase2=True)
    refused = api.post(URL, open_body(case, team_attempts=" "), format="json")
    assert refused.status_code == 400
    assert str(ESCALATION_ATTEMPTS_REQUIRED) in str(refused.json())
    assert not Escalation.objects.filter(case=case).exists()


def test_a_step_needs_if_match(api):
    escalation = EscalationFactory(case=CaseFactory(phase2=True))
    response = api.post(
        f"{URL}{escalation.pk}/step/",
        {"kind": "collegas", "held_on": ago(0), "outcome": "Besproken."},
        format="json",
    )
    assert response.status_code == 428


def test_escalation_reads_are_audited_and_filtered_by_case(api, sync_user):
    mine = EscalationFactory(case=CaseFactory(phase2=True))
    EscalationFactory(case=CaseFactory(phase2=True))
    listed = api.get(URL, {"case": mine.case_id})
    assert [e["id"] for e in listed.json()["results"]] == [mine.pk]
    records = AccessLog.objects.filter(user=sync_user, object_type="cases.escalation")
    assert set(records.values_list("case_id", flat=True)) == {mine.case_id}


def test_a_token_without_the_escalations_scope_gets_403(api_with_scopes):
    EscalationFactory()
    assert api_with_scopes("cases:read").get(URL).status_code == 403
