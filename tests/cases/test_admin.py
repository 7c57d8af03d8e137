"""The case admin is read-only, and opening a person-level page is logged."""

from __future__ import annotations

import pytest

from audit.models import AccessLog
from tests.conftest import sign_in
from tests.factories import MeetingFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    client.user = admin
    return client


def test_opening_a_person_in_the_admin_writes_an_access_record(admin_client):
    person = PersonFactory(first_name="Fictieve", last_name="Persoon")
    response = admin_client.get(f"/beheer/cases/person/{person.pk}/change/")
    assert response.status_code == 200
    assert "Fictieve" in response.content.decode()
    record = AccessLog.objects.get()
    assert (record.user, record.object_type, record.case_number) == (
        admin_client.user,
        "cases.person",
        person.case.number,
    )
    assert record.path == f"/beheer/cases/person/{person.pk}/change/"


def test_the_person_list_shows_case_numbers_only_and_is_not_a_read_of_person_data(admin_client):
    person = PersonFactory(first_name="Fictieve", last_name="Persoon")
    response = admin_client.get("/beheer/cases/person/")
    html = response.content.decode()
    assert person.case.number in html
    assert "Fictieve" not in html
    assert not AccessLog.objects.exists()


def test_case_records_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    meeting = MeetingFactory(decisions="Besluit A")
    change = admin_client.post(
        f"/beheer/cases/meeting/{meeting.pk}/change/", {"decisions": "Besluit B"}
    )
    assert change.status_code == 403
    delete = admin_client.post(f"/beheer/cases/meeting/{meeting.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    meeting.refresh_from_db()
    assert meeting.decisions == "Besluit A"
    assert admin_client.get("/beheer/cases/case/add/").status_code == 403
