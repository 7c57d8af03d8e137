"""The plan of approach as a versioned, living document: concept -> ITAT-R advice ->
adopted; an adopted version never changes, a change of plan is a new version that
carries the interventions over with their lineage; progress is still recorded."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseStatus, Intervention, ItatAdvice, Pillar, PlanStatus, PlanVersion
from cases.selectors.plans import (
    current_plan,
    latest_plan_version,
    open_plan_version,
    plan_in_force_on,
    plan_versions_of,
)
from cases.services.plans import (
    ADVICE_RECOMMENDATION_INVALID,
    ADVICE_TEXT_REQUIRED,
    INTERVENTION_DEADLINE_REQUIRED,
    INTERVENTION_DESCRIPTION_REQUIRED,
    INTERVENTION_ORGANISATION_REQUIRED,
    INTERVENTION_PILLAR_REQUIRED,
    INTERVENTION_RESULT_REQUIRED,
    INTERVENTION_STATUS_INVALID,
    INTERVENTION_VERSION_SUPERSEDED,
    PLAN_ADOPTED_BEFORE_ADVICE,
    PLAN_ADOPTED_BEFORE_PREVIOUS,
    PLAN_ADOPTED_IMMUTABLE,
    PLAN_BASE_OF_OTHER_CASE,
    PLAN_CASE_EXITED,
    PLAN_CASE_OR_BASE_REQUIRED,
    PLAN_DATE_IN_FUTURE,
    PLAN_FIELDS_REQUIRED,
    PLAN_FOCUS_REQUIRED,
    PLAN_NEEDS_ITAT_ADVICE,
    PLAN_NO_INTERVENTIONS,
    PLAN_NOTHING_TO_BUILD_ON,
    PLAN_OPEN_VERSION_EXISTS,
    InterventionInput,
    intervention_add,
    intervention_record_progress,
    intervention_remove,
    intervention_update,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
    plan_version_new_from,
    plan_version_update,
)
from kernel.errors import RuleViolation, StaleObject
from tests.factories import CaseFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

ADVICE_ON = datetime.date(2025, 3, 1)
LATER = datetime.date(2025, 6, 1)
FOCUS = "Fase 2: uitvoeren en de woonsituatie stabiliseren."
EXPLANATION = "De maandelijkse evaluatie liet zien dat wonen voorop moet."


def an_intervention(code: str = "wpi", description: str = "Schuldhulp starten"):
    return InterventionInput(
        description=description,
        pillar=Pillar.ZORG,
        responsible_organisation=OrganisationFactory(code=code, name=code.upper()),
        deadline=datetime.date(2025, 7, 1),
    )


def write_concept(case, by, *, interventions=None, focus="", explanation="", **text):
    fields = {
        "concerns": "Zorgen over geweldsbereidheid.",
        "goals": "Afname van geweldsbereidheid.",
        "course": "Contact via de regisseur.",
        "joint_task": "Veiligheid en zorg samen.",
    } | text
    return plan_version_create(
        case=case,
        focus=focus,
        explanation=explanation,
        interventions=[an_intervention()] if interventions is None else interventions,
        by=by,
        **fields,
    )


def advise(version, by, on=ADVICE_ON):
    return plan_record_itat_advice(
        version=version,
        given_on=on,
        recommendation=ItatAdvice.Recommendation.WITH_CHANGES,
        advice="Maak de doelen concreter.",
        by=by,
    )


def next_concept(version, by):
    return plan_version_new_from(base=version, focus=FOCUS, explanation=EXPLANATION, by=by)


# --- Creating versions --------------------------------------------------------


def test_the_first_version_is_a_concept_numbered_one_with_its_interventions(author):
    case = CaseFactory()
    version = write_concept(
        case, author, interventions=[an_intervention("wpi"), an_intervention("ggd")]
    )

    assert (version.number, version.status, version.based_on) == (1, PlanStatus.CONCEPT, None)
    assert version.created_by == author
    assert sorted(
        version.interventions.values_list("responsible_organisation__code", flat=True)
    ) == [
        "ggd",
        "wpi",
    ]
    assert not version.interventions.filter(frozen=True).exists()


def test_creating_a_version_moves_the_case_on(author, time_machine):
    case = CaseFactory()
    before = (case.revision, case.updated_at)
    time_machine.shift(datetime.timedelta(minutes=5))

    write_concept(case, author)

    case.refresh_from_db()
    assert case.revision == before[0] + 1
    assert case.updated_at > before[1]


def test_only_one_version_is_in_progress_at_a_time(author):
    case = CaseFactory()
    write_concept(case, author)

    with pytest.raises(RuleViolation) as refused:
        write_concept(case, author, focus=FOCUS, explanation=EXPLANATION)

    assert refused.value.messages == [PLAN_OPEN_VERSION_EXISTS]
    assert case.plan_versions.count() == 1


def test_a_version_after_the_first_needs_a_new_focus_and_explanation(adopted_plan, author):
    case = adopted_plan.case
    with pytest.raises(ValidationError) as refused:
        write_concept(case, author, focus=FOCUS, explanation="  ")
    assert refused.value.messages == [PLAN_FOCUS_REQUIRED]

    second = write_concept(case, author, focus=FOCUS, explanation=EXPLANATION)
    assert second.number == 2


def test_a_version_written_from_scratch_copies_nothing(adopted_plan, author):
    second = write_concept(
        adopted_plan.case, author, interventions=[], focus=FOCUS, explanation=EXPLANATION
    )

    assert second.based_on is None
    assert not second.interventions.exists()
    assert second.goals == "Afname van geweldsbereidheid."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": " "}, INTERVENTION_DESCRIPTION_REQUIRED),
        ({"responsible_organisation": None}, INTERVENTION_ORGANISATION_REQUIRED),
        ({"deadline": None}, INTERVENTION_DEADLINE_REQUIRED),
        ({"pillar": None}, INTERVENTION_PILLAR_REQUIRED),
        ({"pillar": "politie"}, INTERVENTION_PILLAR_REQUIRED),
    ],
)
def test_every_intervention_names_what_who_and_by_when(author, change, message):
    case = CaseFactory()
    fields = {
        "description": "Schuldhulp",
        "pillar": Pillar.ZORG,
        "responsible_organisation": OrganisationFactory(code="wpi"),
        "deadline": LATER,
    } | change

    with pytest.raises(ValidationError) as refused:
        write_concept(case, author, interventions=[InterventionInput(**fields)])

    assert refused.value.messages == [message]
    assert not case.plan_versions.exists()


def test_an_exited_case_gets_no_new_plan(author):
    case = CaseFactory(exited=True)
    with pytest.raises(RuleViolation) as refused:
        write_concept(case, author)
    assert refused.value.messages == [PLAN_CASE_EXITED]


# --- A new version from the latest --------------------------------------------


def test_a_new_version_copies_the_latest_with_interventions_and_their_lineage(adopted_plan, author):
    first = adopted_plan
    progressed = first.interventions.first()
    intervention_record_progress(
        intervention=progressed, status=Intervention.Status.RUNNING, result="Gestart", by=author
    )

    second = plan_version_new_from(case=first.case, focus=FOCUS, explanation=EXPLANATION, by=author)

    assert (second.number, second.based_on, second.status) == (2, first, PlanStatus.CONCEPT)
    assert (second.focus, second.explanation) == (FOCUS, EXPLANATION)
    for name in ("concerns", "goals", "course", "joint_task"):
        assert getattr(second, name) == getattr(first, name)

    def terms(version):
        return {
            i.lineage: (
                i.description,
                i.responsible_organisation_id,
                i.deadline,
                i.status,
                i.result,
            )
            for i in version.interventions.all()
        }

    assert terms(second) == terms(first)
    assert len(terms(second)) == 2
    assert not second.interventions.filter(frozen=True).exists()
    assert (
        second.interventions.get(lineage=progressed.lineage).status == Intervention.Status.RUNNING
    )


def test_a_new_version_needs_its_own_focus_and_explanation(adopted_plan, author):
    with pytest.raises(ValidationError) as refused:
        plan_version_new_from(case=adopted_plan.case, focus="", explanation=EXPLANATION, by=author)
    assert refused.value.messages == [PLAN_FOCUS_REQUIRED]
    assert adopted_plan.case.plan_versions.count() == 1


def test_a_new_version_is_refused_while_another_is_in_progress(adopted_plan, author):
    next_concept(adopted_plan, author)
    with pytest.raises(RuleViolation) as refused:
        next_concept(adopted_plan, author)
    assert refused.value.messages == [PLAN_OPEN_VERSION_EXISTS]


def test_a_new_version_needs_something_to_build_on(author):
    with pytest.raises(RuleViolation) as refused:
        plan_version_new_from(case=CaseFactory(), focus=FOCUS, explanation=EXPLANATION, by=author)
    assert refused.value.messages == [PLAN_NOTHING_TO_BUILD_ON]

    with pytest.raises(ValidationError) as refused_input:
        plan_version_new_from(focus=FOCUS, explanation=EXPLANATION, by=author)
    assert refused_input.value.messages == [PLAN_CASE_OR_BASE_REQUIRED]


def test_the_base_version_must_be_of_the_same_case(adopted_plan, author):
    with pytest.raises(ValidationError) as refused:
        plan_version_new_from(
            case=CaseFactory(), base=adopted_plan, focus=FOCUS, explanation=EXPLANATION, by=author
        )
    assert refused.value.messages == [PLAN_BASE_OF_OTHER_CASE]


# --- Changing a version in progress ---------------------------------------------


def test_a_concept_is_changed_and_moves_to_a_new_revision_with_its_case(author):
    case = CaseFactory()
    version = write_concept(case, author)
    case.refresh_from_db()
    case_revision = case.revision

    changed = plan_version_update(
        version=version, goals="Werk vinden.", expected_revision=version.revision, by=author
    )

    assert changed.goals == "Werk vinden."
    assert changed.concerns == version.concerns
    assert changed.revision == version.revision + 1
    case.refresh_from_db()
    assert case.revision == case_revision + 1


def test_a_stale_revision_is_refused(author):
    version = write_concept(CaseFactory(), author)
    plan_version_update(version=version, goals="Eerste wijziging", by=author)

    with pytest.raises(StaleObject):
        plan_version_update(
            version=version, goals="Tweede", expected_revision=version.revision, by=author
        )
    version.refresh_from_db()
    assert version.goals == "Eerste wijziging"


def test_a_version_with_itat_advice_can_still_take_the_advice_on_board(author):
    version = write_concept(CaseFactory(), author)
    advise(version, author)

    changed = plan_version_update(version=version, goals="Concretere doelen.", by=author)

    assert (changed.goals, changed.status) == ("Concretere doelen.", PlanStatus.ADVISED)


def test_an_adopted_version_never_changes(adopted_plan, author):
    with pytest.raises(RuleViolation) as refused:
        plan_version_update(version=adopted_plan, goals="Iets anders", by=author)

    assert refused.value.messages == [PLAN_ADOPTED_IMMUTABLE]
    adopted_plan.refresh_from_db()
    assert adopted_plan.goals == "Stabiele woonsituatie."


def test_a_later_version_keeps_its_focus_and_explanation(adopted_plan, author):
    second = next_concept(adopted_plan, author)
    with pytest.raises(ValidationError) as refused:
        plan_version_update(version=second, explanation="", by=author)
    assert refused.value.messages == [PLAN_FOCUS_REQUIRED]


def test_interventions_are_added_changed_and_removed_on_a_concept(author):
    version = write_concept(CaseFactory(), author, interventions=[])
    revision = version.revision
    ggd = OrganisationFactory(code="ggd")

    added = intervention_add(
        version=version,
        description="Behandeling",
        pillar=Pillar.ZORG,
        responsible_organisation=ggd,
        deadline=LATER,
        expected_revision=revision,
        by=author,
    )
    changed = intervention_update(
        intervention=added,
        deadline=datetime.date(2025, 8, 1),
        expected_revision=revision + 1,
        by=author,
    )
    assert (changed.description, changed.deadline) == ("Behandeling", datetime.date(2025, 8, 1))
    intervention_remove(intervention=added, expected_revision=revision + 2, by=author)

    assert not version.interventions.exists()
    version.refresh_from_db()
    assert version.revision == revision + 3


def test_an_intervention_change_with_a_stale_revision_is_refused(author):
    version = write_concept(CaseFactory(), author)
    intervention = version.interventions.get()
    plan_version_update(version=version, goals="Gewijzigd", by=author)

    with pytest.raises(StaleObject):
        intervention_update(
            intervention=intervention,
            description="Iets anders",
            expected_revision=version.revision,
            by=author,
        )


def test_an_intervention_change_must_still_name_what_it_is(author):
    version = write_concept(CaseFactory(), author)
    with pytest.raises(ValidationError) as refused:
        intervention_update(intervention=version.interventions.get(), description="", by=author)
    assert refused.value.messages == [INTERVENTION_DESCRIPTION_REQUIRED]


def test_the_interventions_of_an_adopted_version_are_not_added_changed_or_removed(
    adopted_plan, author
):
    intervention = adopted_plan.interventions.first()
    attempts = [
        lambda: intervention_add(
            version=adopted_plan,
            description="Nieuw",
            pillar=Pillar.ZORG,
            responsible_organisation=intervention.responsible_organisation,
            deadline=LATER,
            by=author,
        ),
        lambda: intervention_update(intervention=intervention, description="Anders", by=author),
        lambda: intervention_remove(intervention=intervention, by=author),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation) as refused:
            attempt()
        assert refused.value.messages == [PLAN_ADOPTED_IMMUTABLE]
    assert adopted_plan.interventions.count() == 2
    intervention.refresh_from_db()
    assert intervention.description == "Woonbegeleiding regelen"


# --- Progress -------------------------------------------------------------------


def test_progress_is_recorded_on_an_adopted_version_while_its_terms_stay(adopted_plan, author):
    intervention = adopted_plan.interventions.first()
    case = adopted_plan.case
    case.refresh_from_db()
    case_revision = case.revision

    recorded = intervention_record_progress(
        intervention=intervention,
        status=Intervention.Status.DONE,
        result="Woning gevonden.",
        by=author,
    )

    assert (recorded.status, recorded.result, recorded.frozen) == (
        Intervention.Status.DONE,
        "Woning gevonden.",
        True,
    )
    assert recorded.description == intervention.description
    case.refresh_from_db()
    assert case.revision == case_revision + 1


def test_progress_on_the_plan_that_holds_reaches_the_version_in_progress(adopted_plan, author):
    intervention = adopted_plan.interventions.first()
    second = next_concept(adopted_plan, author)

    intervention_record_progress(
        intervention=intervention, status=Intervention.Status.RUNNING, result="", by=author
    )

    assert second.interventions.get(lineage=intervention.lineage).status == (
        Intervention.Status.RUNNING
    )


def test_a_superseded_version_keeps_the_progress_it_had(adopted_plan, author, adopt):
    intervention = adopted_plan.interventions.first()
    adopt(next_concept(adopted_plan, author), on=LATER)

    with pytest.raises(RuleViolation) as refused:
        intervention_record_progress(
            intervention=intervention, status=Intervention.Status.RUNNING, result="", by=author
        )

    assert refused.value.messages == [INTERVENTION_VERSION_SUPERSEDED]
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.PLANNED


@pytest.mark.parametrize("status", [Intervention.Status.DONE, Intervention.Status.STOPPED])
def test_a_finished_or_stopped_intervention_says_what_came_of_it(adopted_plan, author, status):
    with pytest.raises(ValidationError) as refused:
        intervention_record_progress(
            intervention=adopted_plan.interventions.first(), status=status, result=" ", by=author
        )
    assert refused.value.messages == [INTERVENTION_RESULT_REQUIRED]


def test_progress_takes_a_known_status(adopted_plan, author):
    with pytest.raises(ValidationError) as refused:
        intervention_record_progress(
            intervention=adopted_plan.interventions.first(), status="half", result="", by=author
        )
    assert refused.value.messages == [INTERVENTION_STATUS_INVALID]


# --- ITAT-R advice ----------------------------------------------------------------


def test_itat_advice_is_pinned_to_the_exact_version(author):
    version = write_concept(CaseFactory(), author)

    advice = advise(version, author)

    assert advice.plan_version_id == version.pk
    assert advice.subject == ItatAdvice.Subject.PLAN
    assert advice.exit_procedure is None
    assert advice.recorded_by == author
    version.refresh_from_db()
    assert version.status == PlanStatus.ADVISED


def test_itat_advice_is_not_recorded_on_an_adopted_version(adopted_plan, author):
    with pytest.raises(RuleViolation) as refused:
        advise(adopted_plan, author)
    assert refused.value.messages == [PLAN_ADOPTED_IMMUTABLE]
    assert adopted_plan.itat_advices.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recommendation": "misschien"}, ADVICE_RECOMMENDATION_INVALID),
        ({"advice": ""}, ADVICE_TEXT_REQUIRED),
        ({"given_on": datetime.date(2026, 11, 24)}, PLAN_DATE_IN_FUTURE),
    ],
)
def test_itat_advice_input_is_checked(author, fields, message):
    version = write_concept(CaseFactory(), author)
    values = {
        "given_on": ADVICE_ON,
        "recommendation": ItatAdvice.Recommendation.POSITIVE,
        "advice": "Akkoord.",
    } | fields
    with pytest.raises(ValidationError) as refused:
        plan_record_itat_advice(version=version, by=author, **values)
    assert refused.value.messages == [message]
    assert not version.itat_advices.exists()


# --- Adoption ---------------------------------------------------------------------


def test_adopting_needs_itat_advice_first(author):
    version = write_concept(CaseFactory(), author)

    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=version, adopted_on=ADVICE_ON, by=author)

    assert refused.value.messages == [PLAN_NEEDS_ITAT_ADVICE]
    version.refresh_from_db()
    assert version.status == PlanStatus.CONCEPT


def test_advice_on_an_earlier_version_does_not_count_for_the_next(adopted_plan, author):
    second = next_concept(adopted_plan, author)

    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=second, adopted_on=LATER, by=author)

    assert refused.value.messages == [PLAN_NEEDS_ITAT_ADVICE]


def test_adopting_sets_date_and_adopter_and_freezes_the_interventions(author):
    case = CaseFactory()
    version = write_concept(
        case, author, interventions=[an_intervention("wpi"), an_intervention("ggd")]
    )
    advise(version, author)
    case.refresh_from_db()
    case_revision = case.revision

    adopted = plan_version_adopt(
        version=version, adopted_on=ADVICE_ON, expected_revision=version.revision + 1, by=author
    )

    assert adopted.status == PlanStatus.ADOPTED
    assert (adopted.adopted_on, adopted.adopted_by) == (ADVICE_ON, author)
    assert list(adopted.interventions.values_list("frozen", flat=True)) == [True, True]
    case.refresh_from_db()
    assert case.revision == case_revision + 1


def test_adopting_with_a_stale_revision_is_refused(author):
    version = write_concept(CaseFactory(), author)
    advise(version, author)
    with pytest.raises(StaleObject):
        plan_version_adopt(
            version=version, adopted_on=ADVICE_ON, expected_revision=version.revision, by=author
        )


def test_an_adopted_version_is_not_adopted_again(adopted_plan, author):
    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=adopted_plan, adopted_on=LATER, by=author)
    assert refused.value.messages == [PLAN_ADOPTED_IMMUTABLE]


def test_a_plan_without_interventions_is_not_adopted(author):
    version = write_concept(CaseFactory(), author, interventions=[])
    advise(version, author)
    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=version, adopted_on=ADVICE_ON, by=author)
    assert refused.value.messages == [PLAN_NO_INTERVENTIONS]


@pytest.mark.parametrize("field", ["concerns", "goals", "course", "joint_task"])
def test_a_plan_is_adopted_only_when_complete(author, field):
    version = write_concept(CaseFactory(), author, **{field: "  "})
    advise(version, author)
    with pytest.raises(RuleViolation) as refused:
        plan_version_adopt(version=version, adopted_on=ADVICE_ON, by=author)
    assert refused.value.messages == [PLAN_FIELDS_REQUIRED]


@pytest.mark.parametrize(
    ("adopted_on", "message"),
    [
        (ADVICE_ON - datetime.timedelta(days=1), PLAN_ADOPTED_BEFORE_ADVICE),
        (datetime.date(2026, 11, 24), PLAN_DATE_IN_FUTURE),
    ],
)
def test_the_adoption_date_follows_the_advice_and_is_not_in_the_future(author, adopted_on, message):
    version = write_concept(CaseFactory(), author)
    advise(version, author)
    with pytest.raises(ValidationError) as refused:
        plan_version_adopt(version=version, adopted_on=adopted_on, by=author)
    assert refused.value.messages == [message]


def test_a_version_is_not_adopted_before_the_previous_one(adopted_plan, author):
    second = next_concept(adopted_plan, author)
    earlier = adopted_plan.adopted_on - datetime.timedelta(days=10)
    advise(second, author, on=earlier)

    with pytest.raises(ValidationError) as refused:
        plan_version_adopt(version=second, adopted_on=earlier, by=author)

    assert refused.value.messages == [PLAN_ADOPTED_BEFORE_PREVIOUS]


# --- Reads ------------------------------------------------------------------------


def test_the_plan_that_holds_and_the_latest_version(adopted_plan, author, adopt):
    case = adopted_plan.case
    second = next_concept(adopted_plan, author)

    assert current_plan(case) == adopted_plan
    assert latest_plan_version(case) == second
    assert open_plan_version(case) == second

    adopt(second, on=LATER)

    assert current_plan(case) == second
    assert open_plan_version(case) is None
    assert plan_in_force_on(case, LATER - datetime.timedelta(days=1)) == adopted_plan
    assert plan_in_force_on(case, LATER) == second
    assert plan_in_force_on(case, adopted_plan.adopted_on - datetime.timedelta(days=1)) is None
    assert list(plan_versions_of(case)) == [adopted_plan, second]


def test_a_case_without_a_plan_has_none(author):
    case = CaseFactory()
    assert current_plan(case) is None
    assert latest_plan_version(case) is None
    write_concept(case, author)
    assert current_plan(case) is None
    assert isinstance(latest_plan_version(case), PlanVersion)


def test_the_case_status_is_read_fresh_when_writing(author):
    """A case object loaded before the exit still cannot get a plan."""
    case = CaseFactory()
    stale_copy = type(case).objects.get(pk=case.pk)
    type(case).objects.filter(pk=case.pk).update(
        status=CaseStatus.EXITED, exited_on=datetime.date(2026, 6, 1)
    )
    with pytest.raises(RuleViolation) as refused:
        write_concept(stale_copy, author)
    assert refused.value.messages == [PLAN_CASE_EXITED]
