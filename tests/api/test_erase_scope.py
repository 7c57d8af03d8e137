"""A sync token may erase only the person records its own client brought in: another
client's record, or one the programme team registered, is refused with a 403
problem detail and stays as it is."""

from __future__ import annotations

import pytest

from api.models import PersonSource
from api.problems import PROBLEM_CONTENT_TYPE
from cases.models import Person
from cases.services.mirrored_erasure import MIRRORED_ERASURE_OTHER_SOURCE
from tests.factories import PersonFactory, RegionFactory

from .conftest import api_client_with, sync_client_user, token_for

pytestmark = pytest.mark.django_db

REASON = {"reason": "Gewist in de bron-instantie (AVG art. 17)."}


def registered_by(api, number: str) -> Person:
    body = {
        "number": number,
        "region": RegionFactory().code,
        "registered_on": "2026-11-02",
        "person": {"first_name": "Proef", "last_name": "Bron", "address": "Straat 1"},
    }
    response = api.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    return Person.objects.get(case_id=response.json()["id"])


def erase(api, person: Person):
    url = f"/api/v1/persons/{person.pk}/"
    etag = api.get(url)["ETag"]
    return api.post(f"{url}erase/", REASON, format="json", HTTP_IF_MATCH=etag)


def assert_refused_and_untouched(response, person: Person) -> None:
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response.json()["detail"] == MIRRORED_ERASURE_OTHER_SOURCE
    person.refresh_from_db()
    assert person.last_name and person.pseudonymised_at is None


def test_a_client_erases_what_it_registered_and_not_another_clients(api, sync_user):
    own = registered_by(api, "R-92001")
    other_client = api_client_with(token_for(sync_client_user("partner-systeem")))
    theirs = registered_by(other_client, "R-92002")
    assert PersonSource.objects.get(person=own).client == sync_user

    assert_refused_and_untouched(erase(api, theirs), theirs)
    assert_refused_and_untouched(erase(other_client, own), own)

    erased = erase(api, own)
    assert erased.status_code == 200, erased.json()
    assert erased.json()["last_name"] == "" and erased.json()["pseudonymised_at"]


def test_a_record_no_client_brought_in_is_erased_by_none(api):
    registered_here = PersonFactory(last_name="Hier")  # the programme team's intake
    assert_refused_and_untouched(erase(api, registered_here), registered_here)


def test_any_token_of_the_same_client_may(api, sync_user):
    person = registered_by(api, "R-92003")
    second_token = api_client_with(token_for(sync_user))
    assert erase(second_token, person).status_code == 200
