"""One's own account in Chromium: a changed password signs in, a reset by the e-mailed
link still asks for the second factor, and a session elsewhere is ended."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.services import backup_codes_replace
from tests.factories import UserFactory

from .conftest import (
    PASSWORD,
    assert_accessible,
    enter_password,
    enter_second_factor,
    sign_in_through_forms,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "een-heel-nieuw-wachtwoord"
SECOND_CODE = "tweedecode99"
PHONE = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
LINK = re.compile(r"https?://[^/\s]+(/wachtwoord-herstellen/\S+/)")


def test_a_changed_password_is_the_one_that_signs_in(signed_in_page):
    user = UserFactory()
    page = signed_in_page(user)
    page.get_by_role("link", name=str(user)).click()  # the user menu: "Mijn account"
    page.get_by_role("link", name="Wachtwoord wijzigen").click()
    assert_accessible(page)
    page.locator('input[name="old_password"]').fill(PASSWORD)
    page.locator('input[name="new_password1"]').fill(NEW_PASSWORD)
    page.locator('input[name="new_password2"]').fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Uw wachtwoord is gewijzigd")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/**")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Gebruikersnaam of wachtwoord onjuist")).to_be_visible()

    backup_codes_replace(user=user, codes=[SECOND_CODE])
    sign_in_through_forms(page, user.username, NEW_PASSWORD, SECOND_CODE)
    assert "/inloggen/" not in page.url and "/tweestaps/" not in page.url


def test_a_reset_by_the_e_mailed_link_still_asks_for_the_second_factor(browser_page):
    user = UserFactory()
    backup_codes_replace(user=user, codes=[SECOND_CODE])
    page = browser_page
    page.goto("/inloggen/")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    assert_accessible(page)
    page.locator('input[name="email"]').fill(user.email)
    page.get_by_role("button", name="Link versturen").click()
    page.wait_for_url("**/wachtwoord-vergeten/verstuurd/")
    expect(page.get_by_role("heading", name="Controleer uw e-mail")).to_be_visible()

    [message] = mail.outbox
    link = LINK.search(str(message.body))
    assert link, message.body
    page.goto(link.group(1))
    assert_accessible(page)
    page.locator('input[name="new_password1"]').fill(NEW_PASSWORD)
    page.locator('input[name="new_password2"]').fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    page.wait_for_url("**/inloggen/")
    expect(page.get_by_text("Uw wachtwoord is opnieuw ingesteld")).to_be_visible()

    enter_password(page, user.username, NEW_PASSWORD)  # the second factor is still asked
    enter_second_factor(page, SECOND_CODE)
    assert "/tweestaps/" not in page.url and "/inloggen/" not in page.url

    # The link worked once.
    page.goto(link.group(1))
    expect(page.get_by_text("Deze link werkt niet meer")).to_be_visible()


def test_a_session_on_another_device_is_ended(browser, live_server, signed_in_page):
    user = UserFactory()
    page = signed_in_page(user)
    elsewhere = browser.new_context(base_url=live_server.url, locale="nl-NL", user_agent=PHONE)
    try:
        phone = elsewhere.new_page()
        phone.set_default_timeout(15_000)
        backup_codes_replace(user=user, codes=[SECOND_CODE])
        sign_in_through_forms(phone, user.username, PASSWORD, SECOND_CODE)
        phone.goto("/mijn-account/")
        expect(phone.get_by_role("heading", name="Mijn account")).to_be_visible()

        page.goto("/mijn-account/")
        assert_accessible(page)
        expect(page.get_by_text("deze sessie", exact=True)).to_be_visible()
        page.get_by_role("button", name=re.compile("^Sessie op Firefox Mobile")).click()
        expect(page.get_by_text("De sessie is beëindigd")).to_be_visible()
        assert page.get_by_role("button", name=re.compile("^Sessie op")).count() == 0

        phone.goto("/mijn-account/")
        assert "/inloggen/" in phone.url
    finally:
        elsewhere.close()
