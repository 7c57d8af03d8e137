"""A new case's whole lifecycle in Chromium, each step done in the browser by the user of
the role that does it and checked on the page afterwards: the programme team registers
the case, weighs it, assigns a regisseur and buddy and records the notification letter;
the regisseur adds a partner with an account to the intervention team (who then reads
the case), logs the first UVO, writes the plan, records ITAT-R's advice, adopts it,
moves the case to phase 2, records an evaluation, moves it to phase 3 (the exit
process), proposes the exit at its end and records ITAT-R's advice on the proposal; a
PTO-R member decides it in PTO-R's meeting."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import Role
from cases.models import Case, CaseStatus, ExitProcedure, Phase
from ptor.models import MeetingForm, Presence
from ptor.services import agenda_adopt, attendance_record, case_items_add, meeting_prepare
from tests.factories import OrganisationFactory, RegionFactory, RegisseurFactory, UserFactory

from .conftest import BACKUP_CODE, PASSWORD, assert_accessible, sign_in_through_forms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_BSN = "111222333"  # passes the elfproef


@pytest.fixture
def page_for(browser: Any, live_server: Any) -> Iterator[Callable[[Any], Any]]:
    """A page of its own, signed in through the real forms, for each user."""
    from accounts.services import backup_codes_replace

    contexts: list[Any] = []

    def sign_in(user: Any) -> Any:
        backup_codes_replace(user=user, codes=[BACKUP_CODE])
        context = browser.new_context(base_url=live_server.url, locale="nl-NL")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in_through_forms(page, user.username, PASSWORD, BACKUP_CODE)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def choose(page: Any, field: str, text: str) -> None:
    """Select the option of ``field`` whose label holds ``text``."""
    option = page.locator(f'[name="{field}"] option', has_text=text)
    page.locator(f'[name="{field}"]').select_option(option.get_attribute("value"))


def primary_action(page: Any) -> str:
    return page.locator("[data-primary-action]").get_attribute("data-primary-action")


def main_text(page: Any) -> str:
    return page.locator("main").inner_text()


def test_a_new_case_goes_from_aanmelding_to_the_pto_r_decision(page_for):
    today = timezone.localdate()
    day = today.isoformat()
    region = RegionFactory(name="Amsterdam")
    politie = OrganisationFactory(code="politie", name="Politie")
    wpi = OrganisationFactory(code="wpi", name="WPI")
    ggd = OrganisationFactory(code="ggd", name="GGD")
    partner = UserFactory(
        first_name="Pim", last_name="Partner", organisation=ggd, roles=[Role.TEAM_MEMBER]
    )
    team = UserFactory(roles=[Role.PROGRAMME_TEAM])
    regisseur = RegisseurFactory(
        user__first_name="Rosa", user__last_name="Regisseur", user__roles=[Role.REGISSEUR]
    )
    RegisseurFactory(user__first_name="Bram", user__last_name="Buddy", user__roles=[Role.REGISSEUR])
    pto_r = UserFactory(roles=[Role.PTO_R])

    # --- the programme team: aanmelding ---
    office = page_for(team)
    office.goto("/casussen/")
    office.locator("[data-register-case]").click()
    office.wait_for_url("**/casussen/aanmelden/")
    assert_accessible(office)
    office.locator('[name="number"]').fill("LEVEN-2026-001")
    office.locator('[name="region"]').select_option(str(region.pk))
    office.locator('[name="registered_on"]').fill(day)
    office.locator('[name="referred_by"]').select_option(str(politie.pk))
    office.locator('[name="first_name"]').fill("Sam")
    office.locator('[name="last_name"]').fill("Voorbeeld")
    office.locator('[name="date_of_birth"]').fill("1999-05-17")
    office.locator('[name="bsn"]').fill(VALID_BSN)
    office.locator('[name="interpretation"]').fill("Signalen van radicalisering, geduid.")
    office.locator('[name="preliminary_findings"]').fill("Gesprekken met school en wijkteam.")
    office.get_by_role("button", name="Casus aanmelden").click()
    office.get_by_text("Casus LEVEN-2026-001 is aangemeld.").wait_for()
    case = Case.objects.get(number="LEVEN-2026-001")
    assert case.status == CaseStatus.REGISTERED
    assert primary_action(office) == "assessment"

    # --- the programme team: the weighing finds both criteria ---
    office.locator('[data-primary-action="assessment"]').click()
    office.locator('[name="assessed_on"]').fill(day)
    office.locator('[name="care_criterion"]').check()
    office.locator('[name="safety_criterion"]').check()
    office.locator('[name="risk_level"]').select_option("midden")
    office.locator('[name="reasoning"]').fill("Zorgen op leefgebieden en geweldsbereidheid.")
    office.get_by_role("button", name="Weging vastleggen").click()
    office.get_by_text("De weging is vastgelegd.").wait_for()

    # --- the programme team: regisseur and buddy ---
    office.goto(f"/casussen/{case.pk}/")
    assert primary_action(office) == "assign"
    office.locator('[data-primary-action="assign"]').click()
    office.wait_for_url(f"**/casussen/{case.pk}/toewijzen/")
    rosa = office.locator('[name="regisseur"] option', has_text="Rosa Regisseur")
    assert "12 van 12 plaatsen vrij" in rosa.inner_text()
    assert_accessible(office)
    choose(office, "regisseur", "Rosa Regisseur")
    choose(office, "buddy", "Bram Buddy")
    office.locator('[name="on"]').fill(day)
    office.locator('[name="reason"]').fill("Ruimte in de caseload; past bij de regio.")
    office.get_by_role("button", name="Toewijzen").click()
    office.get_by_text("De regisseur en de buddy zijn toegewezen.").wait_for()
    assert "Rosa Regisseur" in main_text(office)

    # --- the programme team: the notificatiebrief ---
    office.goto(f"/casussen/{case.pk}/")
    assert primary_action(office) == "notification"
    office.locator('[data-primary-action="notification"]').click()
    assert_accessible(office)
    office.locator('[name="signed_on"]').fill(day)
    office.locator('[name="signed_by"]').fill("Burgemeester van Amsterdam")
    office.get_by_role("button", name="Notificatiebrief vastleggen").click()
    office.get_by_text("De notificatiebrief is vastgelegd: de casus is in fase 1.").wait_for()
    case.refresh_from_db()
    assert (case.status, case.phase) == (CaseStatus.IN_REGIE, Phase.CONTACT)

    # --- the regisseur: the intervention team, with a partner who has an account ---
    director = page_for(regisseur.user)
    director.goto(f"/casussen/{case.pk}/team/")
    director.locator('[name="name"]').fill("Pim Partner")
    director.locator('[name="organisation"]').select_option(str(ggd.pk))
    director.locator('[name="role"]').fill("Zorgcoördinator")
    choice = director.locator('[name="user"] option', has_text="Pim Partner")
    director.locator('[name="user"]').select_option(choice.get_attribute("value"))
    director.locator('[name="sharing_basis"]').fill("Zwaarwegend belang: zorgcoördinatie GGD.")
    director.get_by_role("button", name="Teamlid toevoegen").click()
    director.get_by_text("Zwaarwegend belang: zorgcoördinatie GGD.").wait_for()
    reader = page_for(partner)
    reader.goto(f"/casussen/{case.pk}/")
    assert case.number in main_text(reader)

    # --- the regisseur: first UVO ---
    director.goto(f"/casussen/{case.pk}/uvo/")
    director.locator('[name="held_on"]').fill(day)
    director.locator('textarea[name="decisions"]').fill("Woonbegeleiding aanvragen.")
    director.locator('input[name="deelnemers-0-name"]').fill("Jan Voorbeeld")
    director.locator('select[name="deelnemers-0-organisation"]').select_option(str(wpi.pk))
    director.get_by_role("button", name="UVO vastleggen").click()
    director.wait_for_url(f"**/casussen/{case.pk}/**")
    assert "Woonbegeleiding aanvragen." in main_text(director)

    # --- the regisseur: the plan, ITAT-R's advice, adoption ---
    director.goto(f"/casussen/{case.pk}/plan/nieuw/")
    director.locator('[name="concerns"]').fill("Uitingen die geweld rechtvaardigen.")
    director.locator('[name="goals"]').fill("Stabiele woonsituatie.")
    director.locator('[name="course"]').fill("Vertrouwen opbouwen.")
    director.locator('[name="joint_task"]').fill("Geen geweld, wel perspectief.")
    director.locator('[name="interventies-0-description"]').fill("Woonbegeleiding regelen")
    director.locator('[name="interventies-0-pillar"]').select_option("zorg")
    director.locator('[name="interventies-0-responsible_organisation"]').select_option(str(wpi.pk))
    director.locator('[name="interventies-0-deadline"]').fill(
        (today + datetime.timedelta(days=60)).isoformat()
    )
    director.get_by_role("button", name="Versie aanmaken").click()
    director.wait_for_url(f"**/casussen/{case.pk}/plan/*/")

    def plan_form(step: str, name: str) -> Any:
        return director.locator(f'form:has(input[name="stap"][value="{step}"]) [name="{name}"]')

    plan_form("advies", "given_on").fill(day)
    plan_form("advies", "recommendation").select_option("positief")
    plan_form("advies", "advice").fill("Helder plan; let op de informatiepositie.")
    director.get_by_role("button", name="Advies vastleggen").click()
    director.get_by_text("Helder plan; let op de informatiepositie.").first.wait_for()
    plan_form("vaststellen", "adopted_on").fill(day)
    director.get_by_role("button", name="Plan vaststellen").click()
    director.get_by_text("Versie 1 van het plan van aanpak is vastgesteld.").wait_for()

    def change_phase(to: Phase, reason: str) -> None:
        director.goto(f"/casussen/{case.pk}/fase/")
        director.locator('[name="to_phase"]').select_option(str(int(to)))
        director.locator('[name="on"]').fill(day)
        director.locator('[name="reason"]').fill(reason)
        director.get_by_role("button", name="Fase wijzigen").click()
        director.get_by_text(f"De casus is nu in {to.label}.").wait_for()

    # --- the regisseur: phase 2, an evaluation ---
    change_phase(Phase.EXECUTION, "Plan vastgesteld; uitvoering begint.")
    director.goto(f"/casussen/{case.pk}/evaluatie/")
    director.locator('[name="kind"]').select_option("maandelijks")
    director.locator('[name="held_on"]').fill(day)
    director.locator('[name="findings"]').fill("Woonsituatie stabiel; geen dreiging meer.")
    director.locator('[name="risk_level"]').select_option("laag")
    director.locator('[name="reasoning"]').fill("Geen zorgproblemen en geen risico meer.")
    director.get_by_role("button", name="Evaluatie vastleggen").click()
    director.get_by_text("De evaluatie is vastgelegd.").wait_for()
    assert "Woonsituatie stabiel; geen dreiging meer." in main_text(director)

    # --- the regisseur: phase 3 (the exit process), the exit proposal at its end ---
    change_phase(Phase.EXIT, "Afschalen en warme overdracht regelen.")
    director.goto(f"/casussen/{case.pk}/uitstroom/")
    director.locator('[name="ground"]').select_option("risico_zorg_weg")
    director.locator('[name="team_judgement"]').fill("Het team acht uitstroom verantwoord.")
    director.locator('[name="on"]').fill(day)
    director.get_by_role("button", name="Voorstel vastleggen").click()
    director.get_by_text("Het uitstroomvoorstel is vastgelegd.").wait_for()
    procedure = ExitProcedure.objects.get(case=case)

    # --- the regisseur records ITAT-R's advice on the proposal ---
    director.goto(f"/casussen/{case.pk}/uitstroom/{procedure.pk}/advies/")
    director.locator('[name="given_on"]').fill(day)
    director.locator('[name="recommendation"]').select_option("positief")
    director.locator('[name="advice"]').fill("Akkoord met uitstroom.")
    director.get_by_role("button", name="Advies vastleggen").click()
    director.wait_for_url(f"**/casussen/{case.pk}/**")
    assert "Akkoord met uitstroom." in main_text(director)

    # --- PTO-R decides in its meeting (prepared by the programme team) ---
    meeting = meeting_prepare(date=today, form=MeetingForm.IN_PERSON, by=team)
    (item,) = case_items_add(meeting=meeting, by=team)
    agenda_adopt(meeting=meeting, by=team)
    attendance_record(
        meeting=meeting,
        presences={a.pk: Presence.PRESENT for a in meeting.attendances.all()},
        by=team,
    )
    member = page_for(pto_r)
    member.goto(f"/pto-r/{meeting.pk}/")
    proposal = member.locator("article", has_text=case.number)
    assert "Het team acht uitstroom verantwoord." in proposal.inner_text()
    proposal.locator(f'[name="decide{item.pk}-decision"]').select_option(
        ExitProcedure.Decision.APPROVED
    )
    proposal.locator(f'[name="decide{item.pk}-reasoning"]').fill(
        "Risico en zorgbehoefte weggenomen."
    )
    proposal.get_by_role("button", name="Besluit over uitstroom vastleggen").click()
    member.locator('[data-exit-decision="akkoord"]').wait_for()

    case.refresh_from_db()
    assert (case.status, case.exited_on) == (CaseStatus.EXITED, today)
    office.goto(f"/casussen/{case.pk}/")
    assert "Uitgestroomd" in main_text(office)
