"""Changes along the way in Chromium, each checked by what the user sees afterwards: a
regisseur adds a partner with an ipgar account to the intervention team, and that
partner then reads the case; a move recorded from the case page opens the exit
procedure at once, in phase 1."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import Role
from accounts.services import backup_codes_replace
from cases.models import ExitGround, ExitProcedure
from cases.views.changes import MOVE_RECORDED, TEAM_MEMBER_ADDED
from tests.factories import CaseFactory, OrganisationFactory, RegisseurFactory, UserFactory

from .conftest import BACKUP_CODE, PASSWORD, assert_accessible, sign_in_through_forms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_role(user, role: Role):
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


def directed_case():
    regisseur = RegisseurFactory()
    with_role(regisseur.user, Role.REGISSEUR)
    return CaseFactory(regisseur=regisseur, access_on=True)


def sign_in(page, user) -> None:
    """Through the real sign-in and second-factor forms, on a page of its own."""
    backup_codes_replace(user=user, codes=[BACKUP_CODE])
    sign_in_through_forms(page, user.username, PASSWORD, BACKUP_CODE)


def test_a_partner_added_with_an_account_reads_the_case(signed_in_page, browser, live_server):
    case = directed_case()
    ggd = OrganisationFactory(code="ggd", name="GGD")
    partner = with_role(
        UserFactory(first_name="Pim", last_name="Partner", organisation=ggd), Role.TEAM_MEMBER
    )

    partner_context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    partner_page = partner_context.new_page()
    partner_page.set_default_timeout(15_000)
    sign_in(partner_page, partner)
    before = partner_page.goto(f"/casussen/{case.pk}/")
    assert before is not None and before.status == 404

    page = signed_in_page(case.regisseur.user)
    page.goto(f"/casussen/{case.pk}/?tab=team")
    page.get_by_role("link", name="Interventieteam bijwerken").first.click()
    page.wait_for_url(f"**/casussen/{case.pk}/team/")
    assert_accessible(page)
    page.locator('[name="name"]').fill("Pim Partner")
    page.locator('[name="organisation"]').select_option(str(ggd.pk))
    page.locator('[name="role"]').fill("Zorgcoördinator")
    choice = page.locator('[name="user"] option', has_text="Pim Partner")
    page.locator('[name="user"]').select_option(choice.get_attribute("value"))
    page.locator('[name="sharing_basis"]').fill("Zwaarwegend belang: zorgcoördinatie GGD.")
    page.get_by_role("button", name="Teamlid toevoegen").click()

    page.get_by_text(str(TEAM_MEMBER_ADDED % {"name": "Pim Partner"})).wait_for()
    members = page.locator('section[aria-labelledby="members"]').inner_text()
    assert "Zwaarwegend belang: zorgcoördinatie GGD." in members
    assert case.team_members.get().user == partner

    after = partner_page.goto(f"/casussen/{case.pk}/")
    assert after is not None and after.status == 200
    assert case.number in partner_page.locator("main").inner_text()
    partner_context.close()


def test_a_move_opens_the_exit_procedure_at_once(signed_in_page):
    case = directed_case()  # phase 1: no plan yet, no team judgement
    today = timezone.localdate()

    page = signed_in_page(case.regisseur.user)
    page.goto(f"/casussen/{case.pk}/")
    page.locator("summary", has_text="Meer acties").click()
    page.get_by_role("link", name="Verhuizing vastleggen").click()
    page.wait_for_url(f"**/casussen/{case.pk}/verhuizing/")
    assert_accessible(page)
    page.locator('[name="abroad"]').select_option("nee")
    page.locator('[name="destination"]').fill("Utrecht")
    page.locator('[name="municipality_contact"]').fill(
        "Gesprek met het Veiligheidshuis Utrecht; warme overdracht afgesproken."
    )
    page.locator('[name="moved_on"]').fill(today.isoformat())
    page.get_by_role("button", name="Verhuizing vastleggen").click()

    ground = str(ExitGround.MOVED_NL.label)
    page.get_by_text(str(MOVE_RECORDED % {"ground": ground})).wait_for()
    assert "?tab=uitstroom" in page.url
    exits = page.locator('section[aria-labelledby="exits"]').inner_text()
    assert ground in exits
    assert "Gesprek met het Veiligheidshuis Utrecht" in exits
    procedure = ExitProcedure.objects.running().get(case=case)
    assert procedure.municipality_contact.startswith("Gesprek met het Veiligheidshuis")
