"""A regisseur logs an UVO with actions in Chromium (adding an action row in place with
htmx) and sees it on the case page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import CaseFactory, RegisseurFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_regisseur_logs_an_uvo_with_two_actions_and_sees_them(signed_in_page):
    regisseur = RegisseurFactory(user__username="regisseur-browser", user__roles=[Role.REGISSEUR])
    case = CaseFactory(regisseur=regisseur, access_on=True)
    organisation = regisseur.organisation
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()

    page = signed_in_page(regisseur.user)
    page.goto(f"/casussen/{case.pk}/uvo/")
    assert_accessible(page)
    page.locator('textarea[name="decisions"]').fill("Woonbegeleiding aanvragen.")
    page.locator('input[name="deelnemers-0-name"]').fill("Jan Voorbeeld")
    page.locator('select[name="deelnemers-0-organisation"]').select_option(str(organisation.pk))
    page.locator('input[name="acties-0-description"]').fill("Intake plannen")
    page.locator('select[name="acties-0-owner_organisation"]').select_option(str(organisation.pk))
    page.locator('input[name="acties-0-due_on"]').fill(due)
    page.get_by_role("button", name="Actie toevoegen").click()
    second = page.locator('input[name="acties-1-description"]')
    second.wait_for()
    assert page.locator('input[name="acties-0-description"]').input_value() == "Intake plannen"
    second.fill("Huisbezoek afleggen")
    page.locator('select[name="acties-1-owner_organisation"]').select_option(str(organisation.pk))
    page.locator('input[name="acties-1-due_on"]').fill(due)
    page.get_by_role("button", name="UVO vastleggen").click()

    page.wait_for_url(f"**/casussen/{case.pk}/**")
    body = page.locator("main").inner_text()
    assert "Woonbegeleiding aanvragen." in body
    assert "Intake plannen" in body
    assert "Huisbezoek afleggen" in body
    assert_accessible(page)
