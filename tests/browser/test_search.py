"""The header's search field in Chromium: a regisseur finds his case by its number, the
programme team finds a case by the person's name and then sees that search, with its
term, in the access log. Neither page is wider than a phone's screen."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from cases.access import case_access_sync
from tests.factories import CaseFactory, PersonFactory, RegisseurFactory, UserFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep the pages' pictures when asked (IPGAR_SEARCH_SCREENSHOTS=<directory>).
SHOTS = os.environ.get("IPGAR_SEARCH_SCREENSHOTS", "")


def _in_role(user: Any, role: Role) -> Any:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


def _fits(page: Any, name: str) -> None:
    """The page is no wider than the viewport, at 1280 and at 375 pixels."""
    for width, height in ((1280, 800), (375, 740)):
        page.set_viewport_size({"width": width, "height": height})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{name} is {scroll_width} px wide at {width} px"
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_regisseur_finds_his_case_by_number_from_the_header(signed_in_page):
    regisseur = RegisseurFactory(user__username="regisseur-zoekt")
    _in_role(regisseur.user, Role.REGISSEUR)
    case = CaseFactory(regisseur=regisseur, number="R-24680")
    case_access_sync(case=case)
    hidden = CaseFactory(number="R-13579")

    page = signed_in_page(regisseur.user)
    _fits(page, "header-search-regisseur")
    search = page.get_by_role("searchbox", name="Zoek een casus op nummer")
    search.fill("r-24680")
    search.press("Enter")
    page.wait_for_url(f"**/casussen/{case.pk}/")
    assert "R-24680" in page.locator("main").inner_text()

    page.get_by_role("searchbox", name="Zoek een casus op nummer").fill(hidden.number)
    page.get_by_role("button", name="Zoeken").first.click()
    page.wait_for_url("**/zoeken/")
    assert "Er is geen casus met dit nummer die u mag inzien." in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_programme_team_finds_a_case_by_name_and_sees_the_search_in_the_log(
    signed_in_page,
):
    team = _in_role(UserFactory(username="programmateam-zoekt"), Role.PROGRAMME_TEAM)
    person = PersonFactory(first_name="Zoë", last_name="Voorbeeldnaam")

    page = signed_in_page(team)
    search = page.get_by_role("searchbox", name="Zoek een casus op nummer, naam of BSN")
    search.fill("Voorbeeldnam")
    search.press("Enter")
    page.wait_for_url("**/zoeken/")
    results = page.locator("main").inner_text()
    assert person.case.number in results and "Voorbeeldnaam" in results
    assert_accessible(page)
    _fits(page, "search-results")

    page.get_by_role("link", name="Toegangslog").click()
    page.locator('select[name="action"]').select_option("search")
    page.get_by_role("button", name="Zoeken", exact=True).last.click()
    page.wait_for_load_state()
    log = page.locator("main").inner_text()
    assert "Voorbeeldnam" in log and "Gezocht" in log
