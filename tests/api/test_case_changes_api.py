"""The changes along the way through the sync API, on the same services as the web
pages: a team member linked to an account with the basis of the information sharing,
a move that opens the exit procedure at once, and the concept interventions of a plan
version changed or taken out."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from cases.access import users_with_case_access
from cases.models import ExitGround, ExitProcedure, Intervention, Pillar
from cases.services.plans import InterventionInput
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    UserFactory,
    adopt_first_plan,
    plan_concept,
)

pytestmark = pytest.mark.django_db


def etag(api, url: str) -> str:
    return api.get(url)["ETag"]


def test_a_team_member_with_an_account_and_a_sharing_basis(api):
    case = CaseFactory()
    ggd = OrganisationFactory(code="ggd", name="GGD")
    partner = UserFactory(organisation=ggd, roles=[Role.TEAM_MEMBER])
    body = {
        "case": case.pk,
        "name": "Zorgcoördinator GGD",
        "organisation": ggd.pk,
        "role": "Zorg",
        "sharing_basis": "Zwaarwegend belang: zorgcoördinatie.",
        "user": partner.pk,
        "joined_on": timezone.localdate().isoformat(),
    }
    made = api.post("/api/v1/team-members/", body, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["user"], made.json()["sharing_basis"]) == (
        partner.pk,
        "Zwaarwegend belang: zorgcoördinatie.",
    )
    assert partner.pk in users_with_case_access(case)

    url = f"/api/v1/team-members/{made.json()['id']}/"
    left = api.post(
        f"{url}leave/",
        {"left_on": timezone.localdate().isoformat()},
        format="json",
        HTTP_IF_MATCH=etag(api, url),
    )
    assert left.status_code == 200, left.json()
    assert partner.pk not in users_with_case_access(case)  # the same day


def test_a_team_member_without_a_sharing_basis_is_refused(api):
    case = CaseFactory()
    ggd = OrganisationFactory(code="ggd", name="GGD")
    body = {
        "case": case.pk,
        "name": "Zorgcoördinator GGD",
        "organisation": ggd.pk,
        "sharing_basis": " ",
        "joined_on": timezone.localdate().isoformat(),
    }
    refused = api.post("/api/v1/team-members/", body, format="json")
    assert refused.status_code == 400
    assert not case.team_members.exists()


def test_a_move_opens_the_exit_procedure_at_once(api):
    case = CaseFactory()  # phase 1
    url = f"/api/v1/cases/{case.pk}/"
    body = {
        "destination": "Berlijn",
        "abroad": True,
        "moved_on": timezone.localdate().isoformat(),
        "information_weighing": "Politie en OM geven niets door.",
    }
    moved = api.post(f"{url}move/", body, format="json", HTTP_IF_MATCH=etag(api, url))
    assert moved.status_code == 200, moved.json()
    procedure = ExitProcedure.objects.running().get(case=case)
    assert (procedure.ground, procedure.information_weighing) == (
        ExitGround.MOVED_ABROAD,
        "Politie en OM geven niets door.",
    )


def test_a_move_without_the_weighing_changes_nothing(api):
    case = CaseFactory()
    url = f"/api/v1/cases/{case.pk}/"
    body = {"destination": "Berlijn", "abroad": True, "moved_on": "2025-02-01"}
    refused = api.post(f"{url}move/", body, format="json", HTTP_IF_MATCH=etag(api, url))
    assert refused.status_code == 400
    assert not ExitProcedure.objects.filter(case=case).exists()


def _concept(case, today: datetime.date):
    return plan_concept(
        case,
        by=UserFactory(),
        interventions=[
            InterventionInput(
                description="Schuldhulp starten",
                pillar=Pillar.ZORG,
                responsible_organisation=OrganisationFactory(code="wpi", name="WPI"),
                deadline=today,
            )
        ],
    )


def test_a_concept_intervention_is_changed_and_taken_out(api):
    case = CaseFactory()
    version = _concept(case, timezone.localdate())
    intervention = version.interventions.get()
    url = f"/api/v1/plans/{version.pk}/"
    changed = api.post(
        f"{url}intervention-update/",
        {"intervention": intervention.pk, "description": "Schuldhulp via WPI"},
        format="json",
        HTTP_IF_MATCH=etag(api, url),
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["interventions"][0]["description"] == "Schuldhulp via WPI"

    removed = api.post(
        f"{url}intervention-remove/",
        {"intervention": intervention.pk},
        format="json",
        HTTP_IF_MATCH=etag(api, url),
    )
    assert removed.status_code == 200, removed.json()
    assert removed.json()["interventions"] == []


def test_an_adopted_intervention_is_not_changed(api):
    case = CaseFactory()
    version = adopt_first_plan(
        case,
        by=UserFactory(),
        on=timezone.localdate(),
        organisation=OrganisationFactory(code="wpi", name="WPI"),
    )
    intervention = version.interventions.get()
    url = f"/api/v1/plans/{version.pk}/"
    refused = api.post(
        f"{url}intervention-remove/",
        {"intervention": intervention.pk},
        format="json",
        HTTP_IF_MATCH=etag(api, url),
    )
    assert refused.status_code == 409
    assert Intervention.objects.filter(pk=intervention.pk).exists()
