"""The client's address behind the trusted proxies (IPGAR_TRUSTED_PROXY_COUNT): one
value, the same in the access log and in django-axes; a forged X-Forwarded-For from
the client itself is never believed."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings

from audit.client_ip import client_ip
from audit.models import AccessLog
from audit.services import access_record
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # the proxy nearest to the application: the socket's address
# The client wrote the left entry itself; the proxy appended the address it saw.
FORWARDED = "203.0.113.7, 10.0.0.2"


def request_through_proxies(forwarded: str | None = FORWARDED):
    headers: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/casussen/1/persoon/", REMOTE_ADDR=PROXY, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, FORWARDED, PROXY),  # no proxy in front: the header is the client's own words
        (0, "203.0.113.7", PROXY),
        (1, FORWARDED, "10.0.0.2"),  # the one proxy's entry, the forged one left of it skipped
        (1, "198.51.100.4", "198.51.100.4"),  # an honest client behind one proxy
        (2, FORWARDED, "203.0.113.7"),  # two proxies: the outer one wrote the left entry
        (2, "198.51.100.4", PROXY),  # fewer entries than proxies: only the nearest hop is sure
        (1, None, PROXY),  # reached the application past the proxy
    ],
)
def test_the_client_is_the_entry_the_trusted_proxies_wrote(proxies, forwarded, expected):
    with override_settings(IPGAR_TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request_through_proxies(forwarded)) == expected


def test_without_a_request_there_is_no_address():
    assert client_ip(None) is None


@pytest.mark.parametrize(("proxies", "expected"), [(0, PROXY), (1, "10.0.0.2"), (2, "203.0.113.7")])
def test_the_access_log_records_the_address_behind_the_proxies(proxies, expected):
    with override_settings(IPGAR_TRUSTED_PROXY_COUNT=proxies):
        record = access_record(
            user=UserFactory(), obj=PersonFactory(), request=request_through_proxies()
        )
    assert AccessLog.objects.get(pk=record.pk).ip_address == expected


@pytest.mark.parametrize(("proxies", "expected"), [(0, PROXY), (1, "10.0.0.2")])
def test_axes_counts_a_failed_sign_in_against_the_same_address(proxies, expected):
    user = UserFactory()
    with override_settings(IPGAR_TRUSTED_PROXY_COUNT=proxies):
        response = Client().post(
            "/inloggen/",
            {"username": user.username, "password": "fout-wachtwoord"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=FORWARDED,
        )
    assert response.status_code == 200  # the form again, with its error
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.ip_address == expected
