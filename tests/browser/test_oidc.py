"""Sign-in through the identity provider in Chromium, against the real OpenID provider
that scripts/test starts on loopback (tests/oidc/provider.mjs, npm's oidc-provider): the
provider's multi-factor sign-in skips the local second factor, a subject nobody was
invited with is refused and recorded, a sign-in without multi-factor continues to the
local second factor, and signing out ends the provider's session too."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.oidc import NO_ACCOUNT
from accounts.roles import Role
from accounts.services import backup_codes_replace
from audit.models import AccessLog
from tests.factories import UserFactory

from .conftest import BACKUP_CODE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_at_provider(page: Any, account: str) -> None:
    """From the sign-in page to the provider and back, as ``account``."""
    page.goto("/inloggen/")
    page.get_by_role("link", name="Inloggen met Amsterdam-account").click()
    page.get_by_label("Account").fill(account)
    page.get_by_role("button", name="Inloggen bij de provider").click()
    page.wait_for_url(lambda url: "/interaction/" not in url and "/auth" not in url)
    page.wait_for_load_state()


def test_the_sign_in_page_offers_the_amsterdam_account(browser_page):
    browser_page.goto("/inloggen/")
    expect(browser_page.get_by_role("link", name="Inloggen met Amsterdam-account")).to_be_visible()
    assert_accessible(browser_page)


def test_a_provider_that_did_mfa_signs_in_without_the_local_second_factor(browser_page):
    UserFactory(roles=[Role.PROGRAMME_TEAM], oidc_subject="mfa-gebruiker")
    sign_in_at_provider(browser_page, "mfa-gebruiker")
    assert "/tweestaps/" not in browser_page.url
    assert "/inloggen/" not in browser_page.url
    # A page behind the second factor is served, not the second step.
    response = browser_page.goto("/casussen/")
    assert response.status == 200
    assert browser_page.url.endswith("/casussen/")


def test_an_acr_the_settings_count_as_mfa_signs_in_without_the_local_second_factor(
    browser_page,
):
    UserFactory(roles=[Role.PROGRAMME_TEAM], oidc_subject="acr-gebruiker")
    sign_in_at_provider(browser_page, "acr-gebruiker")
    assert browser_page.goto("/casussen/").status == 200
    assert browser_page.url.endswith("/casussen/")


def test_an_unknown_subject_is_refused_and_recorded(browser_page):
    UserFactory(roles=[Role.PROGRAMME_TEAM], oidc_subject="iemand-anders")
    sign_in_at_provider(browser_page, "onbekend")
    assert "/inloggen/amsterdam/terug/" in browser_page.url
    assert browser_page.get_by_role("heading", level=1).inner_text() == (
        "Inloggen met Amsterdam-account geweigerd"
    )
    assert str(NO_ACCOUNT) in browser_page.content()
    assert_accessible(browser_page)
    refused = AccessLog.objects.get(action=AccessLog.Action.SIGN_IN_REFUSED)
    assert (refused.user, refused.object_id) == (None, "onbekend")
    # Nobody was signed in, nor created.
    browser_page.goto("/casussen/")
    assert "/inloggen/" in browser_page.url


def test_a_provider_without_mfa_continues_to_the_local_second_factor(browser_page):
    user = UserFactory(roles=[Role.PROGRAMME_TEAM], oidc_subject="wachtwoord-gebruiker")
    backup_codes_replace(user=user, codes=[BACKUP_CODE])
    sign_in_at_provider(browser_page, "wachtwoord-gebruiker")
    assert "/tweestaps/" in browser_page.url
    browser_page.locator('input[name="token"]').fill(BACKUP_CODE)
    browser_page.get_by_role("button", name="Verifiëren").click()
    browser_page.wait_for_load_state()
    assert "/tweestaps/" not in browser_page.url
    assert browser_page.goto("/casussen/").status == 200
    assert browser_page.url.endswith("/casussen/")


def test_signing_out_ends_the_local_and_the_provider_session(browser_page):
    UserFactory(roles=[Role.PROGRAMME_TEAM], oidc_subject="mfa-gebruiker")
    sign_in_at_provider(browser_page, "mfa-gebruiker")
    browser_page.get_by_role("button", name="Uitloggen").click()
    # The provider asks to confirm its own sign-out, then sends the browser back.
    browser_page.locator('button[name="logout"][value="yes"]').click()
    browser_page.wait_for_url("**/inloggen/")
    browser_page.goto("/casussen/")
    assert "/inloggen/" in browser_page.url
    # The provider's session ended too: it asks who you are again.
    browser_page.goto("/inloggen/")
    browser_page.get_by_role("link", name="Inloggen met Amsterdam-account").click()
    expect(browser_page.get_by_label("Account")).to_be_visible()
