"""Sign-in through the identity provider, without a browser: the multi-factor rule, the
checks on the ID token, linking an account to its subject, and the pages when OpenID
Connect is on (scripts/test configures the loopback provider) or off.

The whole flow against the real provider is in tests/browser/test_oidc.py."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from accounts.oidc import OidcBackend, provider_did_mfa
from accounts.roles import Role
from accounts.services_oidc import SUBJECT_TAKEN, user_oidc_subject_set
from audit.models import AccessLog
from audit.services import sign_in_refused_record
from kernel.errors import RuleViolation
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OIDC_BUTTON = "Inloggen met Amsterdam-account"


# --- the multi-factor rule -----------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "did_mfa"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["otp"]}, True),
        ({"amr": ["hwk", "pwd"]}, True),
        ({"amr": "mfa"}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": []}, False),
        ({}, False),
        ({"amr": ["pwd"], "acr": "urn:ipgar:test:loa-high"}, True),
        ({"amr": ["pwd"], "acr": "urn:ipgar:test:loa-low"}, False),
    ],
)
def test_the_local_second_factor_is_skipped_only_on_the_providers_word(claims, did_mfa):
    with override_settings(
        IPGAR_OIDC_MFA_AMR=["mfa", "otp", "hwk"], IPGAR_OIDC_MFA_ACR=["urn:ipgar:test:loa-high"]
    ):
        assert provider_did_mfa(claims) is did_mfa


def test_no_acr_counts_when_none_is_configured():
    with override_settings(IPGAR_OIDC_MFA_ACR=[]):
        assert not provider_did_mfa({"acr": "urn:ipgar:test:loa-high"})


# --- the ID token's checks -------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _backend(signing_key: rsa.RSAPrivateKey) -> OidcBackend:
    public_pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with override_settings(OIDC_RP_IDP_SIGN_KEY=public_pem.decode()):
        return OidcBackend()


def _token(signing_key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": settings.OIDC_OP_ISSUER,
        "aud": settings.OIDC_RP_CLIENT_ID,
        "sub": "mfa-gebruiker",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        **claims,
    }
    payload = {key: value for key, value in payload.items() if value is not None}
    return jwt.encode(payload, signing_key, algorithm="RS256")


def test_a_token_from_the_provider_for_this_client_is_accepted(signing_key):
    payload = _backend(signing_key).verify_token(_token(signing_key), nonce="n-1")
    assert payload["sub"] == "mfa-gebruiker"


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://elders.example.test"},
        {"aud": "another-client"},
        {"aud": ["another-client", "ipgar-test"]},  # several audiences, no azp of ours
        {"exp": int(time.time()) - 60},
        {"exp": None},
        {"sub": None},
        {"nonce": "replayed"},
    ],
    ids=["issuer", "audience", "audiences-without-azp", "expired", "no-exp", "no-sub", "nonce"],
)
def test_a_token_failing_a_check_is_refused(signing_key, claims):
    with pytest.raises(SuspiciousOperation):
        _backend(signing_key).verify_token(_token(signing_key, **claims), nonce="n-1")


def test_a_token_signed_by_another_key_is_refused(signing_key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SuspiciousOperation):
        _backend(signing_key).verify_token(_token(other), nonce="n-1")


def test_several_audiences_are_accepted_with_this_client_as_azp(signing_key):
    token = _token(signing_key, aud=["api", settings.OIDC_RP_CLIENT_ID], azp="ipgar-test")
    assert _backend(signing_key).verify_token(token, nonce="n-1")["azp"] == "ipgar-test"


# --- linking an account --------------------------------------------------------------


def test_the_functional_administrator_links_and_unlinks_an_account():
    admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    person = UserFactory()
    user_oidc_subject_set(user=person, subject="  abc-123 ", by=admin)
    assert User.objects.get(pk=person.pk).oidc_subject == "abc-123"
    user_oidc_subject_set(user=person, subject="", by=admin)
    assert User.objects.get(pk=person.pk).oidc_subject is None


def test_one_subject_links_one_account_and_a_refusal_writes_nothing():
    admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    UserFactory(oidc_subject="abc-123")
    person = UserFactory(oidc_subject="eigen-sub")
    with pytest.raises(RuleViolation) as refused:
        user_oidc_subject_set(user=person, subject="abc-123", by=admin)
    assert refused.value.messages == [str(SUBJECT_TAKEN)]
    assert User.objects.get(pk=person.pk).oidc_subject == "eigen-sub"


def test_the_link_is_set_on_the_users_page():
    admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    person = UserFactory()
    client = Client()
    sign_in(client, admin)
    page = client.get(reverse("accounts:user_roles", args=[person.pk]))
    assert "Sub-claim van het Amsterdam-account" in page.content.decode()
    response = client.post(
        reverse("accounts:user_oidc_subject", args=[person.pk]), {"subject": "abc-123"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).oidc_subject == "abc-123"


def test_a_subject_linked_elsewhere_is_refused_on_the_page():
    admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    UserFactory(oidc_subject="abc-123")
    person = UserFactory()
    client = Client()
    sign_in(client, admin)
    response = client.post(
        reverse("accounts:user_oidc_subject", args=[person.pk]), {"subject": "abc-123"}
    )
    assert response.status_code == 409
    assert str(SUBJECT_TAKEN) in response.content.decode()
    assert User.objects.get(pk=person.pk).oidc_subject is None


def test_the_programme_team_sees_no_link_form_and_may_not_post_one():
    team = UserFactory(roles=[Role.PROGRAMME_TEAM])
    person = UserFactory()
    client = Client()
    sign_in(client, team)
    page = client.get(reverse("accounts:user_roles", args=[person.pk]))
    assert "Sub-claim van het Amsterdam-account" not in page.content.decode()
    response = client.post(
        reverse("accounts:user_oidc_subject", args=[person.pk]), {"subject": "abc-123"}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=person.pk).oidc_subject is None


# --- the access log ---------------------------------------------------------------------


def test_a_refused_subject_is_recorded_without_a_user():
    entry = sign_in_refused_record(subject="onbekend")
    stored = AccessLog.objects.get(pk=entry.pk)
    assert stored.user is None
    assert (stored.action, stored.object_id) == (AccessLog.Action.SIGN_IN_REFUSED, "onbekend")


# --- on or off --------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_when_configured():
    assert settings.IPGAR_OIDC_ENABLED, "scripts/test starts the loopback provider"
    assert OIDC_BUTTON in Client().get(reverse("login")).content.decode()
    response = Client().get(reverse("oidc_authenticate"))
    assert response.status_code == 302
    assert response["Location"].startswith(settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    assert "code_challenge=" in response["Location"]  # PKCE


def test_without_a_provider_there_is_no_button_and_no_route():
    with override_settings(IPGAR_OIDC_ENABLED=False):
        assert OIDC_BUTTON not in Client().get(reverse("login")).content.decode()
        assert Client().get(reverse("oidc_authenticate")).status_code == 404
        assert Client().get(reverse("oidc_callback")).status_code == 404


def test_a_callback_without_a_code_is_refused_in_dutch():
    response = Client().get(reverse("oidc_callback"))
    assert response.status_code == 403
    assert "Inloggen met uw Amsterdam-account is niet gelukt" in response.content.decode()
