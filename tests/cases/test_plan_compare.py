"""Comparing two plan versions: the text per field, and the interventions matched by
lineage into added, dropped, changed (which fields, old and new) and unchanged."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Intervention, Pillar
from cases.selectors.plans import (
    PLAN_TEXT_FIELDS,
    PLANS_OF_DIFFERENT_CASES,
    plan_versions_compare,
)
from cases.services.plans import (
    intervention_add,
    intervention_record_progress,
    intervention_remove,
    intervention_update,
    plan_version_new_from,
    plan_version_update,
)
from tests.factories import InterventionFactory, OrganisationFactory, PlanVersionFactory
from tests.queries import assert_query_count

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

SECOND_ADOPTED_ON = datetime.date(2025, 7, 1)
NEW_DEADLINE = datetime.date(2025, 12, 1)


@pytest.fixture
def versions(adopted_plan, author, adopt):
    """Version 1 and version 2, both adopted: version 2 changed the goals, gave the
    treatment another organisation and deadline, dropped the housing intervention
    and added a mentor."""
    first = adopted_plan
    housing = first.interventions.get(description="Woonbegeleiding regelen")
    treatment = first.interventions.get(description="Behandeling bij de GGD")
    second = plan_version_new_from(
        base=first, focus="Fase 2", explanation="Na de evaluatie van juni.", by=author
    )
    plan_version_update(version=second, goals="Werk en een woning.", by=author)
    intervention_update(
        intervention=second.interventions.get(lineage=treatment.lineage),
        deadline=NEW_DEADLINE,
        responsible_organisation=OrganisationFactory(code="rn", name="RN"),
        by=author,
    )
    intervention_remove(intervention=second.interventions.get(lineage=housing.lineage), by=author)
    intervention_add(
        version=second,
        description="Mentor via de moskee",
        pillar=Pillar.STRAF,
        responsible_organisation=OrganisationFactory(code="oov", name="OOV"),
        deadline=NEW_DEADLINE,
        by=author,
    )
    second = adopt(second, on=SECOND_ADOPTED_ON)
    return first, second, housing, treatment


def test_text_fields_say_whether_they_changed_with_old_and_new(versions):
    first, second, _, _ = versions

    comparison = plan_versions_compare(older=first, newer=second)

    fields = {f.name: f for f in comparison.fields}
    assert tuple(fields) == PLAN_TEXT_FIELDS
    assert fields["goals"].changed
    assert (fields["goals"].old, fields["goals"].new) == (
        "Stabiele woonsituatie.",
        "Werk en een woning.",
    )
    assert fields["focus"].changed and fields["explanation"].changed
    assert not fields["concerns"].changed
    assert fields["concerns"].old == fields["concerns"].new == first.concerns
    assert {f.name for f in comparison.changed_fields} == {"goals", "focus", "explanation"}
    assert fields["goals"].label == "doelen"


def test_interventions_are_matched_by_lineage(versions):
    first, second, housing, treatment = versions

    comparison = plan_versions_compare(older=first, newer=second)

    assert [i.description for i in comparison.added] == ["Mentor via de moskee"]
    assert comparison.added[0].plan_version_id == second.pk
    assert [i.lineage for i in comparison.dropped] == [housing.lineage]
    assert comparison.dropped[0].plan_version_id == first.pk
    assert [c.lineage for c in comparison.changed] == [treatment.lineage]
    assert comparison.unchanged == ()
    assert comparison.has_changes


def test_a_changed_intervention_names_each_changed_field_with_old_and_new(versions):
    first, second, _, treatment = versions

    change = plan_versions_compare(older=first, newer=second).changed[0]

    by_name = {c.name: c for c in change.changes}
    assert set(by_name) == {"responsible_organisation", "deadline"}
    assert (by_name["deadline"].old, by_name["deadline"].new) == (treatment.deadline, NEW_DEADLINE)
    assert by_name["responsible_organisation"].old.code == "ggd"
    assert by_name["responsible_organisation"].new.code == "rn"
    assert (change.old.plan_version_id, change.new.plan_version_id) == (first.pk, second.pk)


def test_progress_after_a_new_version_shows_as_a_change_of_status_and_result(versions, author):
    first, second, _, treatment = versions
    intervention_record_progress(
        intervention=second.interventions.get(lineage=treatment.lineage),
        status=Intervention.Status.DONE,
        result="Behandeling afgerond.",
        by=author,
    )

    change = plan_versions_compare(older=first, newer=second).changed[0]

    by_name = {c.name: (c.old, c.new) for c in change.changes}
    assert by_name["status"] == (Intervention.Status.PLANNED, Intervention.Status.DONE)
    assert by_name["result"] == ("", "Behandeling afgerond.")


def test_an_untouched_intervention_is_unchanged(adopted_plan, author):
    second = plan_version_new_from(
        base=adopted_plan, focus="Fase 2", explanation="Ongewijzigd voortzetten.", by=author
    )

    comparison = plan_versions_compare(older=adopted_plan, newer=second)

    assert len(comparison.unchanged) == 2
    assert (comparison.added, comparison.dropped, comparison.changed) == ((), (), ())
    assert {f.name for f in comparison.changed_fields} == {"focus", "explanation"}


def test_versions_given_the_wrong_way_round_are_compared_oldest_first(versions):
    first, second, _, _ = versions

    comparison = plan_versions_compare(older=second, newer=first)

    assert (comparison.older, comparison.newer) == (first, second)
    assert [i.description for i in comparison.added] == ["Mentor via de moskee"]


def test_a_version_compared_with_itself_has_no_changes(adopted_plan):
    comparison = plan_versions_compare(older=adopted_plan, newer=adopted_plan)
    assert not comparison.has_changes
    assert len(comparison.unchanged) == 2


def test_versions_of_different_cases_are_not_compared(adopted_plan):
    with pytest.raises(ValidationError) as refused:
        plan_versions_compare(older=adopted_plan, newer=PlanVersionFactory(number=2))
    assert refused.value.messages == [PLANS_OF_DIFFERENT_CASES]


@pytest.mark.parametrize("interventions", [1, 12])
def test_the_comparison_reads_the_interventions_in_one_query(interventions):
    older = PlanVersionFactory(adopted=True)
    newer = PlanVersionFactory(case=older.case, number=2)
    for _ in range(interventions):
        kept = InterventionFactory(plan_version=older)
        InterventionFactory(plan_version=newer, lineage=kept.lineage, description="Anders")
    interventions_with_organisations = 1

    with assert_query_count(interventions_with_organisations, what="plan_versions_compare"):
        comparison = plan_versions_compare(older=older, newer=newer)
        _ = [c.changes for c in comparison.changed]

    assert len(comparison.changed) == interventions


def test_a_pillar_given_to_an_intervention_from_before_the_pillars_shows_as_a_change():
    older = PlanVersionFactory(adopted=True)
    newer = PlanVersionFactory(case=older.case, number=2)
    kept = InterventionFactory(plan_version=older, pillar=None)
    InterventionFactory(
        plan_version=newer,
        lineage=kept.lineage,
        description=kept.description,
        pillar=Pillar.BRUSJES,
    )

    (change,) = plan_versions_compare(older=older, newer=newer).changed

    assert [(c.name, c.old, c.new) for c in change.changes] == [("pillar", None, "Brusjes")]
