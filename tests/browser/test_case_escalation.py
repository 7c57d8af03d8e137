"""A stuck case and a buddy taking over, in Chromium, each checked on the page
afterwards (docs/rules.md R-CASE-11, R-CASE-5, R-POOL-5): the regisseur records that
the case is stuck, a consultation and a doorbraakoverleg; the programme team sees the
case on its dashboard's list of stuck cases; the buddy takes the case over with a new
buddy named in the same step."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import Role
from cases.models import Escalation, EscalationStatus, Meeting
from cases.views.workflow import HANDED_OVER
from tests.factories import CaseFactory, RegisseurFactory, UserFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_role(user, role: Role):
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


def regisseur_named(first: str, last: str):
    regisseur = RegisseurFactory(user__first_name=first, user__last_name=last)
    with_role(regisseur.user, Role.REGISSEUR)
    return regisseur


def test_a_stuck_case_escalates_to_a_doorbraakoverleg_shown_on_the_dashboard(signed_in_page):
    regisseur = regisseur_named("Rens", "Regisseur")
    case = CaseFactory(regisseur=regisseur, phase2=True, access_on=True)
    today = timezone.localdate().isoformat()

    page = signed_in_page(regisseur.user)
    page.goto(f"/casussen/{case.pk}/")
    # The case page links to it (in its action menu).
    link = page.locator('a[data-action="escalation"]').first
    assert link.get_attribute("href") == f"/casussen/{case.pk}/vastgelopen/"
    page.goto(f"/casussen/{case.pk}/vastgelopen/")
    assert_accessible(page)
    page.locator('[name="stuck_since"]').fill(today)
    page.locator('[name="what_is_stuck"]').fill("De persoon weigert elk contact.")
    page.locator('[name="team_attempts"]').fill("Huisbezoek met de wijkagent; brief.")
    page.get_by_role("button", name="Vastlopen vastleggen").click()
    page.wait_for_url(f"**/casussen/{case.pk}/?tab=vastgelopen*")
    assert "Huisbezoek met de wijkagent; brief." in page.locator("main").inner_text()

    for kind, participants, outcome in (
        ("itat_r", "ITAT-R", "Advies: doorbraakoverleg met de school erbij."),
        ("doorbraak", "Regisseur, ITAT-R, school", "De school neemt het contact over."),
    ):
        page.get_by_role("link", name="Volgende stap vastleggen").click()
        assert_accessible(page)
        page.locator('[name="kind"]').select_option(kind)
        page.locator('[name="held_on"]').fill(today)
        page.locator('[name="participants"]').fill(participants)
        page.locator('[name="outcome"]').fill(outcome)
        page.get_by_role("button", name="Stap vastleggen").click()
        page.wait_for_url(f"**/casussen/{case.pk}/?tab=vastgelopen*")
        assert outcome in page.locator("main").inner_text()

    escalation = Escalation.objects.get(case=case)
    assert escalation.status == EscalationStatus.BREAKTHROUGH
    assert case.meetings.filter(kind=Meeting.Kind.BREAKTHROUGH).exists()

    team = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    page = signed_in_page(team)
    page.goto("/monitor/")
    stuck = page.locator(f'[data-stuck-case="{case.number}"]')
    assert "Doorbraakoverleg gehouden" in stuck.inner_text()
    assert "De persoon weigert elk contact." not in page.locator("main").inner_text()
    stuck.get_by_role("link").click()
    page.wait_for_url(f"**/casussen/{case.pk}/?tab=vastgelopen*")
    assert "De school neemt het contact over." in page.locator("main").inner_text()


def test_the_buddy_takes_over_with_a_new_buddy_named(signed_in_page):
    regisseur = regisseur_named("Rens", "Regisseur")
    buddy = regisseur_named("Bo", "Buddy")
    regisseur_named("Nina", "Nieuwebuddy")
    case = CaseFactory(regisseur=regisseur, buddy=buddy, phase2=True, access_on=True)
    team = with_role(UserFactory(), Role.PROGRAMME_TEAM)

    page = signed_in_page(team)
    page.goto(f"/casussen/{case.pk}/overdracht/")
    assert_accessible(page)
    for name, who in (("to_regisseur", "Bo Buddy"), ("new_buddy", "Nina Nieuwebuddy")):
        choice = page.locator(f'[name="{name}"] option', has_text=who)
        page.locator(f'[name="{name}"]').select_option(choice.get_attribute("value"))
    page.locator('[name="on"]').fill(timezone.localdate().isoformat())
    page.locator('[name="reason"]').fill("Regisseur vertrekt; de buddy neemt over.")
    page.get_by_role("button", name="Overdracht vastleggen").click()

    page.get_by_text(str(HANDED_OVER)).wait_for()
    history = page.locator('section[aria-labelledby="assignments"]').inner_text()
    assert "Bo Buddy" in history
    assert "Nina Nieuwebuddy" in history
    case.refresh_from_db()
    assert (case.regisseur, case.buddy.user.last_name) == (buddy, "Nieuwebuddy")
