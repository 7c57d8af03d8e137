"""Browser fixtures: Playwright's sync API driving Debian's Chromium against the live server.

Reuse them for any page: ``browser_page`` (a fresh page), ``signed_in_page(user)``
(signs in through the real password and two-factor forms with a backup code) and
``assert_accessible(page)`` (axe-core: no serious or critical WCAG 2.1 AA violation).
Signing in on a page of one's own goes through ``sign_in_through_forms`` (or its two
steps, ``enter_password`` and ``enter_second_factor``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test body (building data) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-staple"  # tests.factories.UserFactory sets it
BACKUP_CODE = "browsertest1"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def world() -> Any:
    """The permission matrix's world (tests/permissions/world.py), for the scans of every page."""
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from tests.permissions.world import build_world

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return build_world()


@pytest.fixture
def signed_in_page(browser_page: Any) -> Callable[[Any], Any]:
    """Signs ``user`` in through the sign-in form and the second-factor form."""
    from accounts.services import backup_codes_replace

    def sign_in(user: Any) -> Any:
        backup_codes_replace(user=user, codes=[BACKUP_CODE])
        sign_in_through_forms(browser_page, user.username, PASSWORD, BACKUP_CODE)
        return browser_page

    return sign_in


def sign_in_through_forms(page: Any, username: str, password: str, code: str) -> None:
    """Sign in as a person does: the sign-in form, then the second-factor form."""
    page.goto("/inloggen/")
    enter_password(page, username, password)
    enter_second_factor(page, code)


def enter_password(page: Any, username: str, password: str) -> None:
    """Fill in and send the sign-in form shown; the second-factor form follows."""
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tweestaps/**")


def enter_second_factor(page: Any, code: str) -> None:
    """Fill in and send the second-factor form shown, with a backup code."""
    page.locator('input[name="token"]').fill(code)
    page.get_by_role("button", name="Verifiëren").click()
    page.wait_for_load_state()


def assert_accessible(page: Any) -> None:
    """axe-core on the current page: no serious or critical WCAG 2.0/2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: " + "\n".join(bad)
