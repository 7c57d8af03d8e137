"""Upserts, Idempotency-Key, ETag/If-Match, problem details, scopes, tokens, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import KEY_EXPIRED, KEY_REVOKED, api_token_revoke
from api.base import REPLAY_HEADER
from api.problems import PRECONDITION_FAILED, PRECONDITION_REQUIRED, PROBLEM_CONTENT_TYPE
from audit.models import AccessLog
from cases.models import Case, Meeting, Person
from cases.services.meetings import MEETING_FIRST_UVO_PART_ONE_MISSING
from cases.services.phases import PHASE_2_NEEDS_ADOPTED_PLAN
from pool.services import regisseur_update
from tests.factories import (
    CaseFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RegionFactory,
    RegisseurFactory,
    UserFactory,
)
from tests.queries import assert_same_query_count, count_queries

from .conftest import api_client_with, token_for

pytestmark = pytest.mark.django_db


def case_body(number: str = "R-90001", external_id: str = "vehaa-1") -> dict:
    region = RegionFactory()
    return {
        "external_id": external_id,
        "number": number,
        "region": region.code,
        "registered_on": "2026-11-02",
        "person": {"first_name": "Proef", "last_name": "Persoon", "address": "Straat 1"},
    }


def test_upsert_by_external_id_creates_once(api):
    body = case_body()
    first = api.post("/api/v1/cases/", body, format="json")
    again = api.post("/api/v1/cases/", body, format="json")
    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["external_id"] == "vehaa-1"
    assert Case.objects.filter(number="R-90001").count() == 1
    assert Person.objects.filter(case__number="R-90001", last_name="Persoon").count() == 1


def test_idempotency_key_replays_the_first_answer(api):
    body = case_body(external_id="")
    body.pop("external_id")
    first = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = api.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay[REPLAY_HEADER] == "true"
    assert replay["ETag"] == first["ETag"]
    assert Case.objects.filter(number="R-90001").count() == 1
    other = dict(body, number="R-90002")
    reused = api.post("/api/v1/cases/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 400
    assert reused.json()["errors"][0]["field"] == "Idempotency-Key"


def test_meeting_update_needs_a_matching_if_match(api):
    meeting = MeetingFactory(case=CaseFactory(phase2=True))
    url = f"/api/v1/meetings/{meeting.pk}/"
    etag = api.get(url)["ETag"]

    missing = api.patch(url, {"decisions": "Verder zo."}, format="json")
    assert missing.status_code == 428
    assert missing["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert missing.json()["detail"] == PRECONDITION_REQUIRED

    done = api.patch(url, {"decisions": "Verder zo."}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200, done.json()
    assert done.json()["decisions"] == "Verder zo."
    assert done["ETag"] != etag

    stale = api.patch(url, {"decisions": "Iets anders."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["detail"] == PRECONDITION_FAILED
    meeting.refresh_from_db()
    assert meeting.decisions == "Verder zo."


def test_a_regisseur_carries_its_revision_and_a_change_moves_its_etag(api):
    """The pool's records are locked by revision as the cases are: the representation
    shows it, and a change made elsewhere (the pool pages) gives a new ETag."""
    regisseur = RegisseurFactory()
    url = f"/api/v1/regisseurs/{regisseur.pk}/"
    before = api.get(url)
    assert before.json()["revision"] == regisseur.revision

    regisseur_update(
        regisseur=regisseur,
        remark="Gedetacheerd",
        by=UserFactory(),
        expected_revision=regisseur.revision,
    )

    after = api.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["revision"] == before.json()["revision"] + 1
    assert after["ETag"] != before["ETag"]


def test_unchanged_object_answers_304_to_if_none_match(api):
    case = CaseFactory()
    etag = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    assert api.get(f"/api/v1/cases/{case.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_rule_violation_is_409_problem(api):
    case = CaseFactory()  # phase 1, no adopted plan
    url = f"/api/v1/cases/{case.pk}/phase/"
    etag = api.get(f"/api/v1/cases/{case.pk}/")["ETag"]
    response = api.post(
        url,
        {"to_phase": 2, "reason": "Plan loopt.", "on": "2026-11-20"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 409
    problem = response.json()
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert problem["status"] == 409 and problem["type"].endswith("regelconflict")
    assert problem["detail"] == PHASE_2_NEEDS_ADOPTED_PLAN
    case.refresh_from_db()
    assert case.phase == 1


def test_a_problem_speaks_the_language_the_client_asks_for(api):
    dutch = api.get("/api/v1/cases/999999/").json()
    english = api.get("/api/v1/cases/999999/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert dutch["title"] == "Niet gevonden"
    assert english["title"] == "Not found"
    # The type stays the same: a client keys on it, never on the words.
    assert english["type"] == dutch["type"]


def test_invalid_input_is_400_with_field_errors(api):
    body = case_body()
    body["registered_on"] = "geen datum"
    body["person"].pop("last_name")
    response = api.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"registered_on", "person.last_name"}


@pytest.mark.parametrize(
    ("since", "status"),
    [
        # Offsets Python accepts and PostgreSQL does not (beyond 15:59): taken in UTC.
        ("5702-10-04T07:54:02.1-18:10", 200),
        ("2026-01-01T00:00:00+23:59", 200),
        # Past the last moment UTC can hold: invalid input, not a server error.
        ("9999-12-31T23:59:59-12:00", 400),
        ("geen moment", 400),
    ],
)
def test_updated_since_at_the_edges_of_time_answers_200_or_400(api, since, status):
    response = api.get("/api/v1/cases/", {"updated_since": since})
    assert response.status_code == status
    if status == 400:
        assert response.json()["errors"][0]["field"] == "updated_since"


def test_unknown_object_is_404_problem(api):
    response = api.get("/api/v1/cases/999999/")
    assert response.status_code == 404
    assert response.json()["type"].endswith("niet-gevonden")


def test_a_path_no_api_route_matches_is_a_404_problem_but_pages_keep_the_dutch_404(api, client):
    response = api.get("/api/v1/cases/0.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["status"] == 404
    assert response.json()["instance"] == "/api/v1/cases/0.5/"
    page = client.get("/bestaat-niet/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert "Pagina niet gevonden" in page.content.decode()


@override_settings(API_MAX_BODY_BYTES=2000)
def test_body_too_large_is_413(api):
    body = case_body()
    body["person"]["address"] = "x" * 5000
    response = api.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 413
    assert not Case.objects.filter(number="R-90001").exists()


def test_throttled_client_gets_429(api, monkeypatch):
    from api.throttling import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/min"})
    codes = [api.get("/api/v1/organisations/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = api.get("/api/v1/organisations/")
    assert last.json()["status"] == 429 and "Retry-After" in last
    cache.clear()


def test_read_only_token_cannot_write(sync_user, api_with_scopes):
    reader = api_with_scopes("cases:read", "persons:read")
    assert reader.get("/api/v1/cases/").status_code == 200
    response = reader.post("/api/v1/cases/", case_body(), format="json")
    assert response.status_code == 403
    assert "cases:write" in response.json()["detail"]
    assert not Case.objects.filter(number="R-90001").exists()


def test_token_without_the_resource_scope_is_refused(api_with_scopes):
    cases_only = api_with_scopes("cases:read")
    assert cases_only.get("/api/v1/persons/").status_code == 403
    assert cases_only.post("/api/v1/cases/", case_body(), format="json").status_code == 403


def test_registering_a_case_needs_the_persons_scope_too(api_with_scopes):
    response = api_with_scopes("cases:write").post("/api/v1/cases/", case_body(), format="json")
    assert response.status_code == 403
    assert "persons:write" in response.json()["detail"]


def test_revoked_and_expired_tokens_are_401(sync_user):
    key = token_for(sync_user)
    token = ApiToken.objects.get(prefix=key.split(".")[0])
    api_token_revoke(token=token, by=None)
    revoked = api_client_with(key).get("/api/v1/cases/")
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == KEY_REVOKED

    key = token_for(sync_user)
    ApiToken.objects.filter(prefix=key.split(".")[0]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = api_client_with(key).get("/api/v1/cases/")
    assert expired.status_code == 401
    assert expired.json()["detail"] == KEY_EXPIRED


def test_people_use_the_web_pages_not_the_api(client):
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    person = UserFactory()
    person.groups.add(Group.objects.get(name=Role.PROGRAMME_TEAM.value))
    sign_in(client, person)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_person_reads_are_audited(api, sync_user):
    person = PersonFactory(case=CaseFactory())
    api.get(f"/api/v1/persons/{person.pk}/")
    api.get("/api/v1/persons/")
    records = AccessLog.objects.filter(user=sync_user, object_type="cases.person")
    assert records.count() == 2
    assert set(records.values_list("case_id", flat=True)) == {person.case_id}


def test_meeting_create_goes_through_the_service(api):
    case = CaseFactory(phase2=True)
    org = OrganisationFactory(code="rn", name="RN")
    body = {
        "case": case.pk,
        "held_on": "2026-11-10",
        "kind": "eerste_uvo",
        "decisions": "Woonbegeleiding aanvragen.",
        "attendees": [{"name": "Regisseur", "organisation": org.pk}],
        "actions": [
            {"description": "Aanvraag doen", "owner_organisation": org.pk, "due_on": "2026-12-01"}
        ],
        "external_id": "uvo-77",
    }
    response = api.post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.json()["errors"]
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert [a.description for a in meeting.actions.all()] == ["Aanvraag doen"]
    case.refresh_from_db()
    assert case.revision > 1  # the service touched the case


def test_a_first_uvo_in_two_meetings_through_the_api(api):
    case = CaseFactory(phase2=True)
    org = OrganisationFactory(code="rn", name="RN")

    def post(part: int, held_on: str, external_id: str):
        body = {
            "case": case.pk,
            "held_on": held_on,
            "kind": "eerste_uvo",
            "first_uvo_part": part,
            "attendees": [{"name": "Regisseur", "organisation": org.pk}],
            "external_id": external_id,
        }
        return api.post("/api/v1/meetings/", body, format="json")

    refused = post(2, "2026-11-10", "uvo-2")
    assert refused.status_code == 409
    assert refused.json()["detail"] == str(MEETING_FIRST_UVO_PART_ONE_MISSING)
    assert not Meeting.objects.filter(case=case).exists()

    assert post(1, "2026-11-03", "uvo-1").status_code == 201
    done = post(2, "2026-11-10", "uvo-2")
    assert done.status_code == 201, done.json()
    assert api.get(f"/api/v1/meetings/{done.json()['id']}/").json()["first_uvo_part"] == 2


@pytest.mark.parametrize(
    "url, make",
    [
        ("/api/v1/cases/", lambda n: [CaseFactory() for _ in range(n)]),
        ("/api/v1/persons/", lambda n: [PersonFactory() for _ in range(n)]),
        ("/api/v1/meetings/", lambda n: [MeetingFactory() for _ in range(n)]),
        (
            "/api/v1/plans/",
            lambda n: [
                __import__("tests.factories").factories.InterventionFactory() for _ in range(n)
            ],
        ),
        ("/api/v1/regisseurs/", lambda n: [CaseFactory() for _ in range(n)]),
    ],
)
def test_list_query_count_does_not_grow(api, url, make):
    def count() -> CaptureQueriesContext:
        with count_queries() as queries:
            assert api.get(url).status_code == 200
        return queries

    make(2)
    count()  # warm the content-type cache once
    small = count()
    make(20)
    large = count()
    assert_same_query_count(small, large, what=url)


def test_erase_follows_a_source_erasure_once(api, sync_user):
    """A person's erase/ action empties the record through the retention path; a
    second time is a 409, and the change feed gets the target's own tombstone."""
    from api.models import PersonSource

    person = PersonFactory(last_name="Wisser")
    PersonSource.objects.create(person=person, client=sync_user)  # this client brought it in
    url = f"/api/v1/persons/{person.pk}/"
    body = {"reason": "Gewist in de bron-instantie (AVG art. 17)."}
    assert api.post(f"{url}erase/", body, format="json").status_code == 428
    etag = api.get(url)["ETag"]
    erased = api.post(f"{url}erase/", body, format="json", HTTP_IF_MATCH=etag)
    assert erased.status_code == 200, erased.json()
    assert erased.json()["last_name"] == "" and erased.json()["pseudonymised_at"]
    again = api.post(f"{url}erase/", body, format="json", HTTP_IF_MATCH=erased["ETag"])
    assert again.status_code == 409
    short = api.post(f"{url}erase/", {"reason": "kort"}, format="json", HTTP_IF_MATCH="*")
    assert short.status_code == 400


def test_only_a_sync_client_follows_a_source_erasure():
    from cases.services.mirrored_erasure import (
        MIRRORED_ERASURE_ONLY_SYNC_CLIENT,
        person_erase_as_in_source,
    )
    from kernel.errors import RuleViolation
    from tests.factories import UserFactory

    person = PersonFactory()
    with pytest.raises(RuleViolation, match=str(MIRRORED_ERASURE_ONLY_SYNC_CLIENT)):
        person_erase_as_in_source(
            case=person.case,
            reason="Gewist in de bron-instantie.",
            by=UserFactory(),
            source_client_id=None,
        )


def test_buddy_change_and_a_member_leaving_through_the_api(api):
    from tests.factories import RegisseurFactory, TeamMemberFactory

    case = CaseFactory(phase2=True)
    url = f"/api/v1/cases/{case.pk}/"
    to_buddy = RegisseurFactory()
    body = {"to_buddy": to_buddy.pk, "reason": "Verlof", "on": timezone.localdate().isoformat()}
    changed = api.post(f"{url}buddy/", body, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert changed.status_code == 200, changed.json()
    assert changed.json()["buddy"] == to_buddy.pk
    member = TeamMemberFactory(case=case, joined_on=timezone.localdate())
    member_url = f"/api/v1/team-members/{member.pk}/"
    left = api.post(
        f"{member_url}leave/",
        {"left_on": timezone.localdate().isoformat()},
        format="json",
        HTTP_IF_MATCH=api.get(member_url)["ETag"],
    )
    assert left.status_code == 200, left.json()
    assert left.json()["left_on"] == timezone.localdate().isoformat()
