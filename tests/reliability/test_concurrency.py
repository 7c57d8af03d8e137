"""Concurrency against the real PostgreSQL: two people acting on the same record at
the same moment, in threads with their own database connections.

Optimistic locking (a ``revision`` loaded with the form) means a second writer who
loaded the same revision is refused with ``StaleObject`` instead of overwriting the
first; ``select_for_update`` in the services means two phase changes or two
hand-overs of one case are applied one after the other, never interleaved."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from cases.models import (
    Assignment,
    Case,
    ItatAdvice,
    Person,
    Phase,
    PhaseTransition,
    Pillar,
    PlanVersion,
)
from cases.services.assignments import HAND_OVER_TO_SAME, case_hand_over
from cases.services.intake import person_update
from cases.services.phases import PHASE_UNCHANGED, case_change_phase
from cases.services.plans import (
    InterventionInput,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_update,
)
from cases.services.retention import ERASURE_ALREADY_DONE
from kernel.errors import STALE_RECORD, RuleViolation, StaleObject
from tests.conftest import sign_in
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    RegisseurFactory,
    UserFactory,
    plan_concept,
)

from .conftest import with_role

pytestmark = pytest.mark.django_db(transaction=True)

ADOPTED_ON = datetime.date(2025, 3, 1)
REASON = "Overdracht na bespreking in het team, op inhoud en ruimte in de caseload."
ROUNDS = 3  # each race is run several times: one lucky interleaving proves little


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same moment, each in its own thread (so its own database
    connection and transaction); return each one's result or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung (deadlock?)"
    return outcomes


def errors(outcomes: list[Any]) -> list[Exception]:
    return [o for o in outcomes if isinstance(o, Exception)]


def started_case(number: str) -> Case:
    """A case in regie, made through the services (assignments, phase history)."""
    return CaseFactory(started=True, number=number)


def concept_plan(case: Case, *, interventions: int = 0) -> PlanVersion:
    return plan_concept(
        case,
        by=UserFactory(),
        interventions=[
            InterventionInput(
                description="Woonbegeleiding regelen",
                pillar=Pillar.ZORG,
                responsible_organisation=OrganisationFactory(),
                deadline=datetime.date(2025, 6, 1),
            )
            for _ in range(interventions)
        ],
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_editors_of_one_plan_version_never_lose_an_update(round_):
    version = concept_plan(started_case(f"C-PLAN-{round_}"))
    loaded = version.revision
    first, second = UserFactory(), UserFactory()

    outcomes = race(
        lambda: plan_version_update(
            version=version, by=first, expected_revision=loaded, goals="Doel van de eerste"
        ),
        lambda: plan_version_update(
            version=version, by=second, expected_revision=loaded, goals="Doel van de tweede"
        ),
    )

    [refused] = errors(outcomes)
    assert isinstance(refused, StaleObject)
    assert refused.messages == [STALE_RECORD]
    [winner] = [o for o in outcomes if isinstance(o, PlanVersion)]
    version.refresh_from_db()
    assert version.goals == winner.goals  # the stored text is the winner's, whole
    assert version.revision == loaded + 1  # exactly one write went through


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_editors_of_one_person_record_never_lose_an_update(round_):
    case = started_case(f"C-PERS-{round_}")
    loaded = case.revision

    def correct(last_name: str) -> Callable[[], Person]:
        return lambda: person_update(
            case=case,
            first_name="Testpersoon",
            last_name=last_name,
            date_of_birth=None,
            address="",
            bsn="",
            by=UserFactory(),
            expected_revision=loaded,
        )

    outcomes = race(correct("Eerste"), correct("Tweede"))

    [refused] = errors(outcomes)
    assert isinstance(refused, StaleObject)
    [winner] = [o for o in outcomes if isinstance(o, Person)]
    assert Person.objects.get(case=case).last_name == winner.last_name
    assert Case.objects.get(pk=case.pk).revision == loaded + 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_simultaneous_phase_changes_apply_once(round_):
    case = started_case(f"C-FASE-{round_}")
    version = concept_plan(case, interventions=1)
    author = UserFactory()
    plan_record_itat_advice(
        version=version,
        given_on=ADOPTED_ON,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice="Helder plan.",
        by=author,
    )
    plan_version_adopt(version=version, adopted_on=ADOPTED_ON, by=author)
    transitions_before = PhaseTransition.objects.filter(case=case).count()

    def to_phase_2() -> Case:
        return case_change_phase(
            case=case,
            to_phase=Phase.EXECUTION,
            reason="Plan vastgesteld, uitvoering begint.",
            on=ADOPTED_ON,
            by=UserFactory(),
        )

    outcomes = race(to_phase_2, to_phase_2)

    [refused] = errors(outcomes)
    assert isinstance(refused, RuleViolation)
    assert refused.messages == [PHASE_UNCHANGED]
    case.refresh_from_db()
    assert case.phase == Phase.EXECUTION
    # One transition recorded, not two (a second 1 -> 2 row would falsify the history).
    transitions = PhaseTransition.objects.filter(case=case).order_by("created_at")
    assert transitions.count() == transitions_before + 1
    last = transitions.last()
    assert last is not None
    assert (last.from_phase, last.to_phase) == (1, 2)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_simultaneous_hand_overs_of_one_case_stay_consistent(round_):
    case = started_case(f"C-OVER-{round_}")
    successor = RegisseurFactory()

    def hand_over() -> Any:
        return case_hand_over(
            case=case, to_regisseur=successor, reason=REASON, on=ADOPTED_ON, by=UserFactory()
        )

    outcomes = race(hand_over, hand_over)  # a double click, or two colleagues at once

    [refused] = errors(outcomes)
    assert isinstance(refused, RuleViolation)
    assert refused.messages[0].startswith(HAND_OVER_TO_SAME.split("%")[0])
    case.refresh_from_db()
    current = Assignment.objects.filter(case=case, role="regisseur", ended_on__isnull=True)
    assert [a.regisseur_id for a in current] == [successor.pk] == [case.regisseur_id]
    # The assignment history is one unbroken line: the first regisseur ended, once.
    assert Assignment.objects.filter(case=case, role="regisseur").count() == 2


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_hand_overs_to_two_successors_from_one_loaded_page_let_one_win(round_):
    case = started_case(f"C-TWEE-{round_}")
    loaded = case.revision
    one, other = RegisseurFactory(), RegisseurFactory()

    def hand_over_to(successor: Any) -> Callable[[], Any]:
        return lambda: case_hand_over(
            case=case,
            to_regisseur=successor,
            reason=REASON,
            on=ADOPTED_ON,
            by=UserFactory(),
            expected_revision=loaded,
        )

    outcomes = race(hand_over_to(one), hand_over_to(other))

    [refused] = errors(outcomes)
    assert isinstance(refused, StaleObject)
    [won] = [o for o in outcomes if not isinstance(o, Exception)]
    case.refresh_from_db()
    assert case.regisseur_id == won.case.regisseur_id
    current = Assignment.objects.filter(case=case, role="regisseur", ended_on__isnull=True)
    assert [a.regisseur_id for a in current] == [case.regisseur_id]


def test_parallel_requests_through_the_pages_let_exactly_one_erasure_through():
    """Two programme-team members submit the erasure page, loaded at the same revision,
    at the same moment: one erases, the other is told the record changed."""
    person = Person.objects.get(case=started_case("C-WEB-1"))
    revision = Case.objects.get(pk=person.case_id).revision
    url = reverse("cases:erase_person", kwargs={"pk": person.case_id})
    clients = []
    for _ in range(2):
        client = Client()
        sign_in(client, with_role(UserFactory(), Role.PROGRAMME_TEAM))
        clients.append(client)
    reason = "Verzoek tot wissen (AVG art. 17), beoordeeld door de FG."

    responses = race(
        *(lambda c=c: c.post(url, {"reason": reason, "revision": revision}) for c in clients)
    )

    assert sorted(r.status_code for r in responses) == [302, 409]  # a conflict, not bad input
    [refused] = [r for r in responses if r.status_code == 409]
    page = refused.content.decode()
    assert str(STALE_RECORD) in page or str(ERASURE_ALREADY_DONE) in page
    person.refresh_from_db()
    assert person.pseudonymised_at is not None
    assert person.last_name == ""
