"""An account's start and a lost phone in Chromium: the functional administrator invites
someone, who opens the e-mailed link, sets a password, enrols an authenticator and
signs in; the programme team resets a regisseur's second factor, who re-enrols through
the new link with the password kept and signs in. The e-mails are read from the outbox
and their links followed; the authenticator's codes are computed as an app would."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory

from .conftest import PASSWORD, assert_accessible, sign_in_through_forms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Amstel-sluis-2026-regie"
LINK = re.compile(r"https?://[^/\s]+(/activeren/[^/\s]+/)")


def link_in(message: Any) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def code_from_page(page: Any) -> str:
    """The code an authenticator app shows for the key on the page."""
    key = page.locator("code.ipgar-key").inner_text().strip()
    return f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}"


def first_backup_code(page: Any) -> str:
    return page.locator(".backup-codes code").first.inner_text().strip()


def sign_out(page: Any) -> None:
    page.context.clear_cookies()


def test_invitation_activation_and_first_sign_in(signed_in_page):
    OrganisationFactory(code="ggd", name="GGD")
    admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN], is_staff=True)
    page = signed_in_page(admin)
    page.goto("/rollen/uitnodigen/")
    assert_accessible(page)
    page.get_by_label("Voornaam").fill("Noor")
    page.get_by_label("Achternaam").fill("Visser")
    page.get_by_label("E-mailadres").fill("noor.visser@example.org")
    page.get_by_label("Organisatie").select_option(label="GGD")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    page.wait_for_load_state()
    assert "Rollen van Noor Visser" in page.get_by_role("heading", level=1).inner_text()
    page.goto("/rollen/uitnodigen/")
    expect(page.get_by_role("row", name=re.compile("Noor Visser"))).to_be_visible()

    [message] = mail.outbox
    assert message.to == ["noor.visser@example.org"]
    sign_out(page)
    page.goto(link_in(message))
    assert page.get_by_role("heading", level=1).inner_text() == "Account activeren"
    assert_accessible(page)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nieuw wachtwoord nogmaals").fill(NEW_PASSWORD)
    page.get_by_label("Code uit de app").fill(code_from_page(page))
    page.get_by_role("button", name="Account activeren").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Uw reservecodes"
    backup_code = first_backup_code(page)

    # The first sign-in of one's own: the chosen password and the second factor.
    sign_out(page)
    sign_in_through_forms(page, "noor.visser@example.org", NEW_PASSWORD, backup_code)
    assert "/inloggen/" not in page.url and "/tweestaps/" not in page.url
    assert page.get_by_role("button", name="Uitloggen").count() >= 1

    sign_out(page)
    page.goto(link_in(message))  # used: dead
    assert page.get_by_role("heading", level=1).inner_text() == "Deze link werkt niet"


def test_a_reset_second_factor_re_enrolment_and_sign_in(signed_in_page):
    regisseur = UserFactory(first_name="Sem", last_name="de Boer", roles=[Role.REGISSEUR])
    team = UserFactory(roles=[Role.PROGRAMME_TEAM])
    page = signed_in_page(team)
    page.goto(f"/rollen/gebruiker/{regisseur.pk}/")
    page.get_by_text("Tweede factor resetten", exact=True).first.click()
    page.locator("#id_tweede_factor_reason").fill("Telefoon kwijt, zelf gemeld op het spreekuur.")
    page.get_by_role("button", name="Tweede factor resetten").click()
    page.wait_for_load_state()
    assert "Sem de Boer krijgt per e-mail een link" in page.content()

    [message] = mail.outbox
    assert message.to == [regisseur.email]
    sign_out(page)
    page.goto(link_in(message))
    assert page.get_by_role("heading", level=1).inner_text() == "Nieuwe tweede factor instellen"
    assert_accessible(page)
    page.get_by_label("Uw wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de app").fill(code_from_page(page))
    page.get_by_role("button", name="Tweede factor instellen").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Uw reservecodes"
    backup_code = first_backup_code(page)

    sign_out(page)
    sign_in_through_forms(page, regisseur.username, PASSWORD, backup_code)
    assert "/inloggen/" not in page.url and "/tweestaps/" not in page.url
