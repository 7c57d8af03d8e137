"""PTO-R meeting fixtures: three kernpartners with a PTO-R member each, the programme
team, and an exit proposal ITAT-R advised on, made through the services."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from accounts.models import User
from accounts.roles import Role
from cases.models import ExitGround, ExitProcedure, ItatAdvice, Phase
from cases.services.exits import exit_propose, exit_record_itat_advice
from cases.services.phases import case_change_phase
from ptor.models import Meeting, MeetingForm
from ptor.services import meeting_prepare
from tests.cases.conftest import with_role
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    OrganisationFactory,
    PlanVersionFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 12, 14)
PROPOSED_ON = datetime.date(2026, 11, 23)
ADVISED_ON = datetime.date(2026, 12, 1)
ADVICE = "Uitstroom verantwoord; nazorg via het wijkteam."


@pytest.fixture(autouse=True)
def _frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 14, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def programme_team() -> User:
    return with_role(UserFactory(username="secretaris"), Role.PROGRAMME_TEAM)


@pytest.fixture
def members() -> dict[str, User]:
    """A PTO-R member of each of three kernpartners."""
    return {
        code: UserFactory(
            username=f"ptor-{code}",
            organisation=OrganisationFactory(code=code, name=code.upper()),
            roles=[Role.PTO_R],
        )
        for code in ("politie", "ggd", "wpi")
    }


@pytest.fixture
def advised() -> Callable[..., ExitProcedure]:
    """An exit proposal ITAT-R advised on, in phase 3 without a threat: waiting for PTO-R."""

    def make(**case_fields: object) -> ExitProcedure:
        author = UserFactory()
        case = CaseFactory(started=True, by=author, **case_fields)
        PlanVersionFactory(case=case, adopted=True)
        case_change_phase(
            case=case,
            to_phase=Phase.EXECUTION,
            reason="Plan vastgesteld.",
            on=datetime.date(2025, 3, 10),
            by=author,
        )
        case_change_phase(
            case=case,
            to_phase=Phase.EXIT,
            reason="Afschalen.",
            on=datetime.date(2026, 9, 1),
            by=author,
        )
        AssessmentFactory(
            case=case,
            assessed_on=datetime.date(2026, 11, 1),
            safety_criterion=False,
            care_criterion=False,
        )
        procedure = exit_propose(
            case=case,
            ground=ExitGround.RISK_AND_CARE_GONE,
            team_judgement="Twee jaar geen signalen van geweldsbereidheid.",
            on=PROPOSED_ON,
            by=author,
        )
        exit_record_itat_advice(
            procedure=procedure,
            given_on=ADVISED_ON,
            recommendation=ItatAdvice.Recommendation.POSITIVE,
            advice=ADVICE,
            by=author,
        )
        procedure.refresh_from_db()
        return procedure

    return make


@pytest.fixture
def meeting(programme_team, members) -> Meeting:
    """Today's in-person meeting in concept, the three members on its list."""
    return meeting_prepare(date=TODAY, form=MeetingForm.IN_PERSON, by=programme_team)
