"""axe-core on every page a user can reach, derived from the permission matrix.

Every GET row of ``tests/permissions/matrix.py`` that answers 200 for some role is a
page: it is opened in Chromium by one role that may see it (signed in through the real
two-factor form) and scanned for serious or critical WCAG 2.1 AA violations. A new URL
needs a matrix row, so a new page is scanned without anyone listing it here; only
responses that are not HTML pages are named below, and the test checks they are not.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from accounts.services import backup_codes_replace
from tests.factories import UserFactory
from tests.permissions.matrix import ALL_ROWS, PEOPLE
from tests.permissions.world import ANONYMOUS

from .conftest import BACKUP_CODE, PASSWORD, assert_accessible, enter_password, enter_second_factor

pytestmark = pytest.mark.browser

# 200 answers that are not HTML pages (downloads and machine-readable documents).
NOT_PAGES = {
    "healthz": "the orchestrator's probe: plain text",
    "audit:log_export": "a CSV download",
    "cases:export": "a CSV download",
    "audit:subject_access_export": "a JSON download",
    "documents:download": "a case document, as an attachment",
    "ptor:minutes_download": "the adopted minutes of a PTO-R meeting: a PDF",
    "admin:jsi18n": "the admin's JavaScript catalogue",
    "api:schema": "the OpenAPI document (YAML)",
    "api:webhook-delivery-list": "a JSON API resource",
}

# Who scans: the role order in which a page is given to the first role that sees it.
ORDER = (ANONYMOUS, *PEOPLE)


def answers(expected: object) -> tuple[object, object]:
    """(own, other) answers of a matrix cell; a set of allowed codes counts as 200 if it may be."""
    codes = expected if isinstance(expected, tuple) else (expected, expected)
    return tuple(200 if isinstance(c, frozenset) and 200 in c else c for c in codes)  # type: ignore[return-value]


def page_plan() -> dict[str, list[tuple[str, str]]]:
    """For each role, the (row key, own|other) of the pages it scans (and of the rows
    named in NOT_PAGES, which it checks are not HTML). Each row once."""
    plan: dict[str, list[tuple[str, str]]] = {role: [] for role in ORDER}
    for key, row in sorted(ALL_ROWS.items()):
        if row.method != "get":
            continue
        for role in ORDER:
            codes = answers(row.expect.get(role))
            own_other = zip(("own", "other"), codes, strict=True)
            which = next((w for w, c in own_other if c == 200), "")
            if which:
                plan[role].append((key, which))
                break
    return plan


PLAN = page_plan()


def test_the_plan_covers_every_page_of_the_matrix():
    """Every GET row answering 200 to someone is scanned, or named as not a page."""
    planned = {key for pages in PLAN.values() for key, _ in pages}
    reachable = {
        key
        for key, row in ALL_ROWS.items()
        if row.method == "get" and any(200 in answers(row.expect.get(role)) for role in ORDER)
    }
    assert sorted(reachable - planned) == []
    assert set(NOT_PAGES) <= reachable, "NOT_PAGES names a row nobody reaches"
    # The pages of each part of the UI are there (a guard against an empty plan).
    for name in ("monitoring:dashboard", "cases:detail", "cases:exit_decisions", "audit:log"):
        assert name in planned


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [role for role in ORDER if PLAN[role]])
def test_every_page_is_accessible(role, world, browser_page, signed_in_page):
    page = browser_page if role == ANONYMOUS else signed_in_page(world.users[role])
    problems: list[str] = []
    for key, which in PLAN[role]:
        url = ALL_ROWS[key].url(world, which)
        if key in NOT_PAGES:  # a download or a document: fetched, not opened
            fetched = page.request.get(url)
            # healthz answers 503 while no worker runs
            if fetched.status not in (200, 503) or "text/html" in fetched.headers["content-type"]:
                problems.append(f"{key} {url}: {fetched.status}, expected {NOT_PAGES[key]}")
            continue
        response = page.goto(url)
        status = response.status if response else None
        kind = (response.headers.get("content-type", "") if response else "").split(";")[0]
        if status != 200 or kind != "text/html":
            problems.append(f"{key} {url}: {status} {kind}, expected an HTML page")
            continue
        # At a desktop width and at a phone's (the layout test checks the same pages
        # for overflow and invisible controls at both).
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 800})
            try:
                assert_accessible(page)
            except AssertionError as error:
                problems.append(f"{key} at {width} px: {error}")
        page.set_viewport_size({"width": 1280, "height": 800})
    assert problems == [], f"{len(problems)} of {len(PLAN[role])} pages:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_the_pages_between_and_beside_the_matrix_rows_are_accessible(browser_page):
    """The second-factor form (reached only half signed in), and the refusal and
    not-found pages every role can run into."""
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=Role.REGISSEUR.value)[0])
    backup_codes_replace(user=user, codes=[BACKUP_CODE])
    page = browser_page
    page.goto("/inloggen/")
    enter_password(page, user.username, PASSWORD)
    assert_accessible(page)
    enter_second_factor(page, BACKUP_CODE)

    refused = page.goto("/monitor/")  # the programme team's dashboard
    assert refused is not None and refused.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    assert_accessible(page)
    missing = page.goto("/casussen/999999999/")
    assert missing is not None and missing.status == 404
    assert_accessible(page)
