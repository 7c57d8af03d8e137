"""The case page leads: the phase stepper from the lifecycles, what is due next, one
primary action for the reader with the rest in a menu (those not possible now
disabled with the service's own reason), sections as tabs that are plain links and
one timeline of everything that happened, newest first."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from cases.models import Case, CaseStatus, Meeting, Phase
from cases.sections import ALL_SECTIONS, Section
from cases.selectors.case_page import (
    StepState,
    Tab,
    case_actions,
    case_timeline,
    phase_steps,
    tab_of,
    tabs_for,
)
from cases.selectors.cases import case_detail
from cases.services.exits import EXIT_ADVICE_NEEDS_PHASE_3, EXIT_CASE_EXITED
from cases.services.meetings import MEETING_CASE_EXITED, AttendeeInput, meeting_log
from cases.services.phases import PHASE_2_NEEDS_ADOPTED_PLAN
from tests.factories import CaseFactory, OrganisationFactory
from tests.queries import assert_same_query_count, count_queries

from .conftest import client_for

STEP_LABELS = ["Aanmelding", "Notificatiebrief", "Fase 1", "Fase 2", "Fase 3", "Uitstroom"]
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
EXIT_STEP_LABELS = ["Voorstel", "ITAT-R-advies", "Besluit PTO-R"]


def page(client, case: Case, tab: str = "") -> str:
    url = reverse("cases:detail", args=[case.pk]) + (f"?tab={tab}" if tab else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().split("<main")[1].split("</main>")[0]


def disabled(html: str, key: str) -> str:
    """The reason shown beside the disabled action ``key``; fails when it is not disabled."""
    match = re.search(
        rf'<span class="ipgar-action-menu__disabled" aria-disabled="true" data-action="{key}">'
        r'[^<]*</span><span class="ipgar-action-menu__reason">([^<]*)</span>',
        html,
    )
    assert match, f"{key} is not shown disabled"
    return match.group(1)


def unescape(text: str) -> str:
    return html.unescape(text)


# --- the stepper ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "states"),
    [
        ({"registered": True}, ["current", "todo", "todo", "todo", "todo", "todo"]),
        ({}, ["done", "done", "current", "todo", "todo", "todo"]),
        ({"phase2": True}, ["done", "done", "done", "current", "todo", "todo"]),
        ({"phase3": True}, ["done", "done", "done", "done", "current", "todo"]),
        ({"exited": True}, ["done"] * 6),
    ],
)
def test_the_stepper_runs_from_registration_to_exit_with_the_exit_steps(traits, states):
    case = CaseFactory.build(pk=1, notification_signed_on=datetime.date(2026, 1, 5), **traits)
    with override("nl"):
        steps = phase_steps(case, None)
    assert [str(step.label) for step in steps] == STEP_LABELS
    assert [step.state for step in steps] == [StepState(s) for s in states]
    assert [str(sub.label) for sub in steps[-1].substeps] == EXIT_STEP_LABELS


# --- actions ----------------------------------------------------------------------------


def test_an_exited_case_offers_its_actions_disabled_with_the_services_refusals():
    case = CaseFactory.build(pk=1, exited=True)
    with override("nl"):
        actions = case_actions(case, versions=[], open_version=None, running=None)
    by_key = {action.key: action for action in actions}
    assert by_key["meeting"].reason == MEETING_CASE_EXITED
    assert by_key["exit_propose"].reason == EXIT_CASE_EXITED
    assert by_key["share"].allowed  # sharing is recorded whatever the case's state


@pytest.mark.django_db
def test_a_phase_1_case_shows_itat_advice_and_the_phase_change_disabled_with_the_reason(crew):
    html = unescape(page(client_for(crew.regisseur), crew.case))
    assert crew.case.phase == Phase.CONTACT
    assert disabled(html, "exit_advice") == EXIT_ADVICE_NEEDS_PHASE_3
    assert disabled(html, "phase") == PHASE_2_NEEDS_ADOPTED_PLAN
    # The menu is a <details>: it opens without JavaScript.
    assert '<details class="ipgar-action-menu">' in html


@pytest.mark.django_db
def test_the_primary_action_follows_the_role_and_what_is_due(crew):
    # A case just started waits for its first UVO: the regisseur's lead.
    as_regisseur = page(client_for(crew.regisseur), crew.case)
    assert 'data-primary-action="meeting"' in as_regisseur
    assert "Eerstvolgende termijn" in as_regisseur and "Eerste UVO" in as_regisseur
    # The programme team manages the pool: its lead is the hand-over.
    as_programme_team = page(client_for(crew.programme_team), crew.case)
    assert 'data-primary-action="hand_over"' in as_programme_team
    # A team member works on no case: no actions at all.
    as_team_member = page(client_for(crew.team_member), crew.case)
    assert "data-primary-action" not in as_team_member
    assert "ipgar-action-menu" not in as_team_member


# --- tabs -------------------------------------------------------------------------------


def test_a_tab_not_offered_falls_back_to_the_overview():
    team_member = frozenset({Section.SUMMARY, Section.TEAM, Section.PLAN, Section.MEETINGS})
    assert Tab.ASSESSMENTS not in tabs_for(team_member)
    assert tab_of("weegmomenten", team_member) == Tab.OVERVIEW
    assert tab_of("bestaat-niet", ALL_SECTIONS) == Tab.OVERVIEW
    assert tab_of("uvos", ALL_SECTIONS) == Tab.MEETINGS


@pytest.mark.django_db
def test_tabs_are_links_that_render_one_section_each(crew):
    client = client_for(crew.regisseur)
    overview = page(client, crew.case)
    for tab in ("team", "plan", "uvos", "weegmomenten", "evaluaties", "uitstroom", "historie"):
        assert f'href="?tab={tab}"' in overview
    assert 'href="?tab=overzicht" aria-current="page"' in overview
    meetings = page(client, crew.case, "uvos")
    assert 'href="?tab=uvos" aria-current="page"' in meetings
    assert 'id="meetings"' in meetings and 'id="plan"' not in meetings
    plan = page(client, crew.case, "plan")
    assert 'id="plan"' in plan and 'id="meetings"' not in plan


@pytest.mark.django_db
def test_a_team_member_gets_no_tab_of_what_he_may_not_see(crew):
    client = client_for(crew.team_member)
    overview = page(client, crew.case)
    assert 'href="?tab=weegmomenten"' not in overview
    assert 'href="?tab=uitstroom"' not in overview
    asked = page(client, crew.case, "weegmomenten")
    assert 'id="assessments"' not in asked
    assert 'href="?tab=overzicht" aria-current="page"' in asked


@pytest.mark.django_db
def test_uvos_are_cards_with_the_latest_open(crew, today, author):
    for days, kind in ((20, Meeting.Kind.FIRST), (3, Meeting.Kind.REGULAR)):
        meeting_log(
            case=crew.case,
            held_on=today - datetime.timedelta(days=days),
            kind=kind,
            person_attended=True,
            agenda="",
            development="",
            decisions=f"Besluit van {days} dagen terug.",
            exit_in_sight=False,
            attendees=[AttendeeInput(name="Jan Voorbeeld", organisation=OrganisationFactory())],
            actions=[],
            by=author,
        )
    html = page(client_for(crew.regisseur), crew.case, "uvos")
    cards = re.findall(r'<details class="ipgar-card" id="meeting-\d+"( open)?>', html)
    assert cards == [" open", ""]
    assert html.index("3 dagen terug") < html.index("20 dagen terug")


# --- the timeline -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_timeline_holds_everything_newest_first(crew, today, author):
    meeting_log(
        case=crew.case,
        held_on=today - datetime.timedelta(days=1),
        kind=Meeting.Kind.FIRST,
        person_attended=True,
        agenda="",
        development="",
        decisions="Eerste afspraken.",
        exit_in_sight=False,
        attendees=[AttendeeInput(name="Jan Voorbeeld", organisation=OrganisationFactory())],
        actions=[],
        by=author,
    )
    events = case_timeline(case_detail(crew.case.pk))
    dates = [event.on for event in events]
    assert dates == sorted(dates, reverse=True)
    whats = [event.what for event in events]
    assert whats[-1] == "Aangemeld"
    assert "Eerste UVO" in whats and "Notificatiebrief getekend" in whats
    assert any(what.startswith("Interventieteam: Professional GGD") for what in whats)
    html = page(client_for(crew.regisseur), crew.case, "historie")
    assert html.index("Eerste afspraken.") < html.index("Aangemeld")


@pytest.mark.django_db
def test_a_team_member_reads_no_reasons_in_the_timeline(crew, today, author):
    html = page(client_for(crew.team_member), crew.case, "historie")
    assert "Fase: " not in html  # the phase history is person data (cases/sections.py)
    assert "Regisseur: " not in html


@pytest.mark.django_db
@pytest.mark.parametrize("tab", ["", "historie", "uvos", "plan", "uitstroom"])
def test_each_tab_takes_the_same_queries_however_much_happened(crew, today, author, tab, settings):
    # Every view reads the case anew: the count of a body not yet kept.
    settings.CACHES = {**settings.CACHES, "case_pages": {"BACKEND": DUMMY_CACHE}}
    client = client_for(crew.regisseur)
    # A session's first request reads the signed-in user into the cache (accounts/signed_in.py).
    client.get(reverse("home"))

    def log_uvo(days: int, kind: str) -> None:
        meeting_log(
            case=crew.case,
            held_on=today - datetime.timedelta(days=days),
            kind=kind,
            person_attended=True,
            agenda="",
            development="",
            decisions="Afspraken.",
            exit_in_sight=False,
            attendees=[AttendeeInput(name="Jan Voorbeeld", organisation=OrganisationFactory())],
            actions=[],
            by=author,
        )

    # One UVO in both: a relation that is empty skips the queries nested under it.
    log_uvo(30, Meeting.Kind.FIRST)
    with count_queries() as small:
        page(client, crew.case, tab)
    for days in (20, 10, 5):
        log_uvo(days, Meeting.Kind.REGULAR)
    with count_queries() as large:
        page(client, crew.case, tab)
    assert_same_query_count(small, large, what=f"the case page, tab {tab or 'overzicht'}")


def test_the_status_lifecycle_gives_the_step_order():
    """The stepper restates no lifecycle: its status steps follow CASE_STATUS."""
    case = CaseFactory.build(pk=1, status=CaseStatus.IN_REGIE, phase=Phase.EXECUTION)
    with override("nl"):
        labels = [str(step.label) for step in phase_steps(case, None)]
    assert labels.index("Notificatiebrief") < labels.index("Fase 1") < labels.index("Uitstroom")
