"""Fixtures shared by the tests of the cases app."""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, ExitProcedure, Pillar, PlanVersion
from cases.services.plans import (
    InterventionInput,
)
from cases.services.team import team_member_add
from pool.services import absence_create
from tests.conftest import sign_in
from tests.factories import (
    FIRST_ADOPTED_ON,
    TODAY,
    CaseFactory,
    OrganisationFactory,
    RegisseurFactory,
    UserFactory,
    adopt_version,
    exit_advised_after_move,
    plan_concept,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# --- Plans, meetings, assessments, evaluations, team ------------------------------


@pytest.fixture
def today(time_machine) -> datetime.date:
    """Time frozen at a morning in Amsterdam on the factories' TODAY."""
    time_machine.move_to(
        datetime.datetime.combine(TODAY, datetime.time(9, 0), tzinfo=AMSTERDAM), tick=False
    )
    return timezone.localdate()


@pytest.fixture
def author():
    """The person recording the change (regisseur, buddy or programme team)."""
    return UserFactory()


@pytest.fixture
def adopt(author):
    """Takes a version through ITAT-R advice to adoption, as the services require."""

    def adopt_with_advice(
        version: PlanVersion, on: datetime.date = FIRST_ADOPTED_ON
    ) -> PlanVersion:
        return adopt_version(
            version, by=author, on=on, advice="Helder plan; let op de informatiepositie."
        )

    return adopt_with_advice


@pytest.fixture
def adopted_plan(today, author, adopt) -> PlanVersion:
    """A phase-2 case whose first plan version, with two interventions, is adopted."""
    case = CaseFactory(phase2=True)
    version = plan_concept(
        case,
        concerns="Uitingen die geweld rechtvaardigen.",
        goals="Stabiele woonsituatie.",
        course="Vertrouwen opbouwen.",
        joint_task="Geen geweld, wel perspectief.",
        interventions=[
            InterventionInput(
                description="Woonbegeleiding regelen",
                pillar=Pillar.ZORG,
                responsible_organisation=OrganisationFactory(code="wpi", name="WPI"),
                deadline=datetime.date(2025, 6, 1),
            ),
            InterventionInput(
                description="Behandeling bij de GGD",
                pillar=Pillar.ZORG,
                responsible_organisation=OrganisationFactory(code="ggd", name="GGD"),
                deadline=datetime.date(2025, 9, 1),
            ),
        ],
        by=author,
    )
    return adopt(version)


# --- Case workflow: intake, assignments, phases, exits ----------------------------


@pytest.fixture
def pto_r_member():
    """A member of PTO-R: the only one who decides exit proposals."""
    user = UserFactory()
    group, _ = Group.objects.get_or_create(name=Role.PTO_R)
    user.groups.add(group)
    return user


@pytest.fixture
def start_case(author) -> Callable[..., Case]:
    """A case started through the services by ``author`` (CaseFactory(started=True)),
    with what it is given of regisseur, buddy and region."""
    return functools.partial(CaseFactory, started=True, by=author)


# --- The people around one case, for the web pages ---------------------------------


def with_role(user: User, role: Role) -> User:
    """Put ``user`` in the role's group (created by migrate) and forget cached roles."""
    user.groups.add(Group.objects.get(name=role.value))
    user._role_names = None
    return user


def client_for(user: User) -> Client:
    """A test client signed in as ``user`` with both factors passed."""
    client = Client()
    sign_in(client, user)
    return client


@dataclass
class Crew:
    """One case started through the services, and who stands where around it."""

    case: Case
    regisseur: User
    buddy: User
    stand_in: User
    team_member: User
    programme_team: User
    other_regisseur: User  # a pool member who does not work on this case
    outsiders: dict[str, User]  # roles that see no case at all, and a member of another team

    def of(self, name: str) -> User:
        return self.outsiders[name] if name in self.outsiders else getattr(self, name)


WORKS_ON_CASE = ("regisseur", "buddy", "stand_in", "programme_team")
SEES_CASE = (*WORKS_ON_CASE, "team_member")
OUTSIDERS = (
    "other_regisseur",
    "other_team_member",
    "pto_r",
    "manager",
    "functional_admin",
    "privacy_officer",
)


def _regisseur_user() -> User:
    return with_role(RegisseurFactory().user, Role.REGISSEUR)


@pytest.fixture
def crew(today, start_case, author) -> Crew:
    ggd = OrganisationFactory(code="ggd", name="GGD")
    regisseur, buddy, stand_in = _regisseur_user(), _regisseur_user(), _regisseur_user()
    case = start_case(regisseur=regisseur.regisseur, buddy=buddy.regisseur)
    absence_create(
        regisseur=regisseur.regisseur,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=4),
        reason="Verlof",
        stand_in=stand_in.regisseur,
        by=author,
    )
    team_member = with_role(UserFactory(organisation=ggd), Role.TEAM_MEMBER)
    team_member_add(
        case=case,
        name="Professional GGD",
        organisation=ggd,
        role="Zorgcoördinator",
        sharing_basis="Zwaarwegend belang.",
        joined_on=today,
        by=author,
        user=team_member,
    )
    other_case = start_case()
    other_team_member = with_role(UserFactory(organisation=ggd), Role.TEAM_MEMBER)
    team_member_add(
        case=other_case,
        name="Professional elders",
        organisation=ggd,
        role="Ambulant begeleider",
        sharing_basis="Zwaarwegend belang.",
        joined_on=today,
        by=author,
        user=other_team_member,
    )
    other_regisseur = _regisseur_user()
    return Crew(
        case=case,
        regisseur=regisseur,
        buddy=buddy,
        stand_in=stand_in,
        team_member=team_member,
        programme_team=with_role(UserFactory(), Role.PROGRAMME_TEAM),
        other_regisseur=other_regisseur,
        outsiders={
            "other_regisseur": other_regisseur,
            "other_team_member": other_team_member,
            "pto_r": with_role(UserFactory(), Role.PTO_R),
            "manager": with_role(UserFactory(), Role.MANAGER),
            "functional_admin": with_role(UserFactory(is_staff=True), Role.FUNCTIONAL_ADMIN),
            "privacy_officer": with_role(UserFactory(organisation=ggd), Role.PRIVACY_OFFICER),
        },
    )


@pytest.fixture
def advised_exit(crew, today, author) -> ExitProcedure:
    """The crew's case moved to Utrecht: proposed for exit on its first adopted plan,
    with ITAT-R's positive advice, waiting for PTO-R's decision."""
    procedure = exit_advised_after_move(
        crew.case, by=author, planned_on=today, proposed_on=today, advised_on=today
    )
    procedure.refresh_from_db()
    return procedure
