"""What every signed-in request pays before its own work: the session, the user, its roles
with their permissions and its second-factor device come from the cache (Redis, as in
production) after the first request (accounts/signed_in.py, accounts/session_store.py),
and every change to them shows on the very next request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import BackupCodeDevice
from accounts.roles import Role
from accounts.services import backup_codes_replace
from accounts.services_account import user_deactivate
from accounts.services_roles import role_grant_approve, role_grant_request, role_revoke
from tests.cases.conftest import client_for, with_role
from tests.factories import UserFactory
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
# The trivial page behind the sign-in that the benchmark measures as the signed-in floor.
SIGNED_IN_FLOOR = "/_bench/signed-in"
# Read from the database on a session's first request (and after any change to them): the
# user, the user's roles with their permissions, the second-factor device. The session is
# in the cache from the moment the sign-in wrote it.
SESSION, USER, ROLES_WITH_PERMISSIONS, DEVICE = 1, 1, 1, 1
FIRST_REQUEST = USER + ROLES_WITH_PERMISSIONS + DEVICE
# Every request after it: all four from the cache.
LATER_REQUEST = 0
# A page only the programme team reaches.
PROGRAMME_TEAM_PAGE = "pool:regisseur_list"
# A Redis nobody listens on (the discard port): the cache does not answer.
REDIS_DOWN = "redis://127.0.0.1:9/0"


def _redis_cache(location: str) -> dict:
    return {
        **settings.CACHES,
        "default": {"BACKEND": "kernel.cache.RedisCache", "LOCATION": location},
    }


@pytest.fixture(autouse=True)
def _redis() -> Iterator[None]:
    """The default cache on the test run's Redis, as in production."""
    with override_settings(CACHES=_redis_cache(settings.REDIS_URL), ROOT_URLCONF="benchmarks.urls"):
        caches["default"].clear()
        yield
        caches["default"].clear()


def _programme_team_member():
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


def test_a_signed_in_page_asks_no_query_for_the_sign_in_after_the_first():
    client = client_for(_programme_team_member())
    with assert_query_count(FIRST_REQUEST, what="a session's first signed-in request"):
        assert client.get(SIGNED_IN_FLOOR).status_code == 200
    with assert_query_count(LATER_REQUEST, what="every signed-in request after it"):
        assert client.get(SIGNED_IN_FLOOR).status_code == 200


def test_a_revoked_role_takes_effect_on_the_next_request():
    member, colleague = _programme_team_member(), _programme_team_member()
    client = client_for(member)
    page = reverse(PROGRAMME_TEAM_PAGE)
    assert client.get(page).status_code == 200
    role_revoke(user=member, role=Role.PROGRAMME_TEAM, by=colleague, reason="Andere functie")
    assert client.get(page).status_code == 403


def test_a_granted_role_takes_effect_on_the_next_request():
    requester, approver = _programme_team_member(), _programme_team_member()
    newcomer = UserFactory()
    client = client_for(newcomer)
    page = reverse(PROGRAMME_TEAM_PAGE)
    assert client.get(page).status_code == 403
    grant = role_grant_request(
        user=newcomer, role=Role.PROGRAMME_TEAM, by=requester, reason="Nieuw in het team"
    )
    role_grant_approve(grant=grant, by=approver)
    assert client.get(page).status_code == 200


def test_a_role_losing_a_permission_takes_effect_on_the_next_request():
    client = client_for(_programme_team_member())
    page = reverse(PROGRAMME_TEAM_PAGE)
    assert client.get(page).status_code == 200
    group = Group.objects.get(name=Role.PROGRAMME_TEAM.value)
    group.permissions.remove(*group.permissions.filter(codename="change_regisseur"))
    assert client.get(page).status_code == 403


def test_a_deactivated_account_is_signed_out_on_the_next_request():
    member, colleague = _programme_team_member(), _programme_team_member()
    client = client_for(member)
    assert client.get(SIGNED_IN_FLOOR).status_code == 200
    user_deactivate(user=member, by=colleague, reason="Uit dienst", request=None)
    response = client.get(SIGNED_IN_FLOOR)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_deactivated_by_hand_is_signed_out_on_the_next_request():
    """Even without its sessions being ended (the admin's checkbox)."""
    member = _programme_team_member()
    client = client_for(member)
    assert client.get(SIGNED_IN_FLOOR).status_code == 200
    member.is_active = False
    member.save()
    response = client.get(SIGNED_IN_FLOOR)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_removed_second_factor_sends_the_next_request_back_to_the_second_step():
    member = _programme_team_member()
    client = client_for(member)
    assert client.get(SIGNED_IN_FLOOR).status_code == 200
    BackupCodeDevice.objects.filter(user=member).delete()
    TOTPDevice.objects.filter(user=member).delete()
    response = client.get(SIGNED_IN_FLOOR)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_sign_in_works_while_redis_is_down():
    user = _programme_team_member()
    user.set_password(PASSWORD)
    user.save()
    backup_codes_replace(user=user, codes=["abcd2345"])
    with override_settings(CACHES=_redis_cache(REDIS_DOWN)):
        client = Client()
        signed_in = client.post("/inloggen/", {"username": user.username, "password": PASSWORD})
        assert signed_in.status_code == 302
        verified = client.post("/tweestaps/", {"token": "abcd2345", "next": SIGNED_IN_FLOOR})
        assert verified.status_code == 302 and verified["Location"] == SIGNED_IN_FLOOR
        # Everything read from the database, on every request.
        without_cache = SESSION + USER + ROLES_WITH_PERMISSIONS + DEVICE
        with assert_query_count(without_cache, what="a signed-in request without the cache"):
            assert client.get(SIGNED_IN_FLOOR).status_code == 200
        assert client.get(reverse(PROGRAMME_TEAM_PAGE)).status_code == 200
        client.post("/uitloggen/")
        assert client.get(SIGNED_IN_FLOOR).status_code == 302


def test_a_per_process_cache_keeps_no_session_or_signed_in_user():
    """With the quick start's per-process cache and several processes serving, another
    process would keep what a change in this one replaced: every request reads the
    database."""
    client = client_for(_programme_team_member())
    per_process = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    with override_settings(CACHES=per_process, IPGAR_SINGLE_PROCESS_CACHE=False):
        every_request = SESSION + USER + ROLES_WITH_PERMISSIONS + DEVICE
        for _ in range(2):
            with assert_query_count(every_request, what="a request without a shared cache"):
                assert client.get(SIGNED_IN_FLOOR).status_code == 200
