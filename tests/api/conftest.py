"""A sync client with a token, and an API test client that sends it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tokens import SCOPES, api_token_issue
from tests.factories import UserFactory

ALL_SCOPES = sorted(SCOPES)


def sync_client_user(username: str = "vehaa-radi"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=Role.SYNC_CLIENT.value))
    return user


def token_for(user, scopes=ALL_SCOPES, *, days: int = 30) -> str:
    _, key = api_token_issue(
        client=user,
        name="test",
        scopes=list(scopes),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        by=None,
    )
    return key


def api_client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def sync_user():
    return sync_client_user()


@pytest.fixture
def api(sync_user) -> APIClient:
    return api_client_with(token_for(sync_user))


@pytest.fixture
def api_with_scopes(sync_user) -> Callable[..., APIClient]:
    def make(*scopes: str) -> APIClient:
        return api_client_with(token_for(sync_user, scopes))

    return make
