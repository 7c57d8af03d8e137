"""A wrong code at the second step of signing in is recorded in the access log: the
password was right, so someone holds it; the programme team must be able to see that."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import CODE_WRONG, backup_codes_replace
from audit.models import AccessLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
BACKUP_CODE = "abcd2345"


def failures(user) -> list[AccessLog]:
    return list(AccessLog.objects.filter(user=user, action=AccessLog.Action.SECOND_FACTOR_FAILED))


def test_a_wrong_code_is_recorded_with_who_and_from_where_and_a_right_one_is_not(time_machine):
    user = UserFactory()
    backup_codes_replace(user=user, codes=[BACKUP_CODE])
    client = Client(REMOTE_ADDR="192.0.2.44")
    assert (
        client.post("/inloggen/", {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )

    wrong = client.post("/tweestaps/", {"token": "zzzz9999"})
    assert wrong.status_code == 400 and str(CODE_WRONG) in wrong.content.decode()
    [record] = failures(user)
    assert (record.username, record.ip_address, record.object_type, record.object_id) == (
        user.username,
        "192.0.2.44",
        "accounts.user",
        str(user.pk),
    )
    assert record.case_id is None

    # django-otp makes the device wait after a failure: come back a little later.
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=1))
    right = client.post("/tweestaps/", {"token": BACKUP_CODE})
    assert right.status_code == 302
    assert len(failures(user)) == 1


def test_an_empty_form_is_no_attempt():
    user = UserFactory()
    backup_codes_replace(user=user, codes=[BACKUP_CODE])
    client = Client()
    client.post("/inloggen/", {"username": user.username, "password": PASSWORD})
    assert client.post("/tweestaps/", {"token": ""}).status_code == 400
    assert failures(user) == []
