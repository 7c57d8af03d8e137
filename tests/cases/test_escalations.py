"""A stuck case escalates step by step (docs/rules.md R-CASE-11): the team records it
with what it tried, then consults colleagues, the programme team or ITAT-R, then holds
a doorbraakoverleg, and records what resolved it. Services refuse bad input (400 on
the page, at its field) and the wrong order (409) and change nothing then; the case
page shows every step; the programme team's dashboard lists the stuck cases."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from audit.models import AccessLog
from cases.models import Escalation, EscalationStatus, EscalationStep, Meeting
from cases.selectors.escalations import stuck_cases
from cases.services.escalations import (
    ESCALATION_ALREADY_RUNNING,
    ESCALATION_ATTEMPTS_REQUIRED,
    ESCALATION_CASE_EXITED,
    ESCALATION_CONSULT_FIRST,
    ESCALATION_DATE_BEFORE_STUCK,
    ESCALATION_NOT_RUNNING,
    ESCALATION_PARTICIPANTS_REQUIRED,
    escalation_open,
    escalation_record_step,
    escalation_resolve,
)
from cases.views.escalations import (
    ESCALATION_OPENED,
    ESCALATION_RESOLVED,
    ESCALATION_STEP_RECORDED,
)
from kernel.errors import RuleViolation
from tests.factories import CaseFactory, EscalationFactory, EscalationStepFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db

STUCK = "De persoon weigert elk contact; de school meldt nieuwe uitingen."
TRIED = "Huisbezoek met de wijkagent, een brief van de regisseur, contact via de moeder."


def text_of(response) -> str:
    return response.content.decode()


def open_stuck(case, by, on: datetime.date) -> Escalation:
    return escalation_open(
        case=case, stuck_since=on, what_is_stuck=STUCK, team_attempts=TRIED, by=by
    )


# --- the service ---------------------------------------------------------------------------


def test_the_escalation_goes_step_by_step_to_a_resolution(today, author):
    case = CaseFactory(phase2=True)
    escalation = open_stuck(case, author, today - datetime.timedelta(days=20))
    assert escalation.status == EscalationStatus.STUCK

    with pytest.raises(RuleViolation) as refused:
        escalation_record_step(
            escalation=escalation,
            kind=EscalationStep.Kind.BREAKTHROUGH,
            held_on=today,
            participants="Regisseur, ITAT-R, wijkagent",
            outcome="Nieuwe route via de imam.",
            by=author,
        )
    assert refused.value.message == ESCALATION_CONSULT_FIRST
    assert not EscalationStep.objects.exists()

    escalation_record_step(
        escalation=escalation,
        kind=EscalationStep.Kind.ITAT_R,
        held_on=today - datetime.timedelta(days=10),
        outcome="ITAT-R adviseert een doorbraakoverleg met de school erbij.",
        by=author,
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CONSULTED

    step = escalation_record_step(
        escalation=escalation,
        kind=EscalationStep.Kind.BREAKTHROUGH,
        held_on=today - datetime.timedelta(days=5),
        participants="Regisseur, ITAT-R, school, wijkagent",
        outcome="De school neemt het contact over; over vier weken opnieuw.",
        by=author,
    )
    # The doorbraakoverleg stands among the case's meetings too (not as an UVO).
    assert step.meeting is not None
    assert step.meeting.kind == Meeting.Kind.BREAKTHROUGH
    assert step.meeting.decisions == "De school neemt het contact over; over vier weken opnieuw."

    escalation_resolve(
        escalation=escalation, on=today, resolution="Contact via de school loopt.", by=author
    )
    escalation.refresh_from_db()
    assert (escalation.status, escalation.resolved_on) == (EscalationStatus.RESOLVED, today)

    with pytest.raises(RuleViolation) as refused:
        escalation_resolve(escalation=escalation, on=today, resolution="Nogmaals.", by=author)
    assert refused.value.message == ESCALATION_NOT_RUNNING


def test_one_running_escalation_per_case(today, author):
    case = CaseFactory(phase2=True)
    open_stuck(case, author, today)
    with pytest.raises(RuleViolation) as refused:
        open_stuck(case, author, today)
    assert refused.value.message == ESCALATION_ALREADY_RUNNING
    assert Escalation.objects.filter(case=case).count() == 1


def test_an_exited_case_does_not_escalate(today, author):
    with pytest.raises(RuleViolation) as refused:
        open_stuck(CaseFactory(exited=True), author, today)
    assert refused.value.message == ESCALATION_CASE_EXITED


def test_what_the_team_tried_is_required(today, author):
    with pytest.raises(ValidationError) as refused:
        escalation_open(
            case=CaseFactory(), stuck_since=today, what_is_stuck=STUCK, team_attempts=" ", by=author
        )
    assert refused.value.messages == [str(ESCALATION_ATTEMPTS_REQUIRED)]
    assert not Escalation.objects.exists()


def test_a_doorbraakoverleg_names_who_took_part(today, author):
    step = EscalationStepFactory(escalation__case=CaseFactory(phase2=True))
    with pytest.raises(ValidationError) as refused:
        escalation_record_step(
            escalation=step.escalation,
            kind=EscalationStep.Kind.BREAKTHROUGH,
            held_on=today,
            outcome="Afspraken.",
            by=author,
        )
    assert refused.value.messages == [str(ESCALATION_PARTICIPANTS_REQUIRED)]


def test_a_step_before_the_case_got_stuck_is_refused(today, author):
    escalation = EscalationFactory(case=CaseFactory(phase2=True), stuck_since=today)
    with pytest.raises(ValidationError) as refused:
        escalation_record_step(
            escalation=escalation,
            kind=EscalationStep.Kind.COLLEAGUES,
            held_on=today - datetime.timedelta(days=1),
            outcome="Tips.",
            by=author,
        )
    assert refused.value.code == "before_stuck"
    assert str(ESCALATION_DATE_BEFORE_STUCK)[:20] in refused.value.messages[0]


def test_the_dashboard_selector_lists_running_escalations_only(today, author):
    running = open_stuck(CaseFactory(phase2=True), author, today - datetime.timedelta(days=9))
    resolved = open_stuck(CaseFactory(phase2=True), author, today - datetime.timedelta(days=30))
    escalation_resolve(escalation=resolved, on=today, resolution="Opgelost.", by=author)

    (listed,) = stuck_cases()
    assert (listed.escalation_id, listed.case_number) == (running.pk, running.case.number)
    assert listed.status == EscalationStatus.STUCK


# --- the pages -----------------------------------------------------------------------------


def test_a_regisseur_escalates_a_stuck_case_on_its_pages(crew, today):
    client = client_for(crew.regisseur)
    case_page = text_of(client.get(reverse("cases:detail", args=[crew.case.pk])))
    new_url = reverse("cases:escalation_new", args=[crew.case.pk])
    assert new_url in case_page  # linked from the case page

    response = client.post(
        new_url,
        {"stuck_since": today.isoformat(), "what_is_stuck": STUCK, "team_attempts": TRIED},
        follow=True,
    )
    page = text_of(response)
    assert escape(str(ESCALATION_OPENED)) in page
    assert TRIED in page
    escalation = Escalation.objects.get(case=crew.case)

    step_url = reverse("cases:escalation_step", args=[crew.case.pk, escalation.pk])
    assert client.get(step_url).status_code == 200
    assert AccessLog.objects.filter(
        user=crew.regisseur, object_type="cases.escalation", object_id=str(escalation.pk)
    ).exists()
    refused = client.post(
        step_url,
        {
            "revision": escalation.revision,
            "kind": EscalationStep.Kind.BREAKTHROUGH,
            "held_on": today.isoformat(),
            "participants": "Regisseur, ITAT-R",
            "outcome": "Afspraken.",
        },
    )
    assert refused.status_code == 409
    assert escape(str(ESCALATION_CONSULT_FIRST)) in text_of(refused)

    response = client.post(
        step_url,
        {
            "revision": escalation.revision,
            "kind": EscalationStep.Kind.COLLEAGUES,
            "held_on": today.isoformat(),
            "participants": "Twee collega-regisseurs",
            "outcome": "Probeer het via de sportclub.",
        },
        follow=True,
    )
    page = text_of(response)
    assert str(ESCALATION_STEP_RECORDED) in page
    assert "Probeer het via de sportclub." in page

    escalation.refresh_from_db()
    resolve_url = reverse("cases:escalation_resolve", args=[crew.case.pk, escalation.pk])
    bad = client.post(
        resolve_url, {"revision": escalation.revision, "on": today.isoformat(), "resolution": ""}
    )
    assert bad.status_code == 400
    response = client.post(
        resolve_url,
        {
            "revision": escalation.revision,
            "on": today.isoformat(),
            "resolution": "Contact hersteld.",
        },
        follow=True,
    )
    assert str(ESCALATION_RESOLVED) in text_of(response)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED


def test_a_stale_step_shows_the_stored_escalation(crew, today, author):
    escalation = open_stuck(crew.case, author, today)
    loaded = escalation.revision
    escalation_record_step(
        escalation=escalation,
        kind=EscalationStep.Kind.PROGRAMME_TEAM,
        held_on=today,
        outcome="Het programmateam belt de moederorganisatie.",
        by=author,
    )
    response = client_for(crew.regisseur).post(
        reverse("cases:escalation_step", args=[crew.case.pk, escalation.pk]),
        {
            "revision": loaded,
            "kind": EscalationStep.Kind.COLLEAGUES,
            "held_on": today.isoformat(),
            "outcome": "Tips.",
        },
    )
    assert response.status_code == 409
    assert "Het programmateam belt de moederorganisatie." in text_of(response)
    assert escalation.steps.count() == 1


def test_an_escalation_of_another_case_is_not_found_through_this_one(crew, today, author):
    other = EscalationFactory(case=CaseFactory(phase2=True))
    response = client_for(crew.programme_team).get(
        reverse("cases:escalation_step", args=[crew.case.pk, other.pk])
    )
    assert response.status_code == 404


def test_the_dashboard_lists_the_stuck_case(crew, today, author):
    open_stuck(crew.case, author, today)
    page = text_of(client_for(crew.programme_team).get(reverse("monitoring:dashboard")))
    assert f'data-stuck-case="{crew.case.number}"' in page
    assert str(EscalationStatus.STUCK.label) in page
    assert STUCK not in page  # case content stays on the case page
