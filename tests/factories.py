"""factory_boy factories for every model; Traits give the common case states.

A case in a given state is built here and nowhere else: ``CaseFactory(phase2=True)``,
``CaseFactory(exited=True)`` and the like set its fields; ``CaseFactory(started=True)``
registers, assigns and starts it through the services, and ``CaseFactory(with_plan=True)``
gives it a first plan adopted through the services, where a test needs the rows and
object permissions those write."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import Organisation, User
from cases.models import (
    Assessment,
    Case,
    CaseStatus,
    Intervention,
    ItatAdvice,
    Meeting,
    Person,
    Phase,
    PlanStatus,
    PlanVersion,
    TeamMember,
)
from cases.services.assignments import case_assign
from cases.services.intake import case_register, case_sign_notification
from cases.services.plans import (
    InterventionInput,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
)
from pool.models import Region, Regisseur

TODAY = datetime.date(2026, 11, 23)
# The dates of a case started through the services (CaseFactory(started=True)).
REGISTERED_ON = datetime.date(2025, 1, 6)
ASSIGNED_ON = datetime.date(2025, 1, 8)
SIGNED_ON = datetime.date(2025, 1, 13)
FIRST_ADOPTED_ON = datetime.date(2025, 3, 1)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.code.upper())
    kind = Organisation.Kind.KERNPARTNER


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory, code="oov", name="OOV")
    password = factory.django.Password("correct-horse-battery-staple")


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "amsterdam"
    name = factory.LazyAttribute(lambda r: r.code.capitalize())


class RegisseurFactory(DjangoModelFactory[Regisseur]):
    class Meta:
        model = Regisseur

    user = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda r: r.user.organisation)
    fte = Decimal("1.0")
    active_from = datetime.date(2020, 1, 1)


class CaseFactory(DjangoModelFactory[Case]):
    class Meta:
        model = Case
        skip_postgeneration_save = True  # with_plan saves through the services

    number = factory.Sequence(lambda n: f"R-{n:05d}")
    region = factory.SubFactory(RegionFactory)
    registered_on = datetime.date(2025, 1, 6)
    notification_signed_on = datetime.date(2025, 1, 13)
    phase = Phase.CONTACT
    phase_since = factory.LazyAttribute(lambda c: c.notification_signed_on or c.registered_on)
    status = CaseStatus.IN_REGIE
    regisseur = factory.SubFactory(RegisseurFactory)
    regisseur_since = factory.LazyAttribute(lambda c: c.notification_signed_on)
    buddy = factory.SubFactory(RegisseurFactory)

    class Params:
        phase2 = factory.Trait(phase=Phase.EXECUTION)
        phase3 = factory.Trait(phase=Phase.EXIT)
        registered = factory.Trait(
            status=CaseStatus.REGISTERED, notification_signed_on=None, regisseur_since=None
        )
        exited = factory.Trait(
            status=CaseStatus.EXITED, phase=Phase.EXIT, exited_on=datetime.date(2026, 6, 1)
        )
        # Registered, assigned and started through the services, so its Assignment rows,
        # phase history and object permissions exist as they would in production; of
        # the fields above only number, region, regisseur and buddy are used.
        started = False

    # Who records a case started through the services; None builds it field by field.
    by = factory.Maybe("started", factory.SubFactory(UserFactory), None)

    @classmethod
    def _build(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        kwargs.pop("by")
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, by: User | None, **kwargs: Any) -> Case:
        if by is None:
            return super()._create(model_class, *args, **kwargs)
        case = case_register(
            number=kwargs["number"],
            region=kwargs["region"],
            registered_on=REGISTERED_ON,
            first_name="Testpersoon",
            last_name="Fictief",
            date_of_birth=datetime.date(1999, 5, 17),
            address="Voorbeeldstraat 1, 1000 AA Amsterdam",
            by=by,
        )
        case_assign(
            case=case,
            regisseur=kwargs["regisseur"],
            buddy=kwargs["buddy"],
            on=ASSIGNED_ON,
            reason="Nieuwe casus, toegewezen op ruimte in de caseload.",
            by=by,
        )
        return case_sign_notification(case=case, signed_on=SIGNED_ON, by=by)

    @factory.post_generation
    def with_plan(case: Case, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """``with_plan=True``: a first plan version, advised by ITAT-R and adopted."""
        if create and extracted:
            adopt_first_plan(
                case,
                by=UserFactory(),
                on=FIRST_ADOPTED_ON,
                organisation=OrganisationFactory(code="wpi", name="WPI"),
            )


def adopt_first_plan(
    case: Case, *, by: User, on: datetime.date, organisation: Organisation
) -> PlanVersion:
    """A first plan version with one intervention, advised by ITAT-R and adopted on ``on``,
    through the services."""
    intervention = InterventionInput(
        description="Iets", responsible_organisation=organisation, deadline=on
    )
    return adopt_version(plan_concept(case, by=by, interventions=[intervention]), by=by, on=on)


def plan_concept(
    case: Case, *, by: User, interventions: Sequence[InterventionInput] = (), **text: str
) -> PlanVersion:
    """A concept plan version written through the services; ``text`` overrides its texts."""
    texts = {
        "concerns": "Zorg",
        "goals": "Doel",
        "course": "Koers",
        "joint_task": "Opgave",
        "focus": "",
        "explanation": "",
    } | text
    return plan_version_create(case=case, interventions=list(interventions), by=by, **texts)


def adopt_version(
    version: PlanVersion, *, by: User, on: datetime.date, advice: str = "Goed."
) -> PlanVersion:
    """Take ``version`` through ITAT-R's positive advice to adoption on ``on``, as the
    services require."""
    plan_record_itat_advice(
        version=version,
        given_on=on,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice=advice,
        by=by,
    )
    return plan_version_adopt(version=version, adopted_on=on, by=by)


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    case = factory.SubFactory(CaseFactory)
    first_name = "Testpersoon"
    last_name = factory.Sequence(lambda n: f"Fictief{n}")
    date_of_birth = datetime.date(1999, 5, 17)
    address = "Voorbeeldstraat 1, 1000 AA Amsterdam"


class TeamMemberFactory(DjangoModelFactory[TeamMember]):
    class Meta:
        model = TeamMember

    case = factory.SubFactory(CaseFactory)
    name = factory.Sequence(lambda n: f"Professional {n}")
    organisation = factory.SubFactory(OrganisationFactory, code="ggd", name="GGD")
    role = "Zorgcoördinator"
    joined_on = datetime.date(2025, 1, 20)


class AssessmentFactory(DjangoModelFactory[Assessment]):
    class Meta:
        model = Assessment

    case = factory.SubFactory(CaseFactory)
    assessed_on = datetime.date(2025, 1, 10)
    assessor = factory.SubFactory(UserFactory)
    care_criterion = True
    safety_criterion = True
    risk_level = Assessment.RiskLevel.MEDIUM
    reasoning = "Zorgen op meerdere leefgebieden en signalen van geweldsbereidheid."


class PlanVersionFactory(DjangoModelFactory[PlanVersion]):
    class Meta:
        model = PlanVersion

    case = factory.SubFactory(CaseFactory)
    number = 1
    concerns = "Toenemende uitingen die geweld rechtvaardigen."
    goals = "Stabiele woonsituatie; afname van geweldsbereidheid."
    course = "Vertrouwen opbouwen via de regisseur; zorg via GGD."
    joint_task = "Veiligheid en zorg samen: geen geweld, wel perspectief."
    created_by = factory.SubFactory(UserFactory)

    class Params:
        adopted = factory.Trait(
            status=PlanStatus.ADOPTED,
            adopted_on=datetime.date(2025, 3, 1),
            adopted_by=factory.SelfAttribute("created_by"),
        )


class InterventionFactory(DjangoModelFactory[Intervention]):
    class Meta:
        model = Intervention

    plan_version = factory.SubFactory(PlanVersionFactory)
    description = factory.Sequence(lambda n: f"Interventie {n}")
    responsible_organisation = factory.SubFactory(OrganisationFactory, code="wpi", name="WPI")
    deadline = datetime.date(2025, 6, 1)


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    case = factory.SubFactory(CaseFactory)
    held_on = datetime.date(2025, 2, 3)
    kind = Meeting.Kind.REGULAR
    recorded_by = factory.SubFactory(UserFactory)
