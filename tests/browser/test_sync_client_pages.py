"""The functional administrator connects a registration system in Chromium: a sync
client, a token issued and used against the API, then revoked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import ApiToken
from accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_is_issued_used_against_the_api_and_revoked(signed_in_page):
    OrganisationFactory(name="Gemeente Amsterdam – OOV")
    admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    page = signed_in_page(admin)

    page.goto("/")
    page.get_by_role("link", name="Koppelingen").first.click()
    assert_accessible(page)
    page.get_by_label("Naam van de koppeling").fill("VeHaA")
    page.get_by_label("Organisatie").select_option(label="Gemeente Amsterdam – OOV")
    page.get_by_role("button", name="Koppeling aanmaken").click()

    page.get_by_label("Naam van het token").fill("productie")
    page.get_by_label("cases", exact=True).select_option("read")
    assert_accessible(page)
    page.get_by_role("button", name="Token uitgeven").click()
    key = page.get_by_label("Het token", exact=True).input_value()
    expect(page.get_by_text("Het wordt nergens bewaard")).to_be_visible()

    headers = {"Authorization": f"Token {key}"}
    assert page.request.get("/api/v1/cases/", headers=headers).status == 200
    # Read only: the token may not write.
    assert page.request.post("/api/v1/cases/", headers=headers, data={}).status == 403

    page.get_by_role("link", name="Terug naar de koppelingen").click()
    row = page.get_by_role("row", name="productie")
    assert "nooit" not in row.inner_text()  # its use is shown
    row.get_by_role("button", name="Token productie intrekken").click()
    expect(page.get_by_text("is ingetrokken").first).to_be_visible()
    assert page.request.get("/api/v1/cases/", headers=headers).status == 401
    assert ApiToken.objects.get().revoked_by == admin
