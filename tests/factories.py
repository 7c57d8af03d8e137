"""factory_boy factories for every model; Traits give the common case states."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Organisation, User
from cases.models import (
    Assessment,
    Case,
    CaseStatus,
    Intervention,
    Meeting,
    Person,
    Phase,
    PlanStatus,
    PlanVersion,
    TeamMember,
)
from pool.models import Region, Regisseur

TODAY = datetime.date(2026, 11, 23)


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
