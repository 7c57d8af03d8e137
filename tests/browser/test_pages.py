"""The UI in a real browser: sign-in with the second factor, the dashboard and its
filters, the language switch, and axe-core accessibility scans."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.roles import Role
from tests.monitoring.conftest import user_with_role
from tests.pool.conftest import build_pool_2020

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seed_day():
    with time_machine.travel(datetime.datetime(2020, 6, 15, 9, 0, tzinfo=datetime.UTC)):
        yield


def programme_team():
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name=Role.PROGRAMME_TEAM.value)
    return user_with_role(Role.PROGRAMME_TEAM, username="pt-browser")


def test_sign_in_needs_the_second_factor_and_lands_on_the_dashboard(browser_page, signed_in_page):
    build_pool_2020()
    user = programme_team()
    browser_page.goto("/monitor/")
    assert "/inloggen/" in browser_page.url  # not signed in yet
    assert_accessible(browser_page)
    page = signed_in_page(user)
    assert page.url.endswith("/monitor/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard programmateam"


def test_the_dashboard_shows_the_2020_pool_and_a_filter_updates_it_in_place(signed_in_page):
    build_pool_2020()
    page = signed_in_page(programme_team())
    page.goto("/monitor/")
    totals = page.locator("#pool-totals")
    assert totals.locator('[data-total="fte"]').inner_text() == "6,0"
    assert totals.locator('[data-total="capacity"]').inner_text() == "72"
    assert page.locator('[data-over-capacity="true"]').count() == 2
    assert_accessible(page)

    page.evaluate("window.__sameDocument = true")  # survives only an in-place update
    page.get_by_label("Organisatie").select_option("om")
    page.wait_for_url("**organisatie=om**")
    totals.locator('[data-total="capacity"]').filter(has_text="6").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator("#pool-table tbody tr").count() == 1


def test_the_language_switch_turns_the_page_english(signed_in_page):
    build_pool_2020()
    page = signed_in_page(programme_team())
    page.goto("/monitor/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Programme team dashboard"
    expect(page.get_by_role("button", name="Nederlands")).to_be_visible()


def test_the_case_list_is_accessible(signed_in_page):
    build_pool_2020()
    page = signed_in_page(programme_team())
    page.goto("/casussen/")
    assert_accessible(page)
