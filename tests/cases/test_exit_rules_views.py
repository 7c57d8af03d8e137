"""The exit pages as the rules now have them (docs/rules.md R-EXIT-2, R-EXIT-4): the
programme team and PTO-R read the proposals waiting for PTO-R, with the plan version and
advice each rests on, and are led to PTO-R's meetings, where the decision is taken
(docs/adr/0020-pto-r-meetings.md); a proposal before phase 3 is refused with the way to
the phase change."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from audit.models import AccessLog
from cases.models import ExitGround, ExitProcedure, Phase
from cases.services.exits import (
    EXIT_PROPOSAL_NEEDS_PHASE_3,
    exit_decide,
)
from cases.views.pages import EXIT_FOLLOW_UP_PURPOSE
from ipgar.views import menu_for
from tests.factories import AssessmentFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_programme_team_reads_the_waiting_proposals_without_deciding(crew, advised_exit):
    client = client_for(crew.programme_team)
    assert "exits" in {entry["key"] for entry in menu_for(crew.programme_team)}
    response = client.get(reverse("cases:exit_decisions"))
    assert response.status_code == 200
    page = response.content.decode()
    assert crew.case.number in page
    assert 'id="exit-decisions-read-only"' in page
    assert 'name="decision"' not in page
    advised_exit.refresh_from_db()
    assert advised_exit.status == ExitProcedure.Status.ADVISED


def test_the_list_names_what_pto_r_decides_on_and_leads_to_its_meetings(crew, advised_exit, today):
    """ADR 0020: PTO-R decides in its meetings; the list no longer takes a decision."""
    client = client_for(crew.of("pto_r"))
    page = client.get(reverse("cases:exit_decisions")).content.decode()
    version = advised_exit.itat_advices.get().plan_version.number
    assert f'data-decides-on="{version}"' in page
    assert "Akkoord met uitstroom." in page
    assert reverse("ptor:meeting_list") in page
    assert 'name="decision"' not in page

    response = client.post(
        reverse("cases:exit_decisions"),
        {
            "procedure": advised_exit.pk,
            "revision": advised_exit.revision,
            "decision": ExitProcedure.Decision.APPROVED,
            "decided_on": today.isoformat(),
            "reasoning": "Overdracht geregeld.",
        },
    )
    assert response.status_code == 405
    advised_exit.refresh_from_db()
    assert advised_exit.status == ExitProcedure.Status.ADVISED


def test_a_proposal_in_phase_2_is_refused_with_the_way_to_phase_3(crew, today):
    crew.case.__class__.objects.filter(pk=crew.case.pk).update(phase=Phase.EXECUTION)
    AssessmentFactory(case=crew.case, assessed_on=today, safety_criterion=False)
    client = client_for(crew.regisseur)
    url = reverse("cases:exit_propose", args=[crew.case.pk])
    assert reverse("cases:phase_change", args=[crew.case.pk]) in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "ground": ExitGround.RISK_AND_CARE_GONE,
            "team_judgement": "Geen signalen meer.",
            "on": today.isoformat(),
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert escape(str(EXIT_PROPOSAL_NEEDS_PHASE_3)) in page
    assert reverse("cases:phase_change", args=[crew.case.pk]) in page
    assert not ExitProcedure.objects.filter(case=crew.case).exists()


def test_the_last_directors_get_a_clear_page_after_the_exit(crew, advised_exit, today):
    """ADR 0019: the last regisseur and buddy read the follow-up facts, not the case;
    everyone else who does not see the case still gets the 404."""
    exit_decide(
        procedure=advised_exit,
        decision=ExitProcedure.Decision.APPROVED,
        decided_on=today,
        reasoning="Overdracht aan Utrecht geregeld.",
        by=crew.of("pto_r"),
    )
    url = reverse("cases:detail", args=[crew.case.pk])
    for director in (crew.regisseur, crew.buddy):
        response = client_for(director).get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="exited-case-notice"' in page
        assert "Utrecht" in page
        assert "Verhuisd naar Utrecht; warme overdracht aan de gemeente." not in page
        assert AccessLog.objects.filter(
            user=director, object_type="cases.exitprocedure", purpose=EXIT_FOLLOW_UP_PURPOSE
        ).exists()
    assert client_for(crew.other_regisseur).get(url).status_code == 404
