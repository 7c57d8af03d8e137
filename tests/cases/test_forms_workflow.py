"""The regisseur's forms in the browser's place: each happy path changes what the
user sees afterwards; bad input gives the Dutch message, keeps the input and writes
nothing; a stale revision shows the conflict; lists and the case page cost the
same queries at two sizes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessLog
from cases.forms import MEETING_ADD_ROW
from cases.models import (
    Case,
    CaseStatus,
    ExitGround,
    ExitProcedure,
    ItatAdvice,
    Meeting,
    Phase,
    Pillar,
    PlanStatus,
    PlanVersion,
)
from cases.selectors.deadlines import DeadlineKind
from cases.services.assessments import assessment_record
from cases.services.exits import (
    EXIT_HANDOVER_NEEDS_ORGANISATION,
)
from cases.services.meetings import MEETING_FIRST_UVO_PART_ONE_MISSING, MEETING_IN_FUTURE
from cases.services.phases import PHASE_2_NEEDS_ADOPTED_PLAN
from cases.services.plans import (
    INTERVENTION_PILLAR_REQUIRED,
    InterventionInput,
    plan_version_update,
)
from cases.services.team import team_member_add
from cases.views.decisions import EXIT_PROPOSALS_READ_PURPOSE
from kernel.errors import STALE_RECORD
from pool.models import Regisseur
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    RegisseurFactory,
    UserFactory,
    adopt_first_plan,
    adopt_version,
    exit_advised_after_move,
    plan_concept,
)
from tests.queries import assert_counted, assert_same_query_count, count_queries

from .conftest import client_for, with_role

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def formset(prefix: str, rows: list[dict[str, object]], initial: int = 0) -> dict[str, object]:
    data: dict[str, object] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


@pytest.fixture
def wpi():
    return OrganisationFactory(code="wpi", name="WPI")


def _uvo(today, wpi, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": Meeting.Kind.FIRST,
        "held_on": today.isoformat(),
        "decisions": "Woonbegeleiding aanvragen bij WPI.",
        **formset("deelnemers", [{"name": "Jan Voorbeeld", "organisation": wpi.pk}]),
        **formset(
            "acties",
            [
                {
                    "description": "Intake woonbegeleiding plannen",
                    "owner_organisation": wpi.pk,
                    "due_on": (today + datetime.timedelta(days=14)).isoformat(),
                }
            ],
        ),
    }
    data.update(overrides)
    return data


# --- UVO ------------------------------------------------------------------------------


def test_a_logged_uvo_with_its_action_shows_on_the_case_page(crew, today, wpi):
    client = client_for(crew.regisseur)
    url = reverse("cases:meeting_new", args=[crew.case.pk])
    assert "Professional GGD" in text_of(client.get(url))  # the team is proposed

    response = client.post(url, _uvo(today, wpi), follow=True)

    page = text_of(response)
    assert "Het overleg van" in page
    assert "Woonbegeleiding aanvragen bij WPI." in page
    assert "Intake woonbegeleiding plannen" in page
    assert "Jan Voorbeeld" in page


def test_a_first_uvo_in_two_meetings_shows_both_parts_on_the_case_page(crew, today, wpi):
    client = client_for(crew.regisseur)
    url = reverse("cases:meeting_new", args=[crew.case.pk])
    client.post(url, _uvo(today, wpi, first_uvo_part="1"))

    form = client.get(url)  # the form proposes part 2 next
    assert form.context["form"].initial["first_uvo_part"] == Meeting.Part.SECOND
    page = text_of(client.post(url, _uvo(today, wpi, first_uvo_part="2"), follow=True))

    assert "Eerste UVO (deel 1 van 2)" in page
    assert "Eerste UVO (deel 2 van 2)" in page
    assert client.get(url).context["form"].initial["kind"] == Meeting.Kind.REGULAR


def test_part_two_of_a_first_uvo_without_part_one_is_refused_in_dutch(crew, today, wpi):
    response = client_for(crew.regisseur).post(
        reverse("cases:meeting_new", args=[crew.case.pk]), _uvo(today, wpi, first_uvo_part="2")
    )
    assert response.status_code == 409
    assert str(MEETING_FIRST_UVO_PART_ONE_MISSING) in text_of(response)
    assert not Meeting.objects.filter(case=crew.case).exists()


def test_an_uvo_in_the_future_is_refused_in_dutch_keeping_the_input(crew, today, wpi):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = client_for(crew.regisseur).post(
        reverse("cases:meeting_new", args=[crew.case.pk]), _uvo(today, wpi, held_on=tomorrow)
    )
    assert response.status_code == 400
    page = text_of(response)
    assert str(MEETING_IN_FUTURE) in page
    assert "Woonbegeleiding aanvragen bij WPI." in page
    assert "Intake woonbegeleiding plannen" in page
    assert not Meeting.objects.filter(case=crew.case).exists()


def test_a_wrong_attendee_row_is_marked_with_its_message_and_the_name_kept_as_text(
    crew, today, wpi
):
    data = _uvo(
        today,
        wpi,
        **formset(
            "deelnemers",
            [
                {"name": "Jan <b>Voorbeeld</b>", "organisation": wpi.pk},
                {"name": "Piet", "organisation": 987654},
            ],
        ),
    )
    response = client_for(crew.regisseur).post(
        reverse("cases:meeting_new", args=[crew.case.pk]), data
    )
    assert response.status_code == 400
    page = text_of(response)
    rows = page.split('<fieldset class="ipgar-formset-row')[1:]
    assert '<legend class="ipgar-formset-row__legend">Rij 1</legend>' in rows[0]
    assert 'value="Jan &lt;b&gt;Voorbeeld&lt;/b&gt;"' in rows[0]
    assert rows[0].startswith('">') and rows[1].startswith(' ipgar-formset-row--invalid">')
    assert (
        '<p class="ams-error-message" id="id_deelnemers-1-organisation_error">'
        '<span class="ams-visually-hidden">Invoerfout: </span>'
    ) in rows[1]
    assert not Meeting.objects.filter(case=crew.case).exists()


def test_adding_an_action_row_keeps_what_was_typed_and_saves_nothing(crew, today, wpi):
    data = _uvo(today, wpi)
    data[MEETING_ADD_ROW] = "acties"
    response = client_for(crew.regisseur).post(
        reverse("cases:meeting_new", args=[crew.case.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = text_of(response)
    assert 'name="acties-TOTAL_FORMS" value="2"' in page
    assert 'name="acties-1-description"' in page
    assert "Intake woonbegeleiding plannen" in page
    assert "ams-error-message" not in page  # nothing was sent yet: no errors shown
    assert not Meeting.objects.filter(case=crew.case).exists()


def test_a_team_member_reads_the_case_but_may_not_log_an_uvo(crew, today, wpi):
    url = reverse("cases:meeting_new", args=[crew.case.pk])
    response = client_for(crew.team_member).post(url, _uvo(today, wpi))
    assert response.status_code == 403
    assert not Meeting.objects.filter(case=crew.case).exists()


# --- the plan of approach -------------------------------------------------------------


def _first_plan(today, wpi) -> dict[str, object]:
    return {
        "concerns": "Uitingen die geweld rechtvaardigen.",
        "goals": "Stabiele woonsituatie.",
        "course": "Vertrouwen opbouwen.",
        "joint_task": "Geen geweld, wel perspectief.",
        **formset(
            "interventies",
            [
                {
                    "description": "Woonbegeleiding regelen",
                    "pillar": "zorg",
                    "responsible_organisation": wpi.pk,
                    "deadline": (today + datetime.timedelta(days=60)).isoformat(),
                }
            ],
        ),
    }


def test_an_intervention_without_a_pillar_is_refused_in_dutch_keeping_the_input(crew, today, wpi):
    data = _first_plan(today, wpi)
    data["interventies-0-pillar"] = ""
    response = client_for(crew.regisseur).post(reverse("cases:plan_new", args=[crew.case.pk]), data)
    assert response.status_code == 400
    page = text_of(response)
    assert str(INTERVENTION_PILLAR_REQUIRED) in page
    assert "Woonbegeleiding regelen" in page
    assert not PlanVersion.objects.filter(case=crew.case).exists()


def test_the_plan_page_shows_the_interventions_grouped_by_pillar(crew, today, wpi):
    interventions = [
        InterventionInput(
            description=f"Interventie {pillar.label}",
            pillar=pillar,
            responsible_organisation=wpi,
            deadline=today,
        )
        # Written Brusjes first: the page shows Straf, Zorg, Brusjes all the same.
        for pillar in reversed(Pillar)
    ]
    version = plan_concept(crew.case, by=crew.regisseur, interventions=interventions)

    page = text_of(
        client_for(crew.regisseur).get(
            reverse("cases:plan_version", args=[crew.case.pk, version.pk])
        )
    )

    assert ">Pijler</th>" in page
    order = [page.index(f"Interventie {pillar.label}") for pillar in Pillar]
    assert order == sorted(order)
    assert '<td class="ams-table__cell">Brusjes</td>' in page


def test_a_plan_is_written_advised_and_adopted_in_the_browser(crew, today, wpi):
    client = client_for(crew.regisseur)
    response = client.post(
        reverse("cases:plan_new", args=[crew.case.pk]), _first_plan(today, wpi), follow=True
    )
    assert "Woonbegeleiding regelen" in text_of(response)
    version = PlanVersion.objects.get(case=crew.case)
    url = reverse("cases:plan_version", args=[crew.case.pk, version.pk])

    client.post(
        url,
        {
            "stap": "advies",
            "revision": version.revision,
            "given_on": today.isoformat(),
            "recommendation": ItatAdvice.Recommendation.POSITIVE,
            "advice": "Helder plan.",
        },
    )
    version.refresh_from_db()
    response = client.post(
        url,
        {"stap": "vaststellen", "revision": version.revision, "adopted_on": today.isoformat()},
        follow=True,
    )

    assert "Versie 1 van het plan van aanpak is vastgesteld." in text_of(response)
    case_page = text_of(client.get(reverse("cases:detail", args=[crew.case.pk]), {"tab": "plan"}))
    assert "Vastgesteld" in case_page
    assert "Helder plan." in case_page


def test_editing_a_plan_someone_else_changed_shows_the_conflict_and_keeps_the_input(
    crew, today, wpi, author
):
    version = plan_concept(
        crew.case, by=author, concerns="Oud", goals="Oud", course="Oud", joint_task="Oud"
    )
    loaded = version.revision
    plan_version_update(version=version, by=author, goals="Door een collega herschreven.")

    response = client_for(crew.regisseur).post(
        reverse("cases:plan_version", args=[crew.case.pk, version.pk]),
        {
            "stap": "tekst",
            "revision": loaded,
            "concerns": "Mijn tekst",
            "goals": "Mijn doelen",
            "course": "Mijn koers",
            "joint_task": "Mijn opgave",
        },
    )

    assert response.status_code == 409
    page = text_of(response)
    assert str(STALE_RECORD) in page
    assert "Door een collega herschreven." in page  # the record as it now stands
    assert "Mijn doelen" in page  # what the user typed
    version.refresh_from_db()
    assert version.goals == "Door een collega herschreven."


def test_two_versions_are_compared(crew, today, wpi, author):
    intervention = InterventionInput(
        description="Woonbegeleiding regelen",
        pillar=Pillar.ZORG,
        responsible_organisation=wpi,
        deadline=today,
    )
    concept = plan_concept(
        crew.case, by=author, goals="Eerste doelen", interventions=[intervention]
    )
    version = adopt_version(concept, by=author, on=today)
    client = client_for(crew.regisseur)
    client.post(
        reverse("cases:plan_new", args=[crew.case.pk]),
        {"focus": "Werk", "explanation": "Na de evaluatie."},
    )
    second = PlanVersion.objects.get(case=crew.case, number=2)
    plan_version_update(version=second, by=author, goals="Tweede doelen")

    response = client.get(
        reverse("cases:plan_compare", args=[crew.case.pk]),
        {"older": version.pk, "newer": second.pk},
    )

    page = text_of(response)
    assert "Eerste doelen" in page
    assert "Tweede doelen" in page
    assert (
        AccessLog.objects.filter(object_type="cases.planversion", user=crew.regisseur).count() == 2
    )


def test_a_new_version_starts_from_the_latest_and_one_being_written_is_opened(
    crew, today, wpi, author
):
    intervention = InterventionInput(
        description="Woonbegeleiding regelen",
        pillar=Pillar.ZORG,
        responsible_organisation=wpi,
        deadline=today,
    )
    adopt_version(
        plan_concept(crew.case, by=author, interventions=[intervention]), by=author, on=today
    )
    client = client_for(crew.regisseur)
    url = reverse("cases:plan_new", args=[crew.case.pk])
    assert "kopie van versie 1" in text_of(client.get(url))

    response = client.post(url, {"focus": "Werk", "explanation": "Na de evaluatie."}, follow=True)
    assert "Versie 2 is aangemaakt als kopie van versie 1" in text_of(response)
    second = PlanVersion.objects.get(case=crew.case, number=2)
    opened = client.get(url)
    assert opened["Location"] == reverse("cases:plan_version", args=[crew.case.pk, second.pk])


# --- phase, exit, weighing, evaluation ---------------------------------------------------


def test_a_phase_change_without_an_adopted_plan_is_refused_with_the_rule(crew, today):
    response = client_for(crew.regisseur).post(
        reverse("cases:phase_change", args=[crew.case.pk]),
        {"revision": crew.case.revision, "to_phase": 2, "on": today.isoformat(), "reason": "Door"},
    )
    assert response.status_code == 409
    assert str(PHASE_2_NEEDS_ADOPTED_PLAN) in text_of(response)
    assert "Door" in text_of(response)
    crew.case.refresh_from_db()
    assert crew.case.phase == Phase.CONTACT


def test_a_phase_change_shows_in_the_timeline(crew, today, author, wpi):
    adopt_first_plan(crew.case, by=author, on=today, organisation=wpi)
    crew.case.refresh_from_db()
    response = client_for(crew.regisseur).post(
        reverse("cases:phase_change", args=[crew.case.pk]),
        {
            "revision": crew.case.revision,
            "to_phase": 2,
            "on": today.isoformat(),
            "reason": "Plan vastgesteld, uitvoering begint.",
        },
        follow=True,
    )
    page = text_of(response)
    assert "Plan vastgesteld, uitvoering begint." in page
    crew.case.refresh_from_db()
    assert crew.case.phase == Phase.EXECUTION


def test_a_phase_change_on_a_stale_case_shows_the_conflict(crew, today, author, wpi):
    adopt_first_plan(crew.case, by=author, on=today, organisation=wpi)
    crew.case.refresh_from_db()
    loaded = crew.case.revision
    assessment_record(
        case=crew.case,
        assessed_on=today,
        care_criterion=True,
        safety_criterion=True,
        risk_level="midden",
        reasoning="Tussendoor gewogen.",
        by=author,
    )
    response = client_for(crew.regisseur).post(
        reverse("cases:phase_change", args=[crew.case.pk]),
        {"revision": loaded, "to_phase": 2, "on": today.isoformat(), "reason": "Verder"},
    )
    assert response.status_code == 409
    assert str(STALE_RECORD) in text_of(response)
    crew.case.refresh_from_db()
    assert crew.case.phase == Phase.CONTACT


def test_an_exit_proposal_needs_the_handover_organisation(crew, today):
    Case.objects.filter(pk=crew.case.pk).update(phase=Phase.EXECUTION)
    response = client_for(crew.regisseur).post(
        reverse("cases:exit_propose", args=[crew.case.pk]),
        {
            "ground": ExitGround.CARE_HANDED_OVER,
            "team_judgement": "Zorg is geborgd.",
            "on": today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert str(EXIT_HANDOVER_NEEDS_ORGANISATION) in text_of(response)
    assert "Zorg is geborgd." in text_of(response)
    assert not ExitProcedure.objects.filter(case=crew.case).exists()


def test_a_move_abroad_opens_the_exit_procedure_on_the_case_page(crew, today):
    response = client_for(crew.regisseur).post(
        reverse("cases:exit_propose", args=[crew.case.pk]),
        {
            "ground": ExitGround.MOVED_ABROAD,
            "destination": "België",
            "team_judgement": "Verhuisd; politie weegt informatiedeling.",
            "on": today.isoformat(),
        },
        follow=True,
    )
    page = text_of(response)
    assert "Verhuisd naar het buitenland" in page
    assert "Verhuisd; politie weegt informatiedeling." in page


def test_a_weighing_and_an_evaluation_show_on_the_case_page(crew, today, author, wpi):
    client = client_for(crew.regisseur)
    client.post(
        reverse("cases:assessment_new", args=[crew.case.pk]),
        {
            "assessed_on": today.isoformat(),
            "care_criterion": "on",
            "safety_criterion": "on",
            "risk_level": "hoog",
            "reasoning": "Signalen van geweldsbereidheid.",
        },
    )
    response = client.post(
        reverse("cases:evaluation_new", args=[crew.case.pk]),
        {
            "kind": "tweejaarlijks",
            "held_on": today.isoformat(),
            "findings": "Nog niet klaar voor uitstroom.",
            "exit_possible": "nee",
            "care_criterion": "on",
            "risk_level": "midden",
            "reasoning": "Opnieuw gewogen.",
        },
        follow=True,
    )
    # The evaluation's tab, then the weighings' (the evaluation weighed again).
    weighings = client.get(reverse("cases:detail", args=[crew.case.pk]), {"tab": "weegmomenten"})
    page = text_of(response) + text_of(weighings)
    assert "Signalen van geweldsbereidheid." in page
    assert "Nog niet klaar voor uitstroom." in page
    assert "Opnieuw gewogen." in page


# --- hand-over ------------------------------------------------------------------------


def test_a_hand_over_to_a_full_regisseur_warns_but_goes_through(crew, today):
    full = with_role(RegisseurFactory(fte=Decimal("0.5")).user, Role.REGISSEUR).regisseur
    CaseFactory.create_batch(
        6,
        registered=True,
        region=crew.case.region,
        registered_on=crew.case.registered_on,
        regisseur=full,
        buddy=crew.case.buddy,
    )
    response = client_for(crew.programme_team).post(
        reverse("cases:hand_over", args=[crew.case.pk]),
        {
            "revision": crew.case.revision,
            "to_regisseur": full.pk,
            "on": today.isoformat(),
            "reason": "Regisseur langdurig afwezig.",
        },
        follow=True,
    )
    page = text_of(response)
    assert "boven de maximale caseload" in page
    crew.case.refresh_from_db()
    assert crew.case.regisseur == full


def test_bulk_hand_over_applies_the_proposal_and_ends_the_membership(crew, today):
    leaving = crew.buddy.regisseur  # buddy of the crew's case
    receiver = with_role(RegisseurFactory().user, Role.REGISSEUR).regisseur
    client = client_for(crew.programme_team)
    url = reverse("cases:bulk_handover", args=[leaving.pk])
    form = client.get(url).context["form"]
    [(suggestion, field)] = form.bound_rows()
    assert suggestion.case == crew.case

    response = client.post(
        url,
        {field.html_name: receiver.pk, "on": today.isoformat(), "reason": "Vertrekt uit de pool."},
        follow=True,
    )

    assert "casussen zijn overgedragen" in text_of(response)
    crew.case.refresh_from_db()
    assert crew.case.buddy == receiver
    assert Regisseur.objects.get(pk=leaving.pk).active_until == today


def test_bulk_hand_over_is_the_programme_teams(crew):
    url = reverse("cases:bulk_handover", args=[crew.buddy.regisseur.pk])
    assert client_for(crew.regisseur).get(url).status_code == 403


# --- PTO-R ----------------------------------------------------------------------------


def test_pto_r_reads_the_proposals_and_the_read_is_logged(crew, advised_exit):
    pto_r = crew.of("pto_r")
    response = client_for(pto_r).get(reverse("cases:exit_decisions"))
    page = text_of(response)
    assert crew.case.number in page
    assert "Verhuisd naar Utrecht; warme overdracht aan de gemeente." in page
    assert "Fictief" not in page  # no person record
    [record] = AccessLog.objects.filter(user=pto_r)
    assert record.purpose == EXIT_PROPOSALS_READ_PURPOSE
    assert record.case_number == crew.case.number


def test_pto_r_no_longer_decides_alone_on_the_list(crew, advised_exit, today):
    """ADR 0020: the exit is decided in a PTO-R meeting (tests/ptor/)."""
    response = client_for(crew.of("pto_r")).post(
        reverse("cases:exit_decisions"),
        {
            "procedure": advised_exit.pk,
            "revision": advised_exit.revision,
            "decision": ExitProcedure.Decision.APPROVED,
            "decided_on": today.isoformat(),
            "reasoning": "Overdracht aan Utrecht geregeld.",
        },
    )
    assert response.status_code == 405
    crew.case.refresh_from_db()
    assert crew.case.status == CaseStatus.IN_REGIE
    crew.case.refresh_from_db()
    assert crew.case.status == CaseStatus.IN_REGIE


# --- mijn casussen ---------------------------------------------------------------------


def test_my_cases_split_own_and_buddy_with_what_is_due_next(crew, today):
    response = client_for(crew.buddy).get(reverse("cases:list"))
    sections = {role: rows for role, _, rows in response.context["sections"]}
    [(case, due)] = sections["buddy"]
    assert case == crew.case
    assert sections["regisseur"] == []
    # No UVO yet, months after the notification letter: the first UVO is overdue.
    assert due.kind == DeadlineKind.FIRST_UVO
    assert due.overdue
    assert "te laat" in text_of(response)


def test_the_programme_team_filters_by_phase(crew, today):
    Case.objects.filter(pk=crew.case.pk).update(phase=Phase.EXECUTION)
    client = client_for(crew.programme_team)
    numbers = [c.number for c, _ in client.get(reverse("cases:list"), {"fase": 2}).context["rows"]]
    assert numbers == [crew.case.number]
    numbers = [c.number for c, _ in client.get(reverse("cases:list"), {"fase": 3}).context["rows"]]
    assert numbers == []


# --- query counts ---------------------------------------------------------------------


def _page_queries(client, url: str) -> CaptureQueriesContext:
    # The history is written straight to the tables here, past the services that
    # raise the case's revision, so the page's kept body is dropped by hand.
    caches["case_pages"].clear()
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def test_the_case_page_costs_the_same_with_more_meetings_and_plans(crew, today, author, wpi):
    client = client_for(crew.regisseur)
    url = reverse("cases:detail", args=[crew.case.pk])
    client.get(url)  # a session's first request reads the signed-in user into the cache

    def add_history(count: int) -> None:
        for day in range(count):
            Meeting.objects.create(
                case=crew.case,
                held_on=today - datetime.timedelta(days=day + 1 + 10 * count),
                kind=Meeting.Kind.REGULAR,
                decisions=f"Besluit {day}",
                recorded_by=author,
            )

    adopt_first_plan(crew.case, by=author, on=today, organisation=wpi)
    add_history(1)
    small = _page_queries(client, url)
    add_history(5)
    PlanVersion.objects.create(
        case=crew.case,
        number=2,
        concerns="c",
        goals="g",
        course="k",
        joint_task="o",
        focus="f",
        explanation="e",
        created_by=author,
        status=PlanStatus.CONCEPT,
    )
    large = _page_queries(client, url)
    assert_same_query_count(small, large, what="the case page")


# The UVO form's own queries (cases/views/workflow.py meeting_new), on a signed-in request
# whose session, user, roles and device come from the cache (accounts/signed_in.py):
# may this user work on the case (the case with the grounds, then its object permissions),
# what the next UVO is, the current team (a proposed attendee row each), the organisations
# every attendee and action row chooses from (read once for both formsets, not once per
# row, cases/forms.py _RowsWithOrganisations), and the menu's unread count and data stamp.
UVO_CASE_ACCESS = 2
UVO_NEXT_KIND = 1
UVO_TEAM = 1
UVO_ORGANISATIONS = 1  # for the attendees and the actions
UVO_MENU = 2  # the unread notifications, the data stamp of the badges kept in the cache
UVO_FORM_QUERIES = UVO_CASE_ACCESS + UVO_NEXT_KIND + UVO_TEAM + UVO_ORGANISATIONS + UVO_MENU


def _uvo_form_queries(client, url: str) -> CaptureQueriesContext:
    client.get(url)  # after a change, the menu's badges are counted once and kept
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def test_the_uvo_form_costs_the_same_for_one_and_eight_team_members(crew, today, author, wpi):
    client = client_for(crew.regisseur)
    url = reverse("cases:meeting_new", args=[crew.case.pk])
    # Counted at once: the next request clears the captured queries.
    assert_counted(_uvo_form_queries(client, url), UVO_FORM_QUERIES, what="the UVO form, 1 member")
    for number in range(7):
        team_member_add(
            case=crew.case,
            name=f"Professional {number}",
            organisation=wpi,
            role="Begeleider",
            sharing_basis="Zwaarwegend belang.",
            joined_on=today,
            by=author,
        )
    assert_counted(_uvo_form_queries(client, url), UVO_FORM_QUERIES, what="the UVO form, 8")
    assert text_of(client.get(url)).count("Professional ") == 8  # a row for each


def test_logging_an_uvo_asks_no_query_per_attendee_or_action(crew, today, wpi):
    client = client_for(crew.regisseur)
    url = reverse("cases:meeting_new", args=[crew.case.pk])
    client.get(url)
    due = (today + datetime.timedelta(days=14)).isoformat()

    def logged(rows: int, kind: str = Meeting.Kind.REGULAR) -> CaptureQueriesContext:
        data = _uvo(today, wpi, kind=kind)
        data.update(
            formset(
                "deelnemers",
                [{"name": f"Deelnemer {i}", "organisation": wpi.pk} for i in range(rows)],
            )
        )
        data.update(
            formset(
                "acties",
                [
                    {"description": f"Actie {i}", "owner_organisation": wpi.pk, "due_on": due}
                    for i in range(rows)
                ],
            )
        )
        with count_queries() as queries:
            response = client.post(url, data)
        assert response.status_code == 302
        return queries

    logged(1, kind=Meeting.Kind.FIRST)
    # Counted at once: the next request clears the captured queries.
    one = len(logged(1))
    eight = logged(8)
    assert Meeting.objects.filter(case=crew.case).count() == 3
    assert_counted(eight, one, what="logging an UVO with 8 attendees and actions, as with 1")


def test_the_exit_decisions_cost_the_same_for_one_and_three_proposals(crew, today, author, wpi):
    pto_r = crew.of("pto_r")
    client = client_for(pto_r)

    def advised(case: Case) -> None:
        Case.objects.filter(pk=case.pk).update(phase=Phase.EXECUTION)
        exit_advised_after_move(
            case,
            by=author,
            planned_on=today,
            proposed_on=today,
            advised_on=today,
            organisation=wpi,
        )

    def new_case() -> Case:
        return CaseFactory(
            region=crew.case.region,
            since=crew.case.registered_on,
            registered_on=crew.case.registered_on,
            regisseur_since=None,
            regisseur=crew.case.regisseur,
            buddy=crew.case.buddy,
        )

    advised(new_case())
    client.get(reverse("home"))  # a session's first request reads the signed-in user in
    small = _page_queries(client, reverse("cases:exit_decisions"))
    advised(new_case())
    advised(new_case())
    large = _page_queries(client, reverse("cases:exit_decisions"))
    assert_same_query_count(small, large, what="the exit decisions")


def test_signed_in_user_without_regisseur_record_sees_plain_list(today):
    manager = with_role(UserFactory(), Role.MANAGER)
    response = client_for(manager).get(reverse("cases:list"))
    assert "Er zijn geen casussen die u mag inzien." in text_of(response)
