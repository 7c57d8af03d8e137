"""Field-level access on the case page (cases/sections.py): an intervention-team
member reads the plan and the meetings of his or her case, not the weighings, the
evaluations, the exit reasoning, the reasons of assignments and phase changes, nor
the person record; the directors and the programme team read all of it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import Assessment, Evaluation, ExitGround, ItatAdvice, Meeting
from cases.sections import ALL_SECTIONS, Section, visible_sections
from cases.selectors.cases import case_detail
from cases.services.assessments import assessment_record
from cases.services.assignments import case_change_buddy
from cases.services.evaluations import evaluation_record
from cases.services.exits import exit_propose, exit_record_itat_advice
from cases.services.meetings import AttendeeInput, meeting_log
from tests.factories import (
    FIRST_ADOPTED_ON,
    OrganisationFactory,
    RegisseurFactory,
    adopt_first_plan,
)
from tests.queries import assert_query_count, count_queries

from .conftest import OUTSIDERS, WORKS_ON_CASE, client_for

pytestmark = pytest.mark.django_db

# Distinctive text in each record, to look for on the page.
WEIGHING = "Weging-tekst: geweldsbereidheid neemt af sinds de zomer."
EVALUATION = "Evaluatie-tekst: woonsituatie stabiel, contact met broer hersteld."
EXIT_JUDGEMENT = "Uitstroomoordeel: verhuizing naar Utrecht, warme overdracht loopt."
EXIT_ADVICE = "ITAT-R over uitstroom: overdracht aan Utrecht binnen vier weken."
ASSIGNMENT_REASON = "Buddywissel: de buddy gaat naar het regioteam Amstelland."
PLAN_ADVICE = "Goed."  # adopt_first_plan's ITAT-R advice on the plan
PLAN_CONCERNS = "Zorg"  # adopt_first_plan's concerns
MEETING_DECISION = "UVO-besluit: huisbezoek door de wijkagent."

READER_SECTIONS = frozenset({Section.SUMMARY, Section.TEAM, Section.PLAN, Section.MEETINGS})


@pytest.fixture
def recorded(crew, today, author):
    """The crew's case with a plan, an UVO, a weighing, an evaluation and an exit
    procedure with ITAT-R's advice, each with its own distinctive text."""
    case = crew.case
    organisation = OrganisationFactory(code="wpi", name="WPI")
    adopt_first_plan(case, by=author, on=FIRST_ADOPTED_ON, organisation=organisation)
    meeting_log(
        case=case,
        held_on=today - datetime.timedelta(days=3),
        kind=Meeting.Kind.FIRST,
        person_attended=True,
        agenda="",
        development="",
        decisions=MEETING_DECISION,
        exit_in_sight=False,
        attendees=[AttendeeInput(name="Jan Voorbeeld", organisation=organisation)],
        actions=[],
        by=author,
    )
    assessment = assessment_record(
        case=case,
        assessed_on=today - datetime.timedelta(days=2),
        care_criterion=True,
        safety_criterion=True,
        risk_level=Assessment.RiskLevel.MEDIUM,
        reasoning=WEIGHING,
        by=author,
    )
    evaluation_record(
        case=case,
        kind=Evaluation.Kind.MONTHLY,
        held_on=today - datetime.timedelta(days=1),
        findings=EVALUATION,
        assessment=assessment,
        by=author,
    )
    procedure = exit_propose(
        case=case,
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        team_judgement=EXIT_JUDGEMENT,
        on=today,
        by=author,
    )
    exit_record_itat_advice(
        procedure=procedure,
        given_on=today,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice=EXIT_ADVICE,
        by=author,
    )
    case_change_buddy(
        case=case,
        to_buddy=RegisseurFactory(),
        reason=ASSIGNMENT_REASON,
        on=today,
        by=author,
    )
    return case


# The case page's tabs (?tab=), in page order: together they are the whole page.
TABS = ("", "team", "plan", "uvos", "weegmomenten", "evaluaties", "uitstroom", "historie")


def page_of(user, case) -> str:
    client = client_for(user)
    mains = []
    for tab in TABS:
        response = client.get(reverse("cases:detail", args=[case.pk]), {"tab": tab})
        assert response.status_code == 200
        mains.append(response.content.decode().split("<main")[1].split("</main>")[0])
    return "".join(mains)


HIDDEN_TEXT = (
    WEIGHING,
    EVALUATION,
    EXIT_JUDGEMENT,
    EXIT_ADVICE,
    ASSIGNMENT_REASON,
)


def test_a_team_member_reads_plan_and_meetings_but_no_judgement_about_the_person(crew, recorded):
    # The regisseur first: his body is in the page cache when the team member comes.
    as_regisseur = page_of(crew.regisseur, recorded)
    as_team_member = page_of(crew.team_member, recorded)

    for text in HIDDEN_TEXT:
        assert text in as_regisseur, text
        assert text not in as_team_member, text
    for text in (PLAN_CONCERNS, PLAN_ADVICE, MEETING_DECISION):
        assert text in as_regisseur and text in as_team_member, text
    # The phase history, with its reasons, is part of the timeline (HIDDEN_TEXT above).
    for anchor in ("assessments", "evaluations", "exits", "assignments"):
        assert f'id="{anchor}"' in as_regisseur
        assert f'id="{anchor}"' not in as_team_member
    assert reverse("cases:person", args=[recorded.pk]) not in as_team_member


def test_exit_advice_is_not_shown_as_advice_on_the_plan(crew, recorded):
    """ITAT-R's advice on an exit proposal names the plan version it was given on,
    yet it is exit reasoning: neither the plan section nor the plan version's own
    page shows it to a team member; the regisseur reads it with the exit procedure."""
    version = recorded.plan_versions.get()
    url = reverse("cases:plan_version", args=[recorded.pk, version.pk])
    response = client_for(crew.team_member).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert PLAN_ADVICE in page
    assert EXIT_ADVICE not in page
    as_regisseur = page_of(crew.regisseur, recorded)
    plan_section = as_regisseur.split('id="plan"')[1].split('id="meetings"')[0]
    assert EXIT_ADVICE not in plan_section
    assert EXIT_ADVICE in as_regisseur.split('id="exits"')[1]


def test_a_team_member_is_told_what_he_does_not_see(crew, recorded):
    notice = "zijn voor u niet zichtbaar"
    assert notice in page_of(crew.team_member, recorded)
    assert notice not in page_of(crew.regisseur, recorded)


@pytest.mark.parametrize(
    "url_name",
    [
        "cases:person",
        "cases:share",
        "cases:assessment_new",
        "cases:evaluation_new",
        "cases:exit_propose",
        "cases:hand_over",
        "cases:phase_change",
    ],
)
def test_pages_under_a_hidden_section_refuse_a_team_member(crew, url_name):
    response = client_for(crew.team_member).get(reverse(url_name, args=[crew.case.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("who", WORKS_ON_CASE)
def test_directors_and_the_programme_team_see_every_section(crew, who):
    assert visible_sections(crew.of(who), crew.case) == ALL_SECTIONS


def test_a_team_member_sees_the_readers_sections(crew):
    assert visible_sections(crew.team_member, crew.case) == READER_SECTIONS


@pytest.mark.parametrize("who", OUTSIDERS)
def test_who_does_not_see_the_case_sees_no_section(crew, who):
    assert visible_sections(crew.of(who), crew.case) == frozenset()


NOTHING_MORE = 0  # hidden relations come empty without a query, shown ones prefetched


def test_the_hidden_sections_are_not_even_read(crew, recorded):
    """What a team member may not see is not fetched: its relations come empty,
    without a query, so no template can show it by mistake."""
    with count_queries() as everything:
        case_detail(recorded.pk)
    with count_queries() as readers_part:
        case = case_detail(recorded.pk, sections=READER_SECTIONS)
    assert len(readers_part) < len(everything)
    with assert_query_count(NOTHING_MORE, what="reading the hidden relations"):
        hidden = [
            case.assessments.all(),
            case.evaluations.all(),
            case.exit_procedures.all(),
            case.assignments.all(),
            case.phase_transitions.all(),
        ]
        assert [list(records) for records in hidden] == [[]] * len(hidden)
        assert list(case.meetings.all())
        assert list(case.plan_versions.all())
