"""Changes along the way, as the regisseur or the programme team meets them: the
intervention team (a member with an account reads the case from the day added until
the day of leaving), another buddy, corrected person data, a move (which opens the
exit procedure at once) and the concept interventions of a plan. Each happy path
changes the record and a page shows it; bad input answers 400 with the Dutch message
next to its field and writes nothing; a refused rule answers 409 and writes nothing;
a team member gets 403, everyone who does not see the case 404."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessLog
from cases.models import Case, CaseStatus, ExitGround, ExitProcedure, Intervention, Person, Pillar
from cases.services.assignments import BUDDY_UNCHANGED
from cases.services.exits import EXIT_MOVE_NEEDS_MUNICIPALITY_CONTACT
from cases.services.intake import BSN_FAILS_ELEVEN_CHECK
from cases.services.plans import InterventionInput
from cases.services.team import (
    TEAM_ACCOUNT_OTHER_ORGANISATION,
    TEAM_CASE_EXITED,
)
from cases.views.changes import (
    BUDDY_CHANGED,
    INTERVENTION_CHANGED,
    INTERVENTION_REMOVED,
    MOVE_RECORDED,
    PERSON_CORRECTED,
    TEAM_MEMBER_ADDED,
    TEAM_MEMBER_LEFT,
)
from cases.workflow import PLAN_ADOPTED_IMMUTABLE
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    adopt_first_plan,
    plan_concept,
)

from .conftest import OUTSIDERS, client_for, with_role

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def url(name: str, case: Case, *args: int) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *args])


def ggd():
    return OrganisationFactory(code="ggd", name="GGD")


def _member(today, **overrides) -> dict:
    return {
        "name": "Wijkagent Noord",
        "organisation": ggd().pk,
        "role": "Wijkagent",
        "user": "",
        "sharing_basis": "Zwaarwegend belang: de wijkagent kent de persoon en de buurt.",
        "joined_on": today.isoformat(),
        **overrides,
    }


# --- the intervention team ---------------------------------------------------------------


def test_a_member_added_with_an_account_reads_the_case_until_leaving(crew, today):
    partner = with_role(UserFactory(organisation=ggd()), Role.TEAM_MEMBER)
    assert client_for(partner).get(url("detail", crew.case)).status_code == 404
    client = client_for(crew.regisseur)
    assert url("team", crew.case) in text_of(client.get(url("detail", crew.case)))

    response = client.post(url("team", crew.case), _member(today, user=partner.pk), follow=True)

    assert str(TEAM_MEMBER_ADDED % {"name": "Wijkagent Noord"}) in text_of(response)
    assert "Zwaarwegend belang: de wijkagent kent de persoon en de buurt." in text_of(response)
    member = crew.case.team_members.get(user=partner)
    assert client_for(partner).get(url("detail", crew.case)).status_code == 200

    leave = url("team_leave", crew.case, member.pk)
    assert leave in text_of(response)
    response = client.post(leave, {"left_on": today.isoformat()}, follow=True)

    assert str(TEAM_MEMBER_LEFT % {"name": "Wijkagent Noord"}) in text_of(response)
    member.refresh_from_db()
    assert member.left_on == today
    assert client_for(partner).get(url("detail", crew.case)).status_code == 404


def test_a_member_without_the_basis_of_sharing_is_refused_at_its_field(crew, today):
    before = crew.case.team_members.count()
    response = client_for(crew.regisseur).post(
        url("team", crew.case), _member(today, sharing_basis="  ")
    )
    assert response.status_code == 400
    assert 'id="id_sharing_basis_error"' in text_of(response)
    assert "Dit veld is vereist." in text_of(response)
    assert "Wijkagent Noord" in text_of(response)  # the input is kept
    assert crew.case.team_members.count() == before


def test_an_account_of_another_organisation_is_refused_on_its_field(crew, today):
    police = OrganisationFactory(code="politie", name="Politie")
    partner = with_role(UserFactory(organisation=police), Role.TEAM_MEMBER)
    before = crew.case.team_members.count()
    response = client_for(crew.regisseur).post(
        url("team", crew.case), _member(today, user=partner.pk)
    )
    assert response.status_code == 400
    message = str(TEAM_ACCOUNT_OTHER_ORGANISATION % {"organisation": "GGD"})
    assert message in text_of(response)
    assert crew.case.team_members.count() == before


def test_the_team_of_an_exited_case_is_refused_with_409(crew, today):
    Case.objects.filter(pk=crew.case.pk).update(status=CaseStatus.EXITED, exited_on=today, phase=3)
    before = crew.case.team_members.count()
    response = client_for(crew.programme_team).post(url("team", crew.case), _member(today))
    assert response.status_code == 409
    assert str(TEAM_CASE_EXITED) in text_of(response)
    assert crew.case.team_members.count() == before


@pytest.mark.parametrize("name", OUTSIDERS)
def test_who_does_not_see_the_case_does_not_find_its_team(crew, name):
    assert client_for(crew.of(name)).get(url("team", crew.case)).status_code == 404


def test_a_team_member_reads_the_case_but_not_its_team_page(crew):
    assert client_for(crew.team_member).get(url("team", crew.case)).status_code == 403


def test_a_member_of_another_case_is_not_found(crew, start_case, author, today):
    other = start_case()
    member = other.team_members.create(
        name="Elders", organisation=ggd(), joined_on=today, sharing_basis="x"
    )
    response = client_for(crew.regisseur).get(url("team_leave", crew.case, member.pk))
    assert response.status_code == 404


# --- another buddy -----------------------------------------------------------------------


def test_the_buddy_is_changed_and_the_case_page_shows_it(crew, today):
    new_buddy = crew.other_regisseur.regisseur
    client = client_for(crew.regisseur)
    assert url("buddy_change", crew.case) in text_of(client.get(url("detail", crew.case)))
    response = client.post(
        url("buddy_change", crew.case),
        {
            "revision": crew.case.revision,
            "new_buddy": new_buddy.pk,
            "on": today.isoformat(),
            "reason": "De buddy gaat met verlof.",
        },
        follow=True,
    )
    assert str(BUDDY_CHANGED) in text_of(response)
    crew.case.refresh_from_db()
    assert crew.case.buddy == new_buddy


def test_the_same_buddy_again_is_refused_with_409(crew, today):
    crew.case.refresh_from_db()
    revision = crew.case.revision
    response = client_for(crew.regisseur).post(
        url("buddy_change", crew.case),
        {
            "revision": revision,
            "new_buddy": crew.case.buddy_id,
            "on": today.isoformat(),
            "reason": "Nog eens.",
        },
    )
    assert response.status_code == 409
    assert str(BUDDY_UNCHANGED % {"regisseur": str(crew.case.buddy)}) in text_of(response)
    crew.case.refresh_from_db()
    assert crew.case.revision == revision


def test_a_buddy_change_on_a_changed_case_says_so_once_and_offers_the_case_as_it_is(crew, today):
    """The refusal of a stale form names the change once, above the form, and the form
    carries the present revision so a second try can succeed."""
    crew.case.refresh_from_db()
    revision = crew.case.revision
    response = client_for(crew.regisseur).post(
        url("buddy_change", crew.case),
        {
            "revision": revision - 1,
            "new_buddy": crew.other_regisseur.regisseur.pk,
            "on": today.isoformat(),
            "reason": "De buddy gaat met verlof.",
        },
    )
    assert response.status_code == 409
    assert text_of(response).count("door iemand anders gewijzigd") == 1
    assert f'name="revision" value="{revision}"' in text_of(response)
    crew.case.refresh_from_db()
    assert (crew.case.revision, crew.case.buddy_id) == (revision, crew.case.buddy_id)


def test_a_buddy_change_without_a_reason_is_refused_with_400(crew, today):
    response = client_for(crew.regisseur).post(
        url("buddy_change", crew.case),
        {
            "revision": crew.case.revision,
            "new_buddy": crew.other_regisseur.regisseur.pk,
            "on": today.isoformat(),
            "reason": "",
        },
    )
    assert response.status_code == 400
    crew.case.refresh_from_db()
    assert crew.case.buddy.user == crew.buddy


# --- person data ------------------------------------------------------------------------


def _person(case: Case, **overrides) -> dict:
    person = Person.objects.get(case=case)
    return {
        "revision": Case.objects.get(pk=case.pk).revision,
        "first_name": person.first_name,
        "last_name": "Gecorrigeerd",
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "address": person.address,
        "bsn": "",
        **overrides,
    }


def test_person_data_is_corrected_and_the_read_is_logged(crew):
    client = client_for(crew.regisseur)
    form = client.get(url("person_edit", crew.case))
    assert form.status_code == 200
    assert AccessLog.objects.filter(
        user=crew.regisseur, object_type="cases.person", case_id=crew.case.pk
    ).exists()

    response = client.post(url("person_edit", crew.case), _person(crew.case), follow=True)

    assert str(PERSON_CORRECTED) in text_of(response)
    assert Person.objects.get(case=crew.case).last_name == "Gecorrigeerd"
    history = apps.get_model("cases", "PersonEvent").objects.filter(
        pgh_obj_id=Person.objects.get(case=crew.case).pk, last_name="Gecorrigeerd"
    )
    assert history.exists()  # the correction is kept, with its author (pghistory context)


def test_a_bsn_failing_the_eleven_check_is_refused_on_its_field(crew):
    response = client_for(crew.regisseur).post(
        url("person_edit", crew.case), _person(crew.case, bsn="123456789")
    )
    assert response.status_code == 400
    assert str(BSN_FAILS_ELEVEN_CHECK) in text_of(response)
    assert Person.objects.get(case=crew.case).last_name == "Fictief"


def test_a_team_member_does_not_correct_person_data(crew):
    assert client_for(crew.team_member).get(url("person_edit", crew.case)).status_code == 403


# --- a move ----------------------------------------------------------------------------


def test_a_move_opens_the_exit_procedure_at_once(crew, today):
    client = client_for(crew.regisseur)
    assert url("move", crew.case) in text_of(client.get(url("detail", crew.case)))
    response = client.post(
        url("move", crew.case),
        {
            "abroad": "nee",
            "destination": "Utrecht",
            "municipality_contact": "Gesprek met het Veiligheidshuis Utrecht.",
            "information_weighing": "",
            "moved_on": today.isoformat(),
        },
        follow=True,
    )
    ground = ExitGround.MOVED_NL.label
    assert str(MOVE_RECORDED % {"ground": ground}) in text_of(response)
    procedure = ExitProcedure.objects.running().get(case=crew.case)
    assert (procedure.ground, procedure.municipality_contact) == (
        ExitGround.MOVED_NL,
        "Gesprek met het Veiligheidshuis Utrecht.",
    )


def test_a_move_without_the_contact_is_refused_with_400(crew, today):
    response = client_for(crew.regisseur).post(
        url("move", crew.case),
        {
            "abroad": "nee",
            "destination": "Utrecht",
            "municipality_contact": "",
            "moved_on": today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert str(EXIT_MOVE_NEEDS_MUNICIPALITY_CONTACT) in text_of(response)
    assert not ExitProcedure.objects.filter(case=crew.case).exists()


# --- concept interventions and progress from the plan page --------------------------------


def _intervention_data(version, intervention, **overrides) -> dict:
    return {
        "revision": version.revision,
        "description": intervention.description,
        "pillar": intervention.pillar,
        "responsible_organisation": intervention.responsible_organisation_id,
        "deadline": intervention.deadline.isoformat(),
        **overrides,
    }


@pytest.fixture
def concept(crew, author, today):
    return plan_concept(
        crew.case,
        by=author,
        interventions=[
            InterventionInput(
                description="Schuldhulp starten",
                pillar=Pillar.ZORG,
                responsible_organisation=ggd(),
                deadline=today + datetime.timedelta(days=30),
            )
        ],
    )


def test_a_concept_intervention_is_changed_and_removed_from_the_plan_page(crew, concept):
    client = client_for(crew.regisseur)
    intervention = concept.interventions.get()
    page = text_of(client.get(reverse("cases:plan_version", args=[crew.case.pk, concept.pk])))
    edit = url("intervention_edit", crew.case, intervention.pk)
    remove = url("intervention_delete", crew.case, intervention.pk)
    assert edit in page and remove in page

    response = client.post(
        edit, _intervention_data(concept, intervention, description="Schuldhulp via WPI")
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.description == "Schuldhulp via WPI"
    concept.refresh_from_db()

    response = client.post(remove, {"revision": concept.revision}, follow=True)
    assert str(INTERVENTION_REMOVED % {"number": concept.number}) in text_of(response)
    assert not Intervention.objects.filter(pk=intervention.pk).exists()


def test_an_intervention_without_a_description_is_refused_with_400(crew, concept):
    intervention = concept.interventions.get()
    response = client_for(crew.regisseur).post(
        url("intervention_edit", crew.case, intervention.pk),
        _intervention_data(concept, intervention, description=""),
    )
    assert response.status_code == 400
    intervention.refresh_from_db()
    assert intervention.description == "Schuldhulp starten"
    assert str(INTERVENTION_CHANGED) not in text_of(response)


def test_an_adopted_intervention_is_not_changed_but_its_progress_is_reachable(crew, author, today):
    version = adopt_first_plan(
        crew.case, by=author, on=today - datetime.timedelta(days=5), organisation=ggd()
    )
    intervention = version.interventions.get()
    client = client_for(crew.regisseur)
    page = text_of(client.get(reverse("cases:plan_version", args=[crew.case.pk, version.pk])))
    progress = url("intervention_progress", crew.case, intervention.pk)
    assert progress in page
    assert url("intervention_edit", crew.case, intervention.pk) not in page
    assert client.get(progress).status_code == 200

    response = client.post(
        url("intervention_edit", crew.case, intervention.pk),
        _intervention_data(version, intervention, description="Anders"),
    )
    assert response.status_code == 409
    assert str(PLAN_ADOPTED_IMMUTABLE) in text_of(response)
    intervention.refresh_from_db()
    assert intervention.description == "Iets"

    response = client.post(progress, {"status": Intervention.Status.RUNNING, "result": ""})
    assert response.status_code == 302
