"""factory_boy factories for every model of the project's apps (tests/test_factories.py
fails when one is missing); Traits give the common states.

A case in a given state is built here and nowhere else: ``CaseFactory(phase2=True)``,
``CaseFactory(since=day)``, ``CaseFactory(registered=True)``, ``CaseFactory(exited=True)``
and the like set its fields; ``CaseFactory(started=True)`` registers, assigns and starts
it through the services, and ``CaseFactory(with_plan=True)`` gives it a first plan adopted
through the services, where a test needs the rows and object permissions those write.
What surrounds the case comes with it: ``exit_running=True`` (a running exit procedure),
``team=N`` (members with accounts), ``stand_in=True`` (the regisseur away, someone standing
in), ``under_emergency=user`` and, last, ``access_on=day`` (the object permissions as the
access sync derives them that day). Factories of other models build objects that pass
the rules the services check beyond the model (an exit procedure on a case in phase 3
with the team's judgement, emergency access by a regisseur, API objects of a sync client).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.backup_codes import backup_code_hash
from accounts.models import (
    ActivationLink,
    ActivationLinkKind,
    ApiToken,
    BackupCode,
    BackupCodeDevice,
    Organisation,
    ProviderMfaDevice,
    RoleGrant,
    RoleGrantStatus,
    User,
)
from accounts.roles import Role
from accounts.services import BACKUP_DEVICE_NAME, PROVIDER_MFA_DEVICE_NAME
from api import models as api_models
from audit.models import AccessLog
from cases.access import case_access_sync
from cases.models import (
    Assessment,
    Assignment,
    Case,
    CaseStatus,
    EmergencyAccess,
    Escalation,
    EscalationStep,
    Evaluation,
    ExitGround,
    ExitProcedure,
    ExitStatus,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    Phase,
    PhaseTransition,
    Pillar,
    PlanStatus,
    PlanVersion,
    SavedCaseView,
    SharedObjectType,
    ShareRecord,
    TeamMember,
)
from cases.services.assessments import assessment_record
from cases.services.assignments import case_assign
from cases.services.emergency import emergency_access_duration
from cases.services.exits import exit_propose, exit_record_itat_advice
from cases.services.intake import case_register, case_sign_notification
from cases.services.plans import (
    InterventionInput,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
)
from documents import crypto as documents_crypto
from documents.models import Document, DocumentKind, DocumentVersion
from monitoring.models import Monitor, Notification, NotificationChannel, NotificationPreference
from pool import models as pool_models
from pool.models import Region, Regisseur
from pool.services import absence_create
from ptor import models as ptor_models

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

    @factory.post_generation
    def roles(user: User, create: bool, extracted: Sequence[Role] | None, **kwargs: Any) -> None:
        """``roles=[Role.REGISSEUR]``: the user is in those roles' groups (made by migrate)."""
        if create and extracted:
            user.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in extracted))


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


INTAKE_WEIGHING_REASONING = "Zorgen op meerdere leefgebieden en signalen van geweldsbereidheid."


def weigh_in(case: Case, *, by: User, on: datetime.date | None = None) -> Assessment:
    """The intake weighing that takes the case in (both criteria), through the service:
    what must precede the first assignment (docs/rules.md R-CASE-1)."""
    return assessment_record(
        case=case,
        assessed_on=on or case.registered_on,
        care_criterion=True,
        safety_criterion=True,
        risk_level=Assessment.RiskLevel.MEDIUM,
        reasoning=INTAKE_WEIGHING_REASONING,
        by=by,
    )


class CaseFactory(DjangoModelFactory[Case]):
    class Meta:
        model = Case
        skip_postgeneration_save = True  # with_plan saves through the services

    number = factory.Sequence(lambda n: f"R-{n:05d}")
    region = factory.SubFactory(RegionFactory)
    registered_on = factory.LazyAttribute(lambda c: c.since - datetime.timedelta(days=7))
    notification_signed_on = factory.SelfAttribute("since")
    phase = Phase.CONTACT
    phase_since = factory.LazyAttribute(lambda c: c.notification_signed_on or c.registered_on)
    status = CaseStatus.IN_REGIE
    regisseur = factory.SubFactory(RegisseurFactory)
    regisseur_since = factory.LazyAttribute(lambda c: c.notification_signed_on)
    buddy = factory.SubFactory(RegisseurFactory)

    class Params:
        # In regie since: the notification letter was signed, a week after registration.
        since = SIGNED_ON
        phase2 = factory.Trait(phase=Phase.EXECUTION)
        phase3 = factory.Trait(phase=Phase.EXIT)
        registered = factory.Trait(
            status=CaseStatus.REGISTERED, notification_signed_on=None, regisseur_since=None
        )
        exited = factory.Trait(
            status=CaseStatus.EXITED, phase=Phase.EXIT, exited_on=datetime.date(2026, 6, 1)
        )
        # In phase 3 with a running exit procedure (``exit_procedure__status=...`` and the
        # like reach the procedure).
        exit_running = factory.Trait(phase=Phase.EXIT)
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
        weigh_in(case, by=by)
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

    exit_procedure = factory.Maybe(
        "exit_running",
        factory.RelatedFactory("tests.factories.ExitProcedureFactory", factory_related_name="case"),
    )

    @factory.post_generation
    def team(case: Case, create: bool, extracted: int | None, **kwargs: Any) -> None:
        """``team=N``: N members of the intervention team, each with an account;
        ``team__left_on=...`` and the like reach every member."""
        if create and extracted:
            kwargs.setdefault("user", factory.SubFactory(UserFactory))
            TeamMemberFactory.create_batch(extracted, case=case, **kwargs)

    @factory.post_generation
    def stand_in(case: Case, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """``stand_in=True``: the regisseur is away, recorded through the service, and a
        new regisseur stands in; ``stand_in__starts_on`` and ``stand_in__ends_on`` give
        the period (today by default)."""
        if create and extracted:
            assert case.regisseur is not None
            today = timezone.localdate()
            absence_create(
                regisseur=case.regisseur,
                starts_on=kwargs.get("starts_on", today),
                ends_on=kwargs.get("ends_on", today),
                reason="Verlof",
                stand_in=RegisseurFactory(),
                by=UserFactory(),
            )

    @factory.post_generation
    def under_emergency(case: Case, create: bool, extracted: User | None, **kwargs: Any) -> None:
        """``under_emergency=user``: ``user`` has opened emergency access to the case now."""
        if create and extracted:
            EmergencyAccessFactory(case=case, user=extracted, **kwargs)

    @factory.post_generation
    def access_on(
        case: Case, create: bool, extracted: datetime.date | bool | None, **_: Any
    ) -> None:
        """``access_on=day`` (or ``True`` for today): the object permissions of the case
        as the access sync derives them on that day, after everything above."""
        if create and extracted:
            on = None if extracted is True else extracted
            case_access_sync(case=case, on=on)


def adopt_first_plan(
    case: Case, *, by: User, on: datetime.date, organisation: Organisation
) -> PlanVersion:
    """A first plan version with one intervention, advised by ITAT-R and adopted on ``on``,
    through the services."""
    intervention = InterventionInput(
        description="Iets", pillar=Pillar.ZORG, responsible_organisation=organisation, deadline=on
    )
    return adopt_version(plan_concept(case, by=by, interventions=[intervention]), by=by, on=on)


def exit_advised_after_move(
    case: Case,
    *,
    by: User,
    planned_on: datetime.date,
    proposed_on: datetime.date,
    advised_on: datetime.date,
    organisation: Organisation | None = None,
) -> ExitProcedure:
    """The person moved to Utrecht: on a first adopted plan (``planned_on``, its
    intervention by ``organisation``, a new one when not given) the exit is proposed
    (``proposed_on``) and ITAT-R advises it positively (``advised_on``), through the
    services; it waits for PTO-R's decision."""
    adopt_first_plan(case, by=by, on=planned_on, organisation=organisation or OrganisationFactory())
    procedure = exit_propose(
        case=case,
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        team_judgement="Verhuisd naar Utrecht; warme overdracht aan de gemeente.",
        on=proposed_on,
        by=by,
    )
    exit_record_itat_advice(
        procedure=procedure,
        given_on=advised_on,
        recommendation="positief",
        advice="Akkoord met uitstroom.",
        by=by,
    )
    return procedure


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
    sharing_basis = "Zwaarwegend belang: lid van het interventieteam."
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
    pillar = Pillar.ZORG
    responsible_organisation = factory.SubFactory(OrganisationFactory, code="wpi", name="WPI")
    deadline = datetime.date(2025, 6, 1)


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    case = factory.SubFactory(CaseFactory)
    held_on = datetime.date(2025, 2, 3)
    kind = Meeting.Kind.REGULAR
    recorded_by = factory.SubFactory(UserFactory)


class EscalationFactory(DjangoModelFactory[Escalation]):
    """A stuck case, as the team recorded it; the steps come through EscalationStepFactory."""

    class Meta:
        model = Escalation

    case = factory.SubFactory(CaseFactory)
    stuck_since = datetime.date(2025, 6, 2)
    what_is_stuck = "De persoon weigert elk contact met de hulpverlening."
    team_attempts = "Huisbezoek door de wijkagent en een brief van de regisseur."
    opened_by = factory.SubFactory(UserFactory)


class EscalationStepFactory(DjangoModelFactory[EscalationStep]):
    """A consultation of colleagues in the pool; ``kind=...BREAKTHROUGH`` needs a meeting."""

    class Meta:
        model = EscalationStep

    escalation = factory.SubFactory(EscalationFactory)
    kind = EscalationStep.Kind.COLLEAGUES
    held_on = datetime.date(2025, 6, 9)
    participants = "Twee collega-regisseurs"
    outcome = "Probeer contact via de broer."
    recorded_by = factory.SubFactory(UserFactory)


# --- accounts -------------------------------------------------------------------------


class BackupCodeDeviceFactory(DjangoModelFactory[BackupCodeDevice]):
    class Meta:
        model = BackupCodeDevice

    user = factory.SubFactory(UserFactory)
    name = BACKUP_DEVICE_NAME
    confirmed = True


class ProviderMfaDeviceFactory(DjangoModelFactory[ProviderMfaDevice]):
    """The identity provider's multi-factor sign-in of a user (accounts/oidc.py)."""

    class Meta:
        model = ProviderMfaDevice

    user = factory.SubFactory(UserFactory)
    name = PROVIDER_MFA_DEVICE_NAME
    confirmed = True


class BackupCodeFactory(DjangoModelFactory[BackupCode]):
    class Meta:
        model = BackupCode

    class Params:
        code = "abcd2345"  # the code the user types; only its hash is stored

    device = factory.SubFactory(BackupCodeDeviceFactory)
    code_hash = factory.LazyAttribute(lambda b: backup_code_hash(b.code))


class ApiTokenFactory(DjangoModelFactory[ApiToken]):
    """A token of a sync client (only they get one), valid for a month; its key is
    ``f"{token.prefix}.{secret}"``."""

    class Meta:
        model = ApiToken

    class Params:
        secret = "geheim-voor-de-test"

    client = factory.SubFactory(UserFactory, roles=[Role.SYNC_CLIENT])
    name = factory.Sequence(lambda n: f"Koppeling {n}")
    prefix = factory.Sequence(lambda n: f"{n:012x}")
    # As accounts/tokens.py stores it: a SHA-256 of the secret.
    secret_hash = factory.LazyAttribute(lambda t: hashlib.sha256(t.secret.encode()).hexdigest())
    scopes = factory.LazyFunction(lambda: ["cases:read"])
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class RoleGrantFactory(DjangoModelFactory[RoleGrant]):
    """A request for a role without access to case content, by someone else."""

    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.MANAGER
    reason = "Nieuwe leidinggevende van een regisseur."
    requested_by = factory.SubFactory(UserFactory)

    class Params:
        approved = factory.Trait(
            status=RoleGrantStatus.APPROVED,
            decided_by=factory.SelfAttribute("requested_by"),
            decided_at=factory.LazyFunction(timezone.now),
        )


class ActivationLinkFactory(DjangoModelFactory[ActivationLink]):
    """An open invitation of a new, inactive user without a usable password; its link
    is ``/activeren/<token>/`` (as accounts/services_invitations.py stores it: a
    SHA-256 of the secret). ``second_factor_reset=True`` for a reset of an active user."""

    class Meta:
        model = ActivationLink

    class Params:
        token = factory.Sequence(lambda n: f"activatie-token-{n}")
        second_factor_reset = factory.Trait(
            kind=ActivationLinkKind.SECOND_FACTOR_RESET,
            reason="Telefoon kwijt.",
            user=factory.SubFactory(UserFactory),
        )

    # "!" starts an unusable password hash (Django's set_unusable_password).
    user = factory.SubFactory(UserFactory, is_active=False, password="!invited")
    kind = ActivationLinkKind.INVITATION
    token_hash = factory.LazyAttribute(lambda link: hashlib.sha256(link.token.encode()).hexdigest())
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=72))


# --- audit ----------------------------------------------------------------------------


class AccessLogFactory(DjangoModelFactory[AccessLog]):
    """A read of a case, copied from the user as the audit service writes it."""

    class Meta:
        model = AccessLog

    class Params:
        case = factory.SubFactory(CaseFactory)

    user = factory.SubFactory(UserFactory)
    username = factory.SelfAttribute("user.username")
    organisation = factory.SelfAttribute("user.organisation")
    action = AccessLog.Action.VIEW
    object_type = "cases.case"
    object_id = factory.LazyAttribute(lambda log: str(log.case.pk))
    object_label = factory.SelfAttribute("case.number")
    case_id = factory.SelfAttribute("case.pk")
    case_number = factory.SelfAttribute("case.number")
    basis = AccessLog.Basis.OTHER


# --- pool -----------------------------------------------------------------------------


class AbsenceFactory(DjangoModelFactory[pool_models.Absence]):
    """An absence without a stand-in; with ``stand_in=`` give one active in the period
    and not away then, as pool.services.absence_validate demands."""

    class Meta:
        model = pool_models.Absence

    regisseur = factory.SubFactory(RegisseurFactory)
    starts_on = datetime.date(2026, 5, 25)
    ends_on = datetime.date(2026, 6, 5)
    created_by = factory.SubFactory(UserFactory)


class CaseloadReviewFactory(DjangoModelFactory[pool_models.CaseloadReview]):
    class Meta:
        model = pool_models.CaseloadReview

    regisseur = factory.SubFactory(RegisseurFactory)
    held_on = datetime.date(2026, 2, 2)
    held_by = factory.SubFactory(UserFactory)


class ThreeWayTalkFactory(DjangoModelFactory[pool_models.ThreeWayTalk]):
    class Meta:
        model = pool_models.ThreeWayTalk

    regisseur = factory.SubFactory(RegisseurFactory)
    held_on = datetime.date(2025, 6, 2)
    held_by = factory.SubFactory(UserFactory)
    manager = factory.SubFactory(UserFactory)


class TeamActivityFactory(DjangoModelFactory[pool_models.TeamActivity]):
    class Meta:
        model = pool_models.TeamActivity

    kind = pool_models.TeamActivity.Kind.TEAM_MEETING
    held_on = datetime.date(2026, 3, 2)

    class Params:
        # An intervision is numbered within its series.
        intervision = factory.Trait(
            kind=pool_models.TeamActivity.Kind.INTERVISION,
            series_name="Intervisie 2026",
            series_number=factory.Sequence(lambda n: n % 6 + 1),
            series_size=6,
        )


class AttendanceFactory(DjangoModelFactory[pool_models.Attendance]):
    class Meta:
        model = pool_models.Attendance

    activity = factory.SubFactory(TeamActivityFactory)
    regisseur = factory.SubFactory(RegisseurFactory)


class PoolDecisionFactory(DjangoModelFactory[pool_models.PoolDecision]):
    """The Directeurenoverleg's decision on the maximum caseload (R-POOL-11)."""

    class Meta:
        model = pool_models.PoolDecision

    decided_on = datetime.date(2020, 5, 11)
    subject = "Maximale caseload"
    text = "Het maximum aantal casussen per regisseur is 12 (per fte)."
    rule = pool_models.PoolRule.CASES_PER_FTE
    recorded_by = factory.SubFactory(UserFactory)


# --- cases ----------------------------------------------------------------------------


class PhaseTransitionFactory(DjangoModelFactory[PhaseTransition]):
    """The step into phase 2 of a case in phase 2."""

    class Meta:
        model = PhaseTransition

    case = factory.SubFactory(CaseFactory, phase2=True)
    from_phase = Phase.CONTACT
    to_phase = factory.SelfAttribute("case.phase")
    on = FIRST_ADOPTED_ON
    by = factory.SubFactory(UserFactory)
    reason = "Plan van aanpak vastgesteld."


class AssignmentFactory(DjangoModelFactory[Assignment]):
    """The current assignment of the case's regisseur (one per role per case)."""

    class Meta:
        model = Assignment

    case = factory.SubFactory(CaseFactory)
    regisseur = factory.SelfAttribute("case.regisseur")
    role = Assignment.Role.REGISSEUR
    started_on = ASSIGNED_ON
    reason = "Nieuwe casus, toegewezen op ruimte in de caseload."
    by = factory.SubFactory(UserFactory)


class ItatAdviceFactory(DjangoModelFactory[ItatAdvice]):
    """ITAT-R's advice on a plan version, which it moves to "advised"; ``on_exit=True``:
    on an exit proposal, pinned to the case's adopted plan, which waits for PTO-R."""

    class Meta:
        model = ItatAdvice

    plan_version = factory.SubFactory(PlanVersionFactory, status=PlanStatus.ADVISED)
    subject = ItatAdvice.Subject.PLAN
    given_on = datetime.date(2025, 2, 20)
    recommendation = ItatAdvice.Recommendation.POSITIVE
    advice = "Goed."
    recorded_by = factory.SubFactory(UserFactory)

    class Params:
        on_exit = factory.Trait(
            subject=ItatAdvice.Subject.EXIT,
            exit_procedure=factory.SubFactory("tests.factories.ExitProcedureFactory", advised=True),
            plan_version=factory.SubFactory(
                PlanVersionFactory,
                case=factory.SelfAttribute("..exit_procedure.case"),
                adopted=True,
            ),
            given_on=factory.SelfAttribute("exit_procedure.opened_on"),
        )


class MeetingAttendeeFactory(DjangoModelFactory[MeetingAttendee]):
    class Meta:
        model = MeetingAttendee

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Deelnemer {n}")
    organisation = factory.SubFactory(OrganisationFactory, code="ggd", name="GGD")


class MeetingActionFactory(DjangoModelFactory[MeetingAction]):
    class Meta:
        model = MeetingAction

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Actie {n}")
    owner_organisation = factory.SubFactory(OrganisationFactory, code="wpi", name="WPI")
    due_on = datetime.date(2025, 3, 3)


class EvaluationFactory(DjangoModelFactory[Evaluation]):
    class Meta:
        model = Evaluation

    case = factory.SubFactory(CaseFactory, phase2=True)
    kind = Evaluation.Kind.MONTHLY
    held_on = datetime.date(2026, 4, 15)
    findings = "Besproken."
    recorded_by = factory.SubFactory(UserFactory)


class ExitProcedureFactory(DjangoModelFactory[ExitProcedure]):
    """A running exit proposal on a case in phase 3, on the ground 'anders' (explained),
    with the team's judgement it requires; made directly, past the services' checks."""

    class Meta:
        model = ExitProcedure

    case = factory.SubFactory(CaseFactory, phase3=True)
    ground = ExitGround.OTHER
    # The OTHER ground is explained; the others are not.
    ground_explanation = factory.LazyAttribute(
        lambda p: "Met de zorg in het eigen netwerk verder." if p.ground == ExitGround.OTHER else ""
    )
    opened_on = datetime.date(2026, 4, 1)
    opened_by = factory.SubFactory(UserFactory)
    team_judgement = "Het interventieteam ziet geen gevaarsrisico meer."
    team_judgement_on = factory.SelfAttribute("opened_on")

    class Params:
        advised = factory.Trait(status=ExitStatus.ADVISED)


class EmergencyAccessFactory(DjangoModelFactory[EmergencyAccess]):
    """Emergency access opened now by a regisseur (only they may) who is no director of
    the case, for as long as the service grants it."""

    class Meta:
        model = EmergencyAccess

    case = factory.SubFactory(CaseFactory)
    user = factory.LazyFunction(lambda: RegisseurFactory(user__roles=[Role.REGISSEUR]).user)
    reason = "Melding van de politie buiten kantooruren, regisseur niet bereikbaar."
    opened_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda a: a.opened_at + emergency_access_duration())


class ShareRecordFactory(DjangoModelFactory[ShareRecord]):
    """An adopted plan version of the case shared on a weighty interest."""

    class Meta:
        model = ShareRecord

    case = factory.SubFactory(CaseFactory, phase2=True)
    shared_object_type = SharedObjectType.PLAN
    plan_version = factory.SubFactory(
        PlanVersionFactory, case=factory.SelfAttribute("..case"), adopted=True
    )
    shared_with = "J. Jansen, huisarts"
    ground = "Acuut gevaar voor de persoon zelf."
    shared_by = factory.SubFactory(UserFactory)
    shared_at = factory.LazyFunction(timezone.now)


# --- monitoring -----------------------------------------------------------------------


class MonitorFactory(DjangoModelFactory[Monitor]):
    """A queued run; ``failed=True`` one that stopped with an error (no PDF to store)."""

    class Meta:
        model = Monitor

    period_code = "2026-Q3"
    version = factory.Sequence(lambda n: n + 1)

    class Params:
        failed = factory.Trait(status=Monitor.Status.FAILED, error="Rendering mislukt.")


class NotificationFactory(DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = Notification.Kind.REMINDER
    item_key = factory.Sequence(lambda n: f"uvo:{n}")
    due_on = TODAY
    message = "De UVO is verlopen."


class NotificationPreferenceFactory(DjangoModelFactory[NotificationPreference]):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    kind = Notification.Kind.REMINDER
    channel = NotificationChannel.EMAIL


# --- the sync API ---------------------------------------------------------------------


class ExternalIdFactory(DjangoModelFactory[api_models.ExternalId]):
    """A sync client's own id for a case (``target=`` names another object)."""

    class Meta:
        model = api_models.ExternalId

    class Params:
        target = factory.SubFactory(CaseFactory)

    client = factory.SubFactory(UserFactory, roles=[Role.SYNC_CLIENT])
    content_type = factory.LazyAttribute(lambda e: ContentType.objects.get_for_model(e.target))
    object_id = factory.SelfAttribute("target.pk")
    external_id = factory.Sequence(lambda n: f"extern-{n}")


class IdempotentRequestFactory(DjangoModelFactory[api_models.IdempotentRequest]):
    class Meta:
        model = api_models.IdempotentRequest

    client = factory.SubFactory(UserFactory, roles=[Role.SYNC_CLIENT])
    key = factory.Sequence(lambda n: f"sleutel-{n}")
    method = "POST"
    path = "/api/v1/cases/"
    body_hash = hashlib.sha256(b"{}").hexdigest()
    status_code = 201
    response_body = factory.LazyFunction(lambda: {"id": 1})
    response_headers = factory.LazyFunction(lambda: {"Location": "/api/v1/cases/1/"})


class ChangeEventFactory(DjangoModelFactory[api_models.ChangeEvent]):
    """A feed event as the triggers write it (api migration 0002)."""

    class Meta:
        model = api_models.ChangeEvent

    resource = "cases"
    object_id = factory.Sequence(lambda n: n + 1)
    operation = api_models.ChangeEvent.Operation.CREATED
    xact_id = factory.Sequence(lambda n: n + 1)
    occurred_at = factory.LazyFunction(timezone.now)


class WebhookSubscriptionFactory(DjangoModelFactory[api_models.WebhookSubscription]):
    """A subscription of a sync client under a token of its own, to a public address."""

    class Meta:
        model = api_models.WebhookSubscription

    client = factory.SubFactory(UserFactory, roles=[Role.SYNC_CLIENT])
    token = factory.SubFactory(ApiTokenFactory, client=factory.SelfAttribute("..client"))
    url = "https://hooks.example.org/ipgar"
    resources = factory.LazyFunction(lambda: ["cases"])


class WebhookDeliveryFactory(DjangoModelFactory[api_models.WebhookDelivery]):
    class Meta:
        model = api_models.WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    event = factory.SubFactory(ChangeEventFactory)


class PersonSourceFactory(DjangoModelFactory[api_models.PersonSource]):
    class Meta:
        model = api_models.PersonSource

    person = factory.SubFactory(PersonFactory)
    client = factory.SubFactory(UserFactory, roles=[Role.SYNC_CLIENT])


class SavedCaseViewFactory(DjangoModelFactory[SavedCaseView]):
    """A selection of the case list kept by a programme-team member: phase 3."""

    class Meta:
        model = SavedCaseView

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Selectie {n}")
    query = "fase=3"


# --- documents ------------------------------------------------------------------------


class DocumentFactory(DjangoModelFactory[Document]):
    """A document on a case, without versions (DocumentVersionFactory adds one)."""

    class Meta:
        model = Document

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Verslag {n}")
    kind = DocumentKind.MINUTES
    date = datetime.date(2025, 2, 3)
    created_by = factory.SubFactory(UserFactory)


class DocumentVersionFactory(DjangoModelFactory[DocumentVersion]):
    """The metadata of a stored version; with ``content=b"..."`` its file is written too,
    encrypted into DOCUMENTS_ROOT as the upload service writes it (without the scan)."""

    class Meta:
        model = DocumentVersion
        skip_postgeneration_save = True

    document = factory.SubFactory(DocumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    file_name = "verslag.pdf"
    stored_as = ""
    wrapped_key = b""
    size = 1024
    content_type = "application/pdf"
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def content(self, create: bool, extracted: bytes | None, **kwargs: Any) -> None:
        if not create or extracted is None:
            return
        root = Path(settings.DOCUMENTS_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        key = documents_crypto.new_file_key()
        self.stored_as = f"factory-{self.pk}-{uuid.uuid4().hex}.enc"
        documents_crypto.write_encrypted([extracted], root / self.stored_as, key)
        self.wrapped_key = documents_crypto.wrap_key(key)
        self.size = len(extracted)
        self.sha256 = hashlib.sha256(extracted).hexdigest()
        self.save(update_fields=["stored_as", "wrapped_key", "size", "sha256"])


# --- PTO-R meetings ---------------------------------------------------------------------


class PtorMeetingFactory(DjangoModelFactory[ptor_models.Meeting]):
    """A PTO-R meeting in concept, held in person."""

    class Meta:
        model = ptor_models.Meeting

    date = datetime.date(2026, 5, 4)
    form = ptor_models.MeetingForm.IN_PERSON
    prepared_by = factory.SubFactory(UserFactory)


class PtorAttendanceFactory(DjangoModelFactory[ptor_models.Attendance]):
    """A PTO-R member of a kernpartner on a meeting's list, not yet marked."""

    class Meta:
        model = ptor_models.Attendance

    meeting = factory.SubFactory(PtorMeetingFactory)
    member = factory.SubFactory(UserFactory, roles=[Role.PTO_R])
    organisation = factory.SelfAttribute("member.organisation")


class AgendaItemFactory(DjangoModelFactory[ptor_models.AgendaItem]):
    """A general item; ``case=True``: a case item on an exit proposal waiting for PTO-R."""

    class Meta:
        model = ptor_models.AgendaItem

    meeting = factory.SubFactory(PtorMeetingFactory)
    kind = ptor_models.ItemKind.GENERAL
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agendapunt {n}")

    class Params:
        case = factory.Trait(
            kind=ptor_models.ItemKind.CASE,
            exit_procedure=factory.SubFactory(ExitProcedureFactory, advised=True),
            title=factory.LazyAttribute(lambda i: f"Casus {i.exit_procedure.case.number}"),
        )
