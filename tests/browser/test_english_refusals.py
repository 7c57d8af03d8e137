"""The English UI shows the services' refusals in English: ten different rules on ten
forms, each triggered in Chromium by the programme team with the language set to
English, and each message checked against its English translation (and the Dutch
text absent)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from accounts.roles import Role
from cases.access import case_access_sync
from cases.models import Case, CaseStatus, ExitGround
from cases.services.assessments import ASSESSMENT_IN_FUTURE
from cases.services.evaluations import EVALUATION_IN_FUTURE
from cases.services.exits import EXIT_HANDOVER_NEEDS_ORGANISATION
from cases.services.meetings import MEETING_IN_FUTURE
from cases.services.phases import PHASE_2_NEEDS_ADOPTED_PLAN
from kernel.errors import STALE_RECORD
from pool.services import (
    ABSENCE_PERIOD_REVERSED,
    FTE_BELOW_PARTNER_MINIMUM,
    SERIES_INCOMPLETE,
)
from tests.factories import CaseFactory, OrganisationFactory, RegisseurFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_role(user, role: Role):
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    return user


def submit(page: Any, path: str, values: dict[str, object]) -> str:
    """Open the form page, fill the form holding the first field, post it without the
    browser's own checks (the service is to refuse, not the date picker), and return
    the main region's text."""
    page.goto(path)
    first = next(iter(values))
    form = page.locator(f'form:has([name="{first}"])').first
    for name, value in values.items():
        field = form.locator(f'[name="{name}"]').first
        kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : (e.type || '')")
        if kind == "select":
            field.select_option(str(value))
        elif kind == "radio":
            form.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            field.set_checked(bool(value))
        elif kind == "hidden":
            field.evaluate("(e, v) => { e.value = v; }", str(value))
        else:
            field.fill(str(value))
    with page.expect_navigation():
        form.evaluate("f => f.submit()")
    return page.locator("main").inner_text()


def english_and_dutch(message: Any) -> tuple[str, str]:
    with translation.override("en"):
        english = str(message)
    with translation.override("nl"):
        dutch = str(message)
    assert english != dutch, f"no English translation of {dutch!r}"
    return english, dutch


def test_ten_refusals_are_shown_in_english(signed_in_page, live_server):
    today = timezone.localdate()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    wpi = OrganisationFactory(code="wpi", name="WPI")
    lead = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    regisseur = RegisseurFactory()
    with_role(regisseur.user, Role.REGISSEUR)
    in_phase_1 = CaseFactory(regisseur=regisseur)
    in_phase_2 = CaseFactory(regisseur=regisseur, phase2=True)
    full = RegisseurFactory(fte=Decimal("0.5"))
    with_role(full.user, Role.REGISSEUR)
    for number in range(6):
        Case.objects.create(
            number=f"VOL-{number}",
            region=in_phase_1.region,
            registered_on=in_phase_1.registered_on,
            phase_since=in_phase_1.registered_on,
            status=CaseStatus.REGISTERED,
            regisseur=full,
            buddy=in_phase_1.buddy,
        )
    for case in (in_phase_1, in_phase_2):
        case_access_sync(case=case)
    newcomer = UserFactory(organisation=wpi)

    page = signed_in_page(lead)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    c1, c2 = f"/casussen/{in_phase_1.pk}", f"/casussen/{in_phase_2.pk}"
    refusals: list[tuple[str, Any, str, dict[str, object]]] = [
        (
            "UVO rule",
            MEETING_IN_FUTURE,
            f"{c1}/uvo/",
            {
                "kind": "eerste_uvo",
                "held_on": tomorrow,
                "decisions": "Woonbegeleiding aanvragen.",
                "deelnemers-0-name": "Jan Voorbeeld",
                "deelnemers-0-organisation": wpi.pk,
            },
        ),
        (
            "phase rule",
            PHASE_2_NEEDS_ADOPTED_PLAN,
            f"{c1}/fase/",
            {"to_phase": 2, "on": today.isoformat(), "reason": "Door"},
        ),
        (
            "stale write",
            STALE_RECORD,
            f"{c1}/fase/",
            {"revision": in_phase_1.revision + 7, "to_phase": 2, "on": today, "reason": "Door"},
        ),
        (
            "exit rule",
            EXIT_HANDOVER_NEEDS_ORGANISATION,
            f"{c2}/uitstroom/",
            {
                "ground": ExitGround.CARE_HANDED_OVER,
                "team_judgement": "Zorg is geborgd.",
                "on": today.isoformat(),
            },
        ),
        (
            "evaluation rule",
            EVALUATION_IN_FUTURE,
            f"{c2}/evaluatie/",
            {
                "kind": "maandelijks",
                "held_on": tomorrow,
                "findings": "Gaat goed.",
                "risk_level": "midden",
                "reasoning": "Opnieuw gewogen.",
            },
        ),
        (
            "assessment rule",
            ASSESSMENT_IN_FUTURE,
            f"{c2}/weging/",
            {"assessed_on": tomorrow, "risk_level": "midden", "reasoning": "Gewogen."},
        ),
        (
            "pool rule",
            FTE_BELOW_PARTNER_MINIMUM,
            "/pool/toevoegen/",
            {
                "user": newcomer.pk,
                "organisation": wpi.pk,
                "fte": "0.3",
                "active_from": today.isoformat(),
            },
        ),
        (
            "absence rule",
            ABSENCE_PERIOD_REVERSED,
            f"/pool/{regisseur.pk}/afwezigheid/",
            {
                "starts_on": today.isoformat(),
                "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
            },
        ),
        (
            "team rhythm rule",
            SERIES_INCOMPLETE,
            "/pool/teamritme/nieuw/",
            {"kind": "intervisie", "held_on": today.isoformat(), "topic": "Dilemma's"},
        ),
    ]
    shown: dict[str, str] = {}
    for what, message, path, values in refusals:
        english, dutch = english_and_dutch(message)
        text = submit(page, path, values)
        assert english in text, f"{what}: {english!r} not on {path}:\n{text[:2000]}"
        assert dutch not in text, f"{what}: the Dutch text is shown on {path}"
        shown[what] = english

    # The capacity warning: the hand-over goes through, with the warning in English.
    text = submit(
        page,
        f"{c1}/overdracht/",
        {"to_regisseur": full.pk, "on": today.isoformat(), "reason": "Langdurig afwezig."},
    )
    assert "above the maximum caseload" in text, text[:2000]
    assert "boven de maximale caseload" not in text
    shown["capacity warning"] = "above the maximum caseload"
    assert len(shown) == 10
