"""Per-client API tokens: scoped, expiring, revocable; forged and replayed keys fail."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.roles import Role
from accounts.tokens import (
    CLIENT_NOT_SYNC,
    EXPIRY_TOO_FAR,
    KEY_EXPIRED,
    KEY_INVALID,
    KEY_REVOKED,
    SCOPE_UNKNOWN,
    api_token_issue,
    api_token_revoke,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class CasesProbe(APIView):
    scope_resource = "cases"

    def get(self, request):
        return Response({"client": request.user.username})

    def post(self, request):
        return Response({"written": True}, status=201)


def call(method: str, key: str | None):
    factory = APIRequestFactory()
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    request = getattr(factory, method)("/api/v1/probe/", **headers)
    return CasesProbe.as_view()(request)


@pytest.fixture
def client_user():
    user = UserFactory(username="vehaa-radi")
    user.groups.add(Group.objects.get(name=Role.SYNC_CLIENT.value))
    return user


def issue(client_user, scopes=("cases:read",), days=30):
    return api_token_issue(
        client=client_user,
        name="VEHAA-RADI",
        scopes=list(scopes),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        by=UserFactory(),
    )


def test_a_valid_token_reads_within_its_scope(client_user):
    token, key = issue(client_user)
    response = call("get", key)
    assert response.status_code == 200
    assert response.data == {"client": "vehaa-radi"}
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert key.split(".", 1)[1] not in token.secret_hash  # only a hash is kept


def test_read_scope_does_not_allow_writing(client_user):
    _, key = issue(client_user, scopes=["cases:read"])
    response = call("post", key)
    assert response.status_code == 403
    assert "cases:write" in str(response.data["detail"])


def test_write_scope_allows_reading_and_writing(client_user):
    _, key = issue(client_user, scopes=["cases:write"])
    assert call("get", key).status_code == 200
    assert call("post", key).status_code == 201


def test_a_token_for_another_resource_is_refused(client_user):
    _, key = issue(client_user, scopes=["meetings:read"])
    assert call("get", key).status_code == 403


@pytest.mark.parametrize(
    "forge",
    [
        lambda key: key[:-2] + ("aa" if not key.endswith("aa") else "bb"),
        lambda key: "000000000000." + key.split(".", 1)[1],
        lambda key: key.split(".", 1)[0],
        lambda key: "",
    ],
)
def test_forged_keys_are_refused(client_user, forge):
    _, key = issue(client_user)
    response = call("get", forge(key) or "x")
    assert response.status_code == 401
    assert str(response.data["detail"]) == KEY_INVALID


def test_an_expired_token_is_refused(client_user):
    _, key = issue(client_user, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = call("get", key)
    assert response.status_code == 401
    assert str(response.data["detail"]) == KEY_EXPIRED


def test_a_revoked_token_cannot_be_replayed(client_user):
    token, key = issue(client_user)
    assert call("get", key).status_code == 200
    api_token_revoke(token=token, by=UserFactory())
    response = call("get", key)
    assert response.status_code == 401
    assert str(response.data["detail"]) == KEY_REVOKED


def test_issuing_validates_client_scopes_and_lifetime(client_user):
    with pytest.raises(ValidationError, match=str(CLIENT_NOT_SYNC)):
        issue(UserFactory())
    with pytest.raises(ValidationError, match=SCOPE_UNKNOWN.format(scope="cases:delete")):
        issue(client_user, scopes=["cases:delete"])
    with pytest.raises(ValidationError, match=str(EXPIRY_TOO_FAR)):
        issue(client_user, days=400)
    assert not ApiToken.objects.exists()
