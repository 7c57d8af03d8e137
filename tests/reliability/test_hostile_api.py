"""Hostile input on the sync API: random and hostile strings (unicode, very long,
HTML/script, SQL-looking, null bytes) and arbitrary JSON posted to the write
endpoints with a sync client's token.

Properties: the answer is a 2xx or a 4xx, never a 5xx; every refusal is a
problem+json document; a refused write changes no row (nor the change feed);
accepted text comes back in the JSON exactly as stored, and is rendered escaped
on the pages that show it."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.roles import Role
from api.models import ChangeEvent
from api.problems import PROBLEM_CONTENT_TYPE
from cases.access import case_access_sync
from cases.models import (
    Case,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    PlanVersion,
    TeamMember,
)
from tests.api.conftest import api_client_with, sync_client_user, token_for
from tests.conftest import sign_in
from tests.factories import (
    CaseFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    RegionFactory,
    plan_concept,
)

from .conftest import with_role
from .test_hostile_input import HOSTILE, text

pytestmark = [
    pytest.mark.django_db,
    # The 100 kB sample is a long repr for hypothesis's notes; it is meant to be long.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

examples = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Hostile samples short enough to show on a page whole, without line breaks.
SHOWN = [h for h in HOSTILE if "\n" not in h and "\x00" not in h and len(h) < 200 and h.strip()]
# Arbitrary JSON: what a broken or malicious client could send as a body.
numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | numbers
json_values = st.recursive(
    scalars | text,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["case", "number", "person", "agenda", "x"]) | text,
                      children, max_size=4),
    max_leaves=12,
)  # fmt: skip
COUNTED: list[type[Model]] = [
    Case,
    Person,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    PlanVersion,
    TeamMember,
    ChangeEvent,
]


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def assert_problem(response) -> dict[str, Any]:
    """A refusal: a 4xx (never a 5xx) as an RFC 9457 problem document."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body = response.json()
    assert body["status"] == response.status_code
    assert body["title"]
    return body


def assert_answered(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:500])
    event(f"HTTP {response.status_code}")  # the statistics show both outcomes
    if response.status_code >= 400:
        assert_problem(response)


@pytest.fixture
def api() -> APIClient:
    return api_client_with(token_for(sync_client_user()))


def etag(api: APIClient, url: str) -> str:
    response = api.get(url)
    assert response.status_code == 200
    return response["ETag"]


# --- cases with their person ------------------------------------------------------------


@pytest.fixture
def region():
    return RegionFactory()


@examples
@given(
    # A case number has a format: valid ones half the time, so the person's text gets stored.
    number=st.one_of(text, st.integers(10_000, 99_999).map(lambda n: f"R-{n}")),
    first_name=text,
    last_name=text,
    address=text,
    external_id=text,
)
def test_a_case_posted_with_hostile_text_is_stored_exactly_or_refused_whole(
    api, region, number, first_name, last_name, address, external_id
):
    before = row_counts()
    body = {
        "external_id": f"{external_id}-{uuid.uuid4().hex}",  # a new case each time
        "number": number,
        "region": region.code,
        "registered_on": "2026-11-02",
        "person": {"first_name": first_name, "last_name": last_name, "address": address},
    }
    response = api.post("/api/v1/cases/", body, format="json")
    event(f"HTTP {response.status_code}")  # the statistics show both outcomes
    if response.status_code >= 400:
        assert_problem(response)
        assert row_counts() == before  # no case without its person, no feed event
        return
    assert response.status_code == 201, response.content[:500]
    case = Case.objects.get(pk=response.json()["id"])
    assert response.json()["number"] == case.number == number.strip()
    person = api.get(f"/api/v1/persons/?case={case.pk}").json()["results"][0]
    stored = Person.objects.get(case=case)
    expected = (first_name.strip(), last_name.strip(), address.strip())
    assert (stored.first_name, stored.last_name, stored.address) == expected
    assert (person["first_name"], person["last_name"], person["address"]) == expected


# --- a person changed -------------------------------------------------------------------


@pytest.fixture
def person() -> Person:
    """A person whose case has had its first UVO (later meetings are regular UVOs)."""
    person = PersonFactory(case=CaseFactory(phase2=True))
    MeetingFactory(case=person.case, kind="eerste_uvo", held_on=datetime.date(2026, 10, 1))
    return person


def person_values(pk: int) -> tuple[Any, ...]:
    return tuple(
        Person.objects.filter(pk=pk).values_list(
            "first_name", "last_name", "address", "bsn", "updated_at"
        )[0]
    )


@examples
@given(first_name=text, address=text, bsn=st.one_of(st.just(""), text))
def test_a_person_patched_with_hostile_text_is_stored_exactly_or_unchanged(
    api, person, first_name, address, bsn
):
    url = f"/api/v1/persons/{person.pk}/"
    before, counts = person_values(person.pk), row_counts()
    body = {"first_name": first_name, "last_name": "Achternaam", "address": address, "bsn": bsn}
    response = api.patch(url, body, format="json", HTTP_IF_MATCH=etag(api, url))
    event(f"HTTP {response.status_code}")  # the statistics show both outcomes
    if response.status_code >= 400:
        assert_problem(response)
        assert person_values(person.pk) == before
        assert row_counts() == counts
        return
    assert response.status_code == 200, response.content[:500]
    stored = Person.objects.get(pk=person.pk)
    assert (stored.first_name, stored.address) == (first_name.strip(), address.strip())
    assert response.json()["first_name"] == stored.first_name
    assert response.json()["address"] == stored.address
    assert api.get(url).json()["address"] == stored.address


# --- a meeting logged, a plan changed, a phase changed --------------------------------------


@pytest.fixture
def organisation():
    return OrganisationFactory()


@examples
@given(agenda=text, decisions=text, attendee=text, action=text)
def test_a_meeting_posted_with_hostile_text_is_stored_exactly_or_refused_whole(
    api, person, organisation, agenda, decisions, attendee, action
):
    before = row_counts()
    body = {
        "case": person.case_id,
        "held_on": "2026-11-10",
        "kind": "uvo",
        "agenda": agenda,
        "decisions": decisions,
        "attendees": [{"name": attendee, "organisation": organisation.pk}],
        "actions": [
            {"description": action, "owner_organisation": organisation.pk, "due_on": "2026-12-01"}
        ],
    }
    response = api.post("/api/v1/meetings/", body, format="json")
    event(f"HTTP {response.status_code}")  # the statistics show both outcomes
    if response.status_code >= 400:
        assert_problem(response)
        assert row_counts() == before  # no meeting without its attendees and actions
        return
    assert response.status_code == 201, response.content[:500]
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert (meeting.agenda, meeting.decisions) == (agenda.strip(), decisions.strip())
    assert [a.description for a in meeting.actions.all()] == [action.strip()]
    assert [a.name for a in meeting.attendees.all()] == [attendee.strip()]
    fetched = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert (fetched["agenda"], fetched["decisions"]) == (meeting.agenda, meeting.decisions)
    assert fetched["actions"][0]["description"] == action.strip()


@pytest.fixture
def concept(person) -> PlanVersion:
    return plan_concept(person.case, by=with_role(person.case.regisseur.user, Role.REGISSEUR))


def plan_values(pk: int) -> tuple[Any, ...]:
    return tuple(PlanVersion.objects.filter(pk=pk).values_list("goals", "course", "revision")[0])


@examples
@given(goals=text, course=text)
def test_a_plan_patched_with_hostile_text_is_stored_exactly_or_unchanged(
    api, concept, goals, course
):
    url = f"/api/v1/plans/{concept.pk}/"
    before, counts = plan_values(concept.pk), row_counts()
    response = api.patch(
        url, {"goals": goals, "course": course}, format="json", HTTP_IF_MATCH=etag(api, url)
    )
    event(f"HTTP {response.status_code}")  # the statistics show both outcomes
    if response.status_code >= 400:
        assert_problem(response)
        assert plan_values(concept.pk) == before
        assert row_counts() == counts
        return
    assert response.status_code == 200, response.content[:500]
    assert plan_values(concept.pk)[:2] == (goals.strip(), course.strip())
    assert (response.json()["goals"], response.json()["course"]) == plan_values(concept.pk)[:2]


@examples
@given(reason=text, on=st.one_of(text, st.just("2026-11-20")))
def test_a_phase_change_with_hostile_text_never_fails_and_refusals_change_nothing(
    api, person, reason, on
):
    url = f"/api/v1/cases/{person.case_id}/phase/"
    case_url = f"/api/v1/cases/{person.case_id}/"
    before = Case.objects.filter(pk=person.case_id).values_list("phase", "revision")[0]
    counts = row_counts()
    response = api.post(
        url,
        {"to_phase": 3, "reason": reason, "on": on},
        format="json",
        HTTP_IF_MATCH=etag(api, case_url),
    )
    assert_answered(response)
    event(f"HTTP {response.status_code}")  # the statistics show both outcomes
    if response.status_code >= 400:
        assert Case.objects.filter(pk=person.case_id).values_list("phase", "revision")[0] == before
        assert row_counts() == counts


# --- anything at all as a body, a query or a header ----------------------------------------

WRITES = [
    ("post", "/api/v1/cases/"),
    ("post", "/api/v1/meetings/"),
    ("post", "/api/v1/plans/"),
    ("post", "/api/v1/team-members/"),
    ("post", "/api/v1/assessments/"),
    ("post", "/api/v1/evaluations/"),
    ("post", "/api/v1/exits/"),
    ("post", "/api/v1/webhooks/"),
]


@examples
@given(write=st.sampled_from(WRITES), body=json_values)
def test_any_json_body_is_refused_with_a_problem_and_writes_nothing(api, write, body):
    method, url = write
    before = row_counts()
    response = getattr(api, method)(url, body, format="json")
    assert_problem(response)
    assert row_counts() == before


@examples
@given(raw=st.one_of(st.binary(max_size=300), text.map(lambda t: t.encode("utf-8"))))
def test_a_body_that_is_not_json_is_refused_with_a_problem(api, raw):
    before = row_counts()
    response = api.generic("POST", "/api/v1/meetings/", raw, content_type="application/json")
    assert_problem(response)
    assert row_counts() == before


# Header values a client can send over HTTP: visible ASCII (no line breaks).
header_text = st.one_of(
    st.sampled_from([h for h in HOSTILE if h.isascii() and h.isprintable() and len(h) < 500]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200),
)


@examples
@given(value=text, header=header_text)
def test_hostile_queries_and_headers_never_fail(api, person, value, header):
    value = value[:2000]  # a URL, not a body
    for url, params in [
        ("/api/v1/cases/", {"number": value, "case": value, "phase": value}),
        ("/api/v1/persons/", {"case": value, "cursor": value}),
        ("/api/v1/meetings/", {"case": value, "ordering": value}),
        ("/api/v1/changes/", {"cursor": value, "limit": value, "resource": value}),
    ]:
        assert_answered(api.get(url, params))
    counts = row_counts()
    url = f"/api/v1/persons/{person.pk}/"
    before = person_values(person.pk)
    patched = api.patch(url, {"first_name": "X"}, format="json", HTTP_IF_MATCH=header)
    assert_answered(patched)
    if header.strip() != "*":
        assert patched.status_code in (412, 428)  # no ETag matches a hostile string
        assert person_values(person.pk) == before
    replayable = api.post(
        "/api/v1/cases/", {"number": ""}, format="json", HTTP_IDEMPOTENCY_KEY=header
    )
    assert_problem(replayable)
    assert row_counts() == counts


# --- stored through the API, shown on the pages --------------------------------------------


@pytest.fixture
def director(person) -> Client:
    """The case's regisseur, signed in (works on the case and sees the person)."""
    client = Client()
    sign_in(client, with_role(person.case.regisseur.user, Role.REGISSEUR))
    case_access_sync(case=person.case, on=datetime.date.today())  # noqa: DTZ011
    return client


@examples
@given(first_name=st.sampled_from(SHOWN), decisions=st.sampled_from(SHOWN), address=text)
def test_text_stored_through_the_api_is_rendered_escaped(
    api, person, organisation, director, first_name, decisions, address
):
    url = f"/api/v1/persons/{person.pk}/"
    response = api.patch(
        url,
        {"first_name": first_name, "address": address.replace("\x00", "")},
        format="json",
        HTTP_IF_MATCH=etag(api, url),
    )
    assert response.status_code == 200, response.content[:500]
    assert response.json()["first_name"] == first_name.strip()
    meeting = api.post(
        "/api/v1/meetings/",
        {"case": person.case_id, "held_on": "2026-11-10", "kind": "uvo",
         "decisions": decisions,
         "attendees": [{"name": "Regisseur", "organisation": organisation.pk}]},
        format="json",
    )  # fmt: skip
    assert meeting.status_code == 201, meeting.content[:500]

    person_page = director.get(reverse("cases:person", kwargs={"pk": person.case_id}))
    case_page = director.get(
        reverse("cases:detail", kwargs={"pk": person.case_id}), {"tab": "uvos"}
    )
    assert (person_page.status_code, case_page.status_code) == (200, 200)
    for page, value in [(person_page, first_name), (case_page, decisions)]:
        html = page.content.decode()
        assert escape(value.strip()) in html
        if escape(value) != value:
            assert value.strip() not in html  # never the raw markup
