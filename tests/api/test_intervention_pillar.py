"""Every intervention written through the API names its pillar (docs/rules.md R-MON-2):
without one, or with another, the plan is refused with the form's Dutch message and
nothing is written; the pillar reads back as written."""

from __future__ import annotations

import pytest

from cases.models import Intervention, Pillar, PlanVersion
from cases.services.plans import INTERVENTION_PILLAR_REQUIRED
from tests.factories import CaseFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def plan_body(case, **intervention) -> dict:
    return {
        "case": case.pk,
        "concerns": "Zorgen",
        "goals": "Doelen",
        "course": "Koers",
        "joint_task": "Taak",
        "interventions": [
            {
                "description": "Begeleiding",
                "responsible_organisation": OrganisationFactory().pk,
                "deadline": "2027-01-01",
                **intervention,
            }
        ],
    }


@pytest.mark.parametrize("pillar", [None, "", "politie"])
def test_a_plan_whose_intervention_names_no_pillar_is_refused_in_dutch(api, pillar):
    case = CaseFactory()
    body = plan_body(case) if pillar is None else plan_body(case, pillar=pillar)

    response = api.post("/api/v1/plans/", body, format="json")

    assert response.status_code == 400, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {"interventions.0.pillar": str(INTERVENTION_PILLAR_REQUIRED)}
    assert not PlanVersion.objects.filter(case=case).exists()


def test_the_pillar_is_written_and_read_back(api):
    case = CaseFactory()

    response = api.post("/api/v1/plans/", plan_body(case, pillar="brusjes"), format="json")

    assert response.status_code == 201, response.content
    assert [i["pillar"] for i in response.json()["interventions"]] == [Pillar.BRUSJES]
    assert Intervention.objects.get(plan_version__case=case).pillar == Pillar.BRUSJES
