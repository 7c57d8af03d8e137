"""The case workflows in Chromium, each checked by what the user sees afterwards: a plan
version written, advised by the ITAT-R and adopted; a case handed over by the programme
team; an exit decided by a PTO-R member in a meeting. (Logging an UVO: test_regisseur.py.)"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import Role
from cases.models import ExitProcedure, PlanVersion
from cases.views.workflow import HANDED_OVER
from ptor.models import MeetingForm, Presence
from ptor.services import agenda_adopt, attendance_record, case_items_add, meeting_prepare
from ptor.views import EXIT_APPROVED
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    RegisseurFactory,
    UserFactory,
    exit_advised_after_move,
)

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_role(user, role: Role):
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


def directed_case(**kwargs):
    regisseur = RegisseurFactory(**kwargs)
    with_role(regisseur.user, Role.REGISSEUR)
    return CaseFactory(regisseur=regisseur, access_on=True)


def in_form(page, step: str, name: str):
    """A field of the form on the page that posts ``stap=<step>``."""
    return page.locator(f'form:has(input[name="stap"][value="{step}"]) [name="{name}"]')


def test_a_plan_version_is_written_advised_and_adopted(signed_in_page):
    case = directed_case()
    wpi = OrganisationFactory(code="wpi", name="WPI")
    today = timezone.localdate()

    page = signed_in_page(case.regisseur.user)
    page.goto(f"/casussen/{case.pk}/plan/nieuw/")
    assert_accessible(page)
    page.locator('[name="concerns"]').fill("Uitingen die geweld rechtvaardigen.")
    page.locator('[name="goals"]').fill("Stabiele woonsituatie.")
    page.locator('[name="course"]').fill("Vertrouwen opbouwen.")
    page.locator('[name="joint_task"]').fill("Geen geweld, wel perspectief.")
    page.locator('[name="interventies-0-description"]').fill("Woonbegeleiding regelen")
    page.locator('[name="interventies-0-pillar"]').select_option("zorg")
    page.locator('[name="interventies-0-responsible_organisation"]').select_option(str(wpi.pk))
    page.locator('[name="interventies-0-deadline"]').fill(
        (today + datetime.timedelta(days=60)).isoformat()
    )
    page.get_by_role("button", name="Versie aanmaken").click()

    page.wait_for_url(f"**/casussen/{case.pk}/plan/*/")
    assert "Woonbegeleiding regelen" in page.locator("main").inner_text()
    assert_accessible(page)
    in_form(page, "advies", "given_on").fill(today.isoformat())
    in_form(page, "advies", "recommendation").select_option("positief")
    in_form(page, "advies", "advice").fill("Helder plan; let op de informatiepositie.")
    page.get_by_role("button", name="Advies vastleggen").click()
    page.get_by_text("Helder plan; let op de informatiepositie.").first.wait_for()

    in_form(page, "vaststellen", "adopted_on").fill(today.isoformat())
    page.get_by_role("button", name="Plan vaststellen").click()
    page.get_by_text("Versie 1 van het plan van aanpak is vastgesteld.").wait_for()
    assert PlanVersion.objects.get(case=case).adopted_on == today

    page.goto(f"/casussen/{case.pk}/?tab=plan")
    body = page.locator("main").inner_text()
    assert "Vastgesteld" in body
    assert "Helder plan; let op de informatiepositie." in body


def test_the_programme_team_hands_a_case_over(signed_in_page):
    case = directed_case()
    receiver = RegisseurFactory(user__first_name="Fenna", user__last_name="Overnemer")
    with_role(receiver.user, Role.REGISSEUR)
    team = with_role(UserFactory(), Role.PROGRAMME_TEAM)

    page = signed_in_page(team)
    page.goto(f"/casussen/{case.pk}/overdracht/")
    assert_accessible(page)
    choice = page.locator('[name="to_regisseur"] option', has_text="Fenna Overnemer")
    page.locator('[name="to_regisseur"]').select_option(choice.get_attribute("value"))
    page.locator('[name="on"]').fill(timezone.localdate().isoformat())
    page.locator('[name="reason"]').fill("Regisseur langdurig afwezig.")
    page.get_by_role("button", name="Overdracht vastleggen").click()

    page.get_by_text(str(HANDED_OVER)).wait_for()
    assert page.url.endswith(f"/casussen/{case.pk}/?tab=team#assignments")
    history = page.locator('section[aria-labelledby="assignments"]').inner_text()
    assert "Fenna Overnemer" in history
    assert "Regisseur langdurig afwezig." in history
    case.refresh_from_db()
    assert case.regisseur == receiver


def test_a_pto_r_member_approves_an_exit_in_a_meeting(signed_in_page):
    case = directed_case()
    author = UserFactory()
    today = timezone.localdate()
    procedure = exit_advised_after_move(
        case, by=author, planned_on=today, proposed_on=today, advised_on=today
    )
    member = with_role(
        UserFactory(organisation=OrganisationFactory(code="om", name="OM")), Role.PTO_R
    )
    secretary = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    meeting = meeting_prepare(date=today, form=MeetingForm.IN_PERSON, by=secretary)
    (item,) = case_items_add(meeting=meeting, by=secretary)
    agenda_adopt(meeting=meeting, by=secretary)
    attendance_record(
        meeting=meeting,
        presences={a.pk: Presence.PRESENT for a in meeting.attendances.all()},
        by=secretary,
    )

    page = signed_in_page(member)
    page.goto(f"/pto-r/{meeting.pk}/")
    proposal = page.locator("article", has_text=case.number)
    assert "Verhuisd naar Utrecht; warme overdracht aan de gemeente." in proposal.inner_text()
    assert_accessible(page)
    proposal.locator(f'[name="decide{item.pk}-decision"]').select_option(
        ExitProcedure.Decision.APPROVED
    )
    proposal.locator(f'[name="decide{item.pk}-reasoning"]').fill("Overdracht aan Utrecht geregeld.")
    proposal.get_by_role("button", name="Besluit over uitstroom vastleggen").click()

    page.get_by_text(EXIT_APPROVED % {"case": item.title}).wait_for()
    procedure.refresh_from_db()
    assert procedure.decision == ExitProcedure.Decision.APPROVED
