"""PostgreSQL itself keeps an adopted plan version as it was adopted: no code path
(a bulk update, the admin, a migration, a mistake) can change or delete it, nor
what its interventions agreed. Progress (status, result) may still change."""

from __future__ import annotations

import datetime

import pytest
from django.db import InternalError, connection, transaction

from cases.models import Intervention, PlanVersion
from tests.factories import InterventionFactory, OrganisationFactory, PlanVersionFactory

pytestmark = pytest.mark.django_db

# pgtrigger's Protect raises from PL/pgSQL, which Django reports as InternalError.
REFUSED = pytest.raises(InternalError, match="Cannot")


def refused(write) -> None:
    # The refusal aborts the statement; the savepoint keeps the test's transaction usable.
    with REFUSED, transaction.atomic():
        write()


def test_an_adopted_version_refuses_an_update(adopted_plan):
    refused(lambda: PlanVersion.objects.filter(pk=adopted_plan.pk).update(goals="Anders"))
    adopted_plan.refresh_from_db()
    assert adopted_plan.goals == "Stabiele woonsituatie."


def test_an_adopted_version_refuses_even_a_revision_bump_or_an_unadoption(adopted_plan):
    refused(lambda: PlanVersion.objects.filter(pk=adopted_plan.pk).update(revision=99))
    refused(
        lambda: PlanVersion.objects.filter(pk=adopted_plan.pk).update(
            status="concept", adopted_on=None, adopted_by=None
        )
    )


def test_an_adopted_version_refuses_a_save(adopted_plan):
    adopted_plan.course = "Een andere koers"
    refused(adopted_plan.save)


def test_an_adopted_version_refuses_a_delete(adopted_plan):
    # Plain SQL: the ORM's delete would stop at the PROTECTed ITAT-R advice first.
    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_planversion WHERE id = %s", [adopted_plan.pk])

    refused(delete)
    assert PlanVersion.objects.filter(pk=adopted_plan.pk).exists()


def test_a_concept_version_may_change():
    version = PlanVersionFactory()
    PlanVersion.objects.filter(pk=version.pk).update(goals="Anders")
    version.refresh_from_db()
    assert version.goals == "Anders"


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Iets anders"},
        {"pillar": "straf"},
        {"pillar": None},
        {"deadline": datetime.date(2030, 1, 1)},
        {"frozen": False},
    ],
)
def test_a_frozen_intervention_refuses_a_change_of_its_terms(adopted_plan, change):
    intervention = adopted_plan.interventions.first()
    refused(lambda: Intervention.objects.filter(pk=intervention.pk).update(**change))


def test_a_frozen_intervention_refuses_another_organisation_or_version(adopted_plan):
    intervention = adopted_plan.interventions.first()
    other = OrganisationFactory(code="politie")
    refused(
        lambda: Intervention.objects.filter(pk=intervention.pk).update(
            responsible_organisation=other
        )
    )
    elsewhere = PlanVersionFactory()
    refused(lambda: Intervention.objects.filter(pk=intervention.pk).update(plan_version=elsewhere))


def test_a_frozen_intervention_refuses_a_delete(adopted_plan):
    intervention = adopted_plan.interventions.first()
    refused(lambda: Intervention.objects.filter(pk=intervention.pk).delete())
    assert Intervention.objects.filter(pk=intervention.pk).exists()


def test_a_frozen_intervention_still_takes_progress(adopted_plan):
    intervention = adopted_plan.interventions.first()
    Intervention.objects.filter(pk=intervention.pk).update(
        status=Intervention.Status.DONE, result="Woning gevonden."
    )
    intervention.refresh_from_db()
    assert (intervention.status, intervention.result) == (
        Intervention.Status.DONE,
        "Woning gevonden.",
    )


def test_an_intervention_of_a_concept_may_change_and_go():
    intervention = InterventionFactory()
    Intervention.objects.filter(pk=intervention.pk).update(description="Anders")
    Intervention.objects.filter(pk=intervention.pk).delete()
    assert not Intervention.objects.filter(pk=intervention.pk).exists()
