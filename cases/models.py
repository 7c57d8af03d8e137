"""Cases in the approach (docs/rules.md R-CASE, R-EXIT): the pseudonymous case, the
protected person record, phases, regisseur and buddy, the intervention team,
assessments, versioned plans of approach with interventions, UVO meetings,
evaluations, ITAT-R advice and the exit procedure decided by PTO-R; emergency access
("break the glass") and decisions to share on a weighty interest.

Every model's history (who, when, old and new values) is kept by django-pghistory.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TypeAlias

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.dates import day_shown
from kernel.labels import label_of

# The statuses live with their lifecycles; imported here for the models' users.
from .workflow import (
    CLOSED_STATUSES,
    OPEN_INTERVENTION_STATUSES,
    OPEN_STATUSES,
    RUNNING_ESCALATION_STATUSES,
    RUNNING_EXIT_STATUSES,
    CaseStatus,
    EscalationStatus,
    ExitStatus,
    InterventionStatus,
    Phase,
    PlanStatus,
)


# Named filters on managers (not QuerySet subclasses): every other query on these
# models keeps the plain QuerySet type its annotated selectors are written against.
class CaseManager(models.Manager["Case"]):
    def open(self) -> models.QuerySet[Case]:
        """Cases still in the approach."""
        return self.filter(status__in=OPEN_STATUSES)


@pghistory.track()
class Case(models.Model):
    """A person in the approach, known everywhere by a pseudonymous case number."""

    number = models.CharField(_("casusnummer"), max_length=20, unique=True)
    region = models.ForeignKey(
        "pool.Region", verbose_name=_("regio"), on_delete=models.PROTECT, related_name="cases"
    )
    registered_on = models.DateField(_("aangemeld op"))
    # The intake (aanmelding): who referred the person, the reading of the signals
    # (duiding) and what the voortraject gathered before the case was registered.
    referred_by = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("aangemeld door (kernpartner)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    interpretation = models.TextField(_("duiding"), blank=True)
    preliminary_findings = models.TextField(_("voortraject"), blank=True)
    # The formal start: the mayor signed the notification letter (notificatiebrief).
    notification_signed_on = models.DateField(
        _("notificatiebrief getekend op"), null=True, blank=True
    )
    # Who signed it: the mayor, or who signed on the mayor's behalf.
    notification_signed_by = models.CharField(
        _("notificatiebrief getekend door"), max_length=200, blank=True
    )
    phase = models.PositiveSmallIntegerField(
        _("fase"), choices=Phase.choices, default=Phase.CONTACT
    )
    phase_since = models.DateField(_("in deze fase sinds"))
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    regisseur = models.ForeignKey(
        "pool.Regisseur",
        verbose_name=_("regisseur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_regisseur",
    )
    regisseur_since = models.DateField(_("regisseur sinds"), null=True, blank=True)
    buddy = models.ForeignKey(
        "pool.Regisseur",
        verbose_name=_("buddy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_buddy",
    )
    exited_on = models.DateField(_("uitgestroomd op"), null=True, blank=True)
    # The weighing did not take the person in (docs/rules.md R-CASE-9): closed with why.
    not_included_on = models.DateField(_("niet opgenomen op"), null=True, blank=True)
    not_included_reason = models.TextField(_("reden niet opgenomen"), blank=True)
    # Optimistic locking: every write through a service raises it by one.
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = CaseManager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        constraints = [
            models.CheckConstraint(
                condition=~Q(regisseur=F("buddy")), name="case_buddy_differs_from_regisseur"
            ),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="case_phase_valid"),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.EXITED, exited_on__isnull=False)
                | (~Q(status=CaseStatus.EXITED) & Q(exited_on__isnull=True)),
                name="case_exit_date_iff_exited",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.NOT_INCLUDED, not_included_on__isnull=False)
                | (~Q(status=CaseStatus.NOT_INCLUDED) & Q(not_included_on__isnull=True)),
                name="case_not_included_date_iff_not_included",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.IN_REGIE) | Q(regisseur__isnull=False),
                name="case_in_regie_has_regisseur",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "phase"]),
            models.Index(fields=["regisseur", "status"]),
            models.Index(fields=["buddy", "status"]),
            # Whether a case is in regie, from the index alone: the menu's badges count
            # the exit proposals waiting on cases in regie, a few thousand at 100,000
            # cases, which PostgreSQL otherwise joins to a scan of every case.
            models.Index(
                fields=["id"], condition=Q(status=CaseStatus.IN_REGIE), name="case_in_regie"
            ),
        ]
        permissions = [
            ("view_person_data", _("Mag persoonsgegevens van de casus zien")),
            ("work_on_case", _("Mag aan de casus werken")),
            (
                "list_directed_cases",
                _("Mag de casussen zien die hij of zij als regisseur, buddy of vervanger voert"),
            ),
            (
                "list_team_cases",
                _("Mag de casussen zien van de interventieteams waarin hij of zij zit"),
            ),
            ("export_case_list", _("Mag een casuslijst als CSV exporteren")),
            (
                "run_intake",
                _(
                    "Mag casussen aanmelden, na de weging afsluiten, de eerste regisseur en "
                    "buddy toewijzen en de notificatiebrief vastleggen"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


@pghistory.track()
class Person(models.Model):
    """The person behind a case: kept apart from the case and more tightly guarded.

    After the retention period the record is pseudonymised: the identifying
    fields are emptied and ``pseudonymised_at`` is set.
    """

    case = models.OneToOneField(
        Case, verbose_name=_("casus"), on_delete=models.PROTECT, related_name="person"
    )
    first_name = models.CharField(_("voornaam"), max_length=100, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("geboortedatum"), null=True, blank=True)
    address = models.TextField(_("adres"), blank=True)
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    pseudonymised_at = models.DateTimeField(_("gepseudonimiseerd op"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        permissions = [
            (
                "erase_person",
                _("Mag een persoonsrecord voor het einde van de bewaartermijn wissen"),
            ),
            (
                "erase_mirrored_person",
                _("Mag een persoonsrecord pseudonimiseren omdat de bron dat deed"),
            ),
            ("search_person", _("Mag casussen zoeken op naam of BSN van de persoon")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(bsn="") | Q(bsn__regex=r"^[0-9]{9}$"), name="person_bsn_nine_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Persoon')} {self.case.number}"


@pghistory.track()
class PhaseTransition(models.Model):
    """The history of a case's phases and status: who moved it, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase_transitions")
    from_phase = models.PositiveSmallIntegerField(choices=Phase.choices, null=True, blank=True)
    to_phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    on = models.DateField(_("datum"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("toelichting"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "on", "created_at"]
        verbose_name = _("faseovergang")
        verbose_name_plural = _("faseovergangen")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_phase} → {self.to_phase} ({self.on:%d-%m-%Y})"


@pghistory.track()
class Assignment(models.Model):
    """Who was regisseur or buddy of a case, from when to when, and why it changed."""

    class Role(models.TextChoices):
        REGISSEUR = "regisseur", _("Regisseur")
        BUDDY = "buddy", _("Buddy")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    regisseur = models.ForeignKey(
        "pool.Regisseur", on_delete=models.PROTECT, related_name="case_assignments"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    started_on = models.DateField(_("vanaf"))
    ended_on = models.DateField(_("tot en met"), null=True, blank=True)
    reason = models.TextField(_("reden"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "started_on"]
        verbose_name = _("toewijzing")
        verbose_name_plural = _("toewijzingen")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "role"],
                condition=Q(ended_on__isnull=True),
                name="one_current_assignment_per_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="assignment_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        role = Assignment.Role(self.role).label
        return f"{role} {self.regisseur_id} vanaf {self.started_on:%d-%m-%Y}"


@pghistory.track()
class TeamMember(models.Model):
    """A professional in the case's intervention team (interventieteam)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_members")
    name = models.CharField(_("naam"), max_length=200)
    # Set when the professional signs in to ipgar (role: intervention-team member).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="team_memberships",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisatie"), on_delete=models.PROTECT
    )
    role = models.CharField(_("rol"), max_length=200, blank=True)
    # Why information about the case may be shared with this professional (docs/rules.md
    # R-PRIV-1); required for every member added since it was asked (older rows are empty).
    sharing_basis = models.TextField(_("grondslag informatiedeling"), blank=True)
    joined_on = models.DateField(_("lid sinds"))
    # The day the professional left the team: from that day on the account no longer
    # reads the case (docs/rules.md R-ACCESS-3).
    left_on = models.DateField(_("vertrokken op"), null=True, blank=True)

    class Meta:
        ordering = ["case", "joined_on", "name"]
        verbose_name = _("lid interventieteam")
        verbose_name_plural = _("leden interventieteam")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="team_member_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


@pghistory.track()
class Assessment(models.Model):
    """A weighing with the dynamic assessment framework (dynamisch beoordelingskader).

    A person belongs in the approach only when both the care criterion and the
    safety criterion are met; the weighing is repeated at every evaluation.
    """

    class RiskLevel(models.TextChoices):
        LOW = "laag", _("Laag")
        MEDIUM = "midden", _("Midden")
        HIGH = "hoog", _("Hoog")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("datum"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beoordeeld door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    care_criterion = models.BooleanField(_("zorgcriterium (problemen op leefgebieden)"))
    safety_criterion = models.BooleanField(_("veiligheidscriterium (risico op geweld)"))
    risk_level = models.CharField(_("risiconiveau"), max_length=10, choices=RiskLevel.choices)
    reasoning = models.TextField(_("onderbouwing"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-assessed_on", "-created_at"]
        verbose_name = _("beoordeling")
        verbose_name_plural = _("beoordelingen")

    def __str__(self) -> str:
        return f"{_('Beoordeling')} {self.assessed_on:%d-%m-%Y}"

    @property
    def meets_inclusion(self) -> bool:
        return self.care_criterion and self.safety_criterion


class PlanVersionManager(models.Manager["PlanVersion"]):
    def adopted(self) -> models.QuerySet[PlanVersion]:
        return self.filter(status=PlanStatus.ADOPTED)


@pghistory.track()
class PlanVersion(models.Model):
    """One version of a case's plan of approach (plan van aanpak).

    A concept may be edited; once ITAT-R advice is recorded and the version is
    adopted (vastgesteld) it never changes again (a database trigger refuses it):
    a change makes a new version.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveIntegerField(_("versie"))
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.CONCEPT
    )
    concerns = models.TextField(_("zorgen over radicalisering (gevaarsrisico)"))
    goals = models.TextField(_("doelen"))
    course = models.TextField(_("koers"))
    joint_task = models.TextField(_("gezamenlijke opgave (veiligheid en zorg)"))
    focus = models.TextField(_("focus van deze versie"), blank=True)
    explanation = models.TextField(_("toelichting op deze versie"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_on = models.DateField(_("vastgesteld op"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = PlanVersionManager()

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("versie plan van aanpak")
        verbose_name_plural = _("versies plan van aanpak")
        indexes = [
            # The case of a plan version by the version's id, from the index alone: the
            # deadline selector finds the case of every intervention still to be met
            # without reading the versions' rows.
            models.Index(fields=["id", "case"], name="plan_version_id_with_case"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="unique_plan_version_number"),
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(status=PlanStatus.ADOPTED),
                name="one_open_plan_version_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(status=PlanStatus.ADOPTED)
                | (Q(adopted_on__isnull=False) & Q(adopted_by__isnull=False)),
                name="adopted_plan_has_date_and_adopter",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="adopted_plan_version_is_immutable",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status=PlanStatus.ADOPTED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} v{self.number}"

    @property
    def is_adopted(self) -> bool:
        return self.status == PlanStatus.ADOPTED


class Pillar(models.TextChoices):
    """The three pillars the approach's goals follow (docs/rules.md R-MON-2)."""

    STRAF = "straf", _("Straf")
    ZORG = "zorg", _("Zorg")
    BRUSJES = "brusjes", _("Brusjes")


@pghistory.track()
class Intervention(models.Model):
    """An intervention in a plan version: what, by which organisation, by when.

    ``lineage`` stays the same when a new plan version carries the intervention
    over, so versions can be compared intervention by intervention. Once its
    plan version is adopted, what was agreed (description, pillar, organisation,
    deadline) is frozen; progress (status, result) is still recorded.
    """

    Status = InterventionStatus

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="interventions"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    description = models.TextField(_("interventie"))
    # Required for every intervention written since the pillars were asked (the plan
    # form, the API: docs/rules.md R-MON-2); interventions written before have none.
    # NULL (not "") says the question was never put; a DB constraint holds the choices.
    pillar = models.CharField(  # noqa: DJ001
        _("pijler"), max_length=10, choices=Pillar.choices, null=True, blank=True
    )
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("verantwoordelijke organisatie"),
        on_delete=models.PROTECT,
    )
    deadline = models.DateField(_("termijn"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    result = models.TextField(_("resultaat"), blank=True)
    frozen = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_version", "deadline", "id"]
        verbose_name = _("interventie")
        verbose_name_plural = _("interventies")
        indexes = [
            # The terms still to be met (the deadline selector's interventions): a small
            # part of all interventions ever planned, found by term without a scan, and
            # with their plan version and id read from the index alone (no table rows).
            models.Index(
                fields=["deadline", "plan_version", "id"],
                condition=Q(status__in=OPEN_INTERVENTION_STATUSES),
                name="intervention_open_by_term",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "lineage"], name="unique_lineage_per_plan_version"
            ),
            models.CheckConstraint(
                condition=Q(pillar__isnull=True) | Q(pillar__in=Pillar.values),
                name="intervention_pillar_valid",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="adopted_intervention_terms_are_frozen",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__frozen=True)
                & (
                    pgtrigger.Q(old__description__df=pgtrigger.F("new__description"))
                    | pgtrigger.Q(old__pillar__df=pgtrigger.F("new__pillar"))
                    | pgtrigger.Q(
                        old__responsible_organisation_id__df=pgtrigger.F(
                            "new__responsible_organisation_id"
                        )
                    )
                    | pgtrigger.Q(old__deadline__df=pgtrigger.F("new__deadline"))
                    | pgtrigger.Q(old__plan_version_id__df=pgtrigger.F("new__plan_version_id"))
                    | pgtrigger.Q(new__frozen=False)
                ),
            ),
            pgtrigger.Protect(
                name="adopted_intervention_is_not_deleted",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__frozen=True),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


# Outside ItatAdvice so that its Meta's constraint can name it.
class AdviceSubject(models.TextChoices):
    PLAN = "plan", _("Plan van aanpak")
    EXIT = "uitstroom", _("Uitstroomvoorstel")


@pghistory.track()
class ItatAdvice(models.Model):
    """Advice of the ITAT-R, on a plan or on an exit proposal, always pinned to the
    exact plan version it was given on."""

    Subject: TypeAlias = AdviceSubject

    class Recommendation(models.TextChoices):
        POSITIVE = "positief", _("Positief")
        WITH_CHANGES = "met_aanpassingen", _("Positief met aanpassingen")
        NEGATIVE = "negatief", _("Negatief")

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="itat_advices"
    )
    subject = models.CharField(_("onderwerp"), max_length=10, choices=Subject.choices)
    exit_procedure = models.ForeignKey(
        "ExitProcedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="itat_advices",
    )
    given_on = models.DateField(_("datum advies"))
    recommendation = models.CharField(_("strekking"), max_length=20, choices=Recommendation.choices)
    advice = models.TextField(_("advies"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_version", "given_on"]
        verbose_name = _("ITAT-R-advies")
        verbose_name_plural = _("ITAT-R-adviezen")
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject=AdviceSubject.EXIT) & Q(exit_procedure__isnull=False))
                | (Q(subject=AdviceSubject.PLAN) & Q(exit_procedure__isnull=True)),
                name="itat_advice_exit_subject_has_procedure",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('ITAT-R-advies')} {self.given_on:%d-%m-%Y}"


# Outside Meeting so that its Meta's constraint can name it.
class MeetingKind(models.TextChoices):
    FIRST = "eerste_uvo", _("Eerste UVO")
    REGULAR = "uvo", _("UVO")
    PLUS = "uvo_plus", _("UVO-plus")
    BREAKTHROUGH = "doorbraak", _("Doorbraakoverleg")


class FirstUvoPart(models.IntegerChoices):
    """The first UVO may be held in two meetings (docs/rules.md R-CASE-4)."""

    FIRST = 1, _("deel 1 van 2")
    SECOND = 2, _("deel 2 van 2")


@pghistory.track()
class Meeting(models.Model):
    """An UVO (uitvoerdersoverleg) of the intervention team, or a breakthrough meeting."""

    Kind: TypeAlias = MeetingKind
    Part: TypeAlias = FirstUvoPart

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("datum"))
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    # Empty for every meeting but a first UVO held in two meetings.
    first_uvo_part = models.PositiveSmallIntegerField(
        _("deel van het eerste UVO"), choices=FirstUvoPart.choices, null=True, blank=True
    )
    person_attended = models.BooleanField(_("persoon nam deel"), default=False)
    agenda = models.TextField(_("agenda"), blank=True)
    development = models.TextField(_("waargenomen ontwikkeling"), blank=True)
    decisions = models.TextField(_("besluiten"), blank=True)
    exit_in_sight = models.BooleanField(_("uitstroom in zicht besproken"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-held_on"]
        verbose_name = _("UVO")
        verbose_name_plural = _("UVO's")
        constraints = [
            # The first UVO opens once: in one meeting or as its part 1.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind=MeetingKind.FIRST)
                & (Q(first_uvo_part__isnull=True) | Q(first_uvo_part=FirstUvoPart.FIRST)),
                name="one_first_uvo_per_case",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind=MeetingKind.FIRST, first_uvo_part=FirstUvoPart.SECOND),
                name="one_first_uvo_second_part_per_case",
            ),
            models.CheckConstraint(
                condition=Q(first_uvo_part__isnull=True)
                | Q(kind=MeetingKind.FIRST, first_uvo_part__in=FirstUvoPart.values),
                name="first_uvo_part_only_on_a_first_uvo",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-held_on"]),
            # The case of an UVO by the UVO's id, from the index alone: the deadline
            # selector finds the case of every open action without reading the UVOs
            # (a million rows at 100,000 cases).
            models.Index(fields=["id", "case"], name="meeting_id_with_case"),
        ]

    def __str__(self) -> str:
        # The enum's label, not get_kind_display(): that rebuilds the choices on every
        # call, and the access log labels every object an API page returns.
        label = label_of(Meeting.Kind(self.kind))
        if self.first_uvo_part is not None:
            label = f"{label}, {label_of(FirstUvoPart(self.first_uvo_part))}"
        return f"{label} {self.case.number} {day_shown(self.held_on)}"


class MeetingAttendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("naam"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisatie"), on_delete=models.PROTECT
    )
    team_member = models.ForeignKey(
        TeamMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "name"]
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class MeetingAction(models.Model):
    """An action agreed in an UVO: what, which organisation, by when, done when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("actie"))
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("eigenaar"), on_delete=models.PROTECT
    )
    due_on = models.DateField(_("uiterlijk"))
    done_on = models.DateField(_("afgerond op"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "due_on"]
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        indexes = [
            # The actions not yet done (the deadline selector's UVO actions), by due date,
            # with their UVO and id read from the index alone (no table rows).
            models.Index(
                fields=["due_on", "meeting", "id"],
                condition=Q(done_on__isnull=True),
                name="action_open_by_due_on_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


@pghistory.track()
class Evaluation(models.Model):
    """Monthly plan evaluation, or the two-yearly evaluation that asks whether the
    person can exit."""

    class Kind(models.TextChoices):
        MONTHLY = "maandelijks", _("Maandelijkse evaluatie plan van aanpak")
        TWO_YEARLY = "tweejaarlijks", _("Tweejaarlijkse evaluatie")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("soort"), max_length=15, choices=Kind.choices)
    held_on = models.DateField(_("datum"))
    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    findings = models.TextField(_("bevindingen"))
    exit_possible = models.BooleanField(_("uitstroom mogelijk"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-held_on"]
        verbose_name = _("evaluatie")
        verbose_name_plural = _("evaluaties")
        indexes = [models.Index(fields=["case", "kind", "-held_on"])]

    def __str__(self) -> str:
        return f"{Evaluation.Kind(self.kind).label} {self.held_on:%d-%m-%Y}"


class EscalationManager(models.Manager["Escalation"]):
    def running(self) -> models.QuerySet[Escalation]:
        """Escalations of cases still stuck: at most one per case."""
        return self.filter(status__in=RUNNING_ESCALATION_STATUSES)


@pghistory.track()
class Escalation(models.Model):
    """A stuck case (docs/rules.md R-CASE-11): where it is stuck and what the team
    itself tried, then the consultations and doorbraakoverleggen (EscalationStep) until
    the case is resolved (vlotgetrokken). The lifecycle is cases/workflow.py ESCALATION."""

    Status: TypeAlias = EscalationStatus

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.STUCK
    )
    stuck_since = models.DateField(_("vastgelopen sinds"))
    what_is_stuck = models.TextField(_("waar de casus op vastloopt"))
    team_attempts = models.TextField(_("wat het team zelf heeft geprobeerd"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_on = models.DateField(_("vlotgetrokken op"), null=True, blank=True)
    resolution = models.TextField(_("wat de casus vlottrok"), blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EscalationManager()

    class Meta:
        ordering = ["case", "-stuck_since", "-id"]
        verbose_name = _("escalatie vastgelopen casus")
        verbose_name_plural = _("escalaties vastgelopen casussen")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=list(RUNNING_ESCALATION_STATUSES)),
                name="one_running_escalation_per_case",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=EscalationStatus.RESOLVED)
                    & Q(resolved_on__isnull=False)
                    & ~Q(resolution="")
                )
                | (~Q(status=EscalationStatus.RESOLVED) & Q(resolved_on__isnull=True)),
                name="escalation_resolved_iff_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Vastgelopen')} {self.case.number} {self.stuck_since:%d-%m-%Y}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_ESCALATION_STATUSES


class EscalationStepKind(models.TextChoices):
    COLLEAGUES = "collegas", _("Collega's in de pool geraadpleegd")
    PROGRAMME_TEAM = "programmateam", _("Programmateam geraadpleegd")
    ITAT_R = "itat_r", _("Advies ITAT-R op de casus")
    BREAKTHROUGH = "doorbraak", _("Doorbraakoverleg")


# The kinds that are a consultation (the middle step of R-CASE-11).
CONSULTATION_KINDS = (
    EscalationStepKind.COLLEAGUES,
    EscalationStepKind.PROGRAMME_TEAM,
    EscalationStepKind.ITAT_R,
)


@pghistory.track()
class EscalationStep(models.Model):
    """One step of an escalation and what it produced: a consultation of colleagues,
    the programme team or ITAT-R (ITAT-R's advice on the case itself), or a
    doorbraakoverleg, which is also recorded as a meeting of that kind."""

    Kind: TypeAlias = EscalationStepKind

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("stap"), max_length=15, choices=Kind.choices)
    held_on = models.DateField(_("datum"))
    participants = models.TextField(_("wie"), blank=True)
    outcome = models.TextField(_("uitkomst"))
    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="escalation_step"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalation", "held_on", "id"]
        verbose_name = _("escalatiestap")
        verbose_name_plural = _("escalatiestappen")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=EscalationStepKind.BREAKTHROUGH, meeting__isnull=False)
                | (~Q(kind=EscalationStepKind.BREAKTHROUGH) & Q(meeting__isnull=True)),
                name="escalation_breakthrough_has_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{EscalationStep.Kind(self.kind).label} {self.held_on:%d-%m-%Y}"


class ExitGround(models.TextChoices):
    RISK_AND_CARE_GONE = "risico_zorg_weg", _("Gevaarsrisico en zorgbehoefte weggenomen")
    CARE_HANDED_OVER = "warme_overdracht", _("Zorg geborgd via warme overdracht")
    MOVED_NL = "verhuisd_nl", _("Verhuisd naar een andere gemeente")
    MOVED_ABROAD = "verhuisd_buitenland", _("Verhuisd naar het buitenland")
    OTHER = "anders", _("Anders")


MOVE_GROUNDS = (ExitGround.MOVED_NL, ExitGround.MOVED_ABROAD)


class ExitProcedureManager(models.Manager["ExitProcedure"]):
    def running(self) -> models.QuerySet[ExitProcedure]:
        """Procedures still open or waiting for PTO-R: at most one per case."""
        return self.filter(status__in=RUNNING_EXIT_STATUSES)


@pghistory.track()
class ExitProcedure(models.Model):
    """The exit procedure: the team's joint judgement leads to a proposal, ITAT-R
    advises, PTO-R decides. A move opens it at once."""

    Status: TypeAlias = ExitStatus

    class Decision(models.TextChoices):
        APPROVED = "akkoord", _("Akkoord met uitstroom")
        REJECTED = "afgewezen", _("Niet akkoord")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="exit_procedures")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    ground = models.CharField(_("grond"), max_length=20, choices=ExitGround.choices)
    handover_organisation = models.CharField(
        _("organisatie warme overdracht"), max_length=200, blank=True
    )
    destination = models.CharField(_("nieuwe gemeente of land"), max_length=200, blank=True)
    # A move (docs/rules.md R-EXIT-2): the contact with the new municipality for the warm
    # hand-over, or the police/OM's weighing of passing information on abroad.
    municipality_contact = models.TextField(_("contact met de nieuwe gemeente"), blank=True)
    information_weighing = models.TextField(
        _("weging politie/OM over het doorgeven van informatie"), blank=True
    )
    ground_explanation = models.TextField(_("toelichting grond"), blank=True)
    opened_on = models.DateField(_("gestart op"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team_judgement = models.TextField(_("gezamenlijk oordeel interventieteam"), blank=True)
    team_judgement_on = models.DateField(_("datum oordeel"), null=True, blank=True)
    decision = models.CharField(
        _("besluit PTO-R"), max_length=10, choices=Decision.choices, blank=True
    )
    decided_on = models.DateField(_("datum besluit"), null=True, blank=True)
    decision_reasoning = models.TextField(_("motivering besluit"), blank=True)
    decision_plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    objects = ExitProcedureManager()

    class Meta:
        ordering = ["case", "-opened_on"]
        verbose_name = _("uitstroomprocedure")
        verbose_name_plural = _("uitstroomprocedures")
        permissions = [
            ("decide_exit", _("Mag over uitstroomvoorstellen besluiten")),
        ]
        indexes = [
            # The ground of a case's approved exit, latest decision first, from the index
            # alone (cases.selectors.figures.approved_exit_ground): the dashboard's
            # outflow per quarter asks it for every case exited in the year.
            models.Index(
                fields=["case", "-decided_on", "ground"],
                condition=Q(status=ExitStatus.APPROVED),
                name="exit_approved_ground",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                # A list, as the migration has it: a tuple would read as a change.
                condition=Q(status__in=list(RUNNING_EXIT_STATUSES)),
                name="one_running_exit_procedure_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(ground=ExitGround.CARE_HANDED_OVER) | ~Q(handover_organisation=""),
                name="exit_handover_names_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(ground__in=list(MOVE_GROUNDS)) | ~Q(destination=""),
                name="exit_move_names_destination",
            ),
            models.CheckConstraint(
                condition=Q(decision="")
                | (
                    Q(decided_on__isnull=False)
                    & Q(decision_plan_version__isnull=False)
                    & ~Q(decision_reasoning="")
                ),
                name="exit_decision_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.get_ground_display()}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_EXIT_STATUSES


class EmergencyAccessQuerySet(models.QuerySet["EmergencyAccess"]):
    def active_at(self, at: datetime.datetime) -> EmergencyAccessQuerySet:
        """Accesses running at ``at`` on a case still in the approach: not expired and
        not ended early by the programme team."""
        return self.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at),
            opened_at__lte=at,
            expires_at__gt=at,
            case__status__in=OPEN_STATUSES,
        )

    def unreviewed(self) -> EmergencyAccessQuerySet:
        return self.filter(reviewed_at__isnull=True)

    def flagged(self) -> EmergencyAccessQuerySet:
        """Reviewed and marked by the programme team for follow-up."""
        return self.filter(flagged=True)

    def opened_by_since(self, user_id: int, since: datetime.datetime) -> EmergencyAccessQuerySet:
        return self.filter(user_id=user_id, opened_at__gte=since)


@pghistory.track()
class EmergencyAccess(models.Model):
    """Break the glass: a regisseur opens a case that is not his or hers, for a
    limited time and with a stated reason; the programme team reviews it afterwards.

    While it runs the regisseur reads the case and the person as its directors do,
    but changes nothing (cases/access.py EMERGENCY_PERMISSIONS); every read under it
    is flagged in the access log. The review may end it early or flag it.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("casus"), on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geopend door"),
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
    )
    reason = models.TextField(_("reden"))
    opened_at = models.DateTimeField(_("geopend op"))
    expires_at = models.DateTimeField(_("verloopt op"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beoordeeld door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    review_note = models.TextField(_("toelichting beoordeling"), blank=True)
    # The review may mark an access for follow-up (a doubtful reason, a pattern).
    flagged = models.BooleanField(_("gemarkeerd voor opvolging"), default=False)
    # Set when the programme team ends the access before it expires: from then on it
    # gives nothing (``active_at``); ``expires_at`` keeps what was granted.
    ended_at = models.DateTimeField(_("beëindigd op"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beëindigd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("noodtoegang")
        verbose_name_plural = _("noodtoegangen")
        permissions = [
            ("open_emergency_access", _("Mag noodtoegang tot een casus nemen")),
            ("review_emergency_access", _("Mag noodtoegangen beoordelen, beëindigen en markeren")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")), name="emergency_access_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True, reviewed_at__isnull=True)
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="emergency_access_review_complete",
            ),
            models.CheckConstraint(
                condition=Q(ended_by__isnull=True, ended_at__isnull=True)
                | Q(ended_by__isnull=False, ended_at__gte=F("opened_at")),
                name="emergency_access_end_complete",
            ),
            models.CheckConstraint(
                condition=Q(flagged=False) | Q(reviewed_at__isnull=False),
                name="emergency_access_flagged_when_reviewed",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "case", "expires_at"]),
            models.Index(fields=["reviewed_at", "-opened_at"]),
        ]

    def __str__(self) -> str:
        return f"{_('Noodtoegang')} {self.case_id} {self.opened_at:%d-%m-%Y %H:%M}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def is_running_at(self, at: datetime.datetime) -> bool:
        return self.opened_at <= at < self.expires_at and (
            self.ended_at is None or self.ended_at > at
        )


class SharedObjectType(models.TextChoices):
    PLAN = "plan", _("Versie plan van aanpak")
    MEETING = "meeting", _("UVO")


@pghistory.track()
class ShareRecord(models.Model):
    """A decision to share a plan version or an UVO with someone outside the case's
    team, on the ground of a weighty interest (zwaarwegend belang)."""

    case = models.ForeignKey(
        Case, verbose_name=_("casus"), on_delete=models.PROTECT, related_name="share_records"
    )
    shared_object_type = models.CharField(
        _("wat is gedeeld"), max_length=10, choices=SharedObjectType.choices
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("versie plan van aanpak"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("UVO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who received it: a name and an organisation, often outside ipgar.
    shared_with = models.CharField(_("gedeeld met"), max_length=300)
    ground = models.TextField(_("zwaarwegend belang"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gedeeld door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    shared_at = models.DateTimeField(_("gedeeld op"))

    class Meta:
        ordering = ["case", "-shared_at", "-id"]
        verbose_name = _("deling op zwaarwegend belang")
        verbose_name_plural = _("delingen op zwaarwegend belang")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    shared_object_type=SharedObjectType.PLAN,
                    plan_version__isnull=False,
                    meeting__isnull=True,
                )
                | Q(
                    shared_object_type=SharedObjectType.MEETING,
                    meeting__isnull=False,
                    plan_version__isnull=True,
                ),
                name="share_record_names_exactly_one_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_shared_object_type_display()} → {self.shared_with}"


class SavedCaseView(models.Model):
    """A selection of the case list a user keeps under a name: the list's query string
    (filters and sort order), owned by that user alone. A preference, not case data:
    it holds no person data and is not tracked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="saved_case_views",
    )
    name = models.CharField(_("naam"), max_length=80)
    query = models.CharField(_("selectie"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "name"]
        verbose_name = _("bewaarde selectie")
        verbose_name_plural = _("bewaarde selecties")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_case_view_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class CaseRhythm(models.Model):
    """What the rhythm rules of a case count from (docs/rules.md R-CASE-3, R-CASE-4,
    R-CASE-6, R-CASE-8, R-CASE-10): its latest UVO, its latest plan adoption and the
    plan in force, its latest monthly and two-yearly evaluation.

    A summary the database keeps, never written by the application: triggers on the
    meetings, plan versions and evaluations refresh a case's row in the statement that
    changes them (cases/migrations/0012_case_rhythm.py), so the deadline selector reads
    one row per case instead of five look-ups. A case with none of these records has
    no row; reading it through a left join gives the same empty dates.
    """

    case = models.OneToOneField(
        Case,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="rhythm",
    )
    latest_uvo_on = models.DateField(null=True)
    latest_adoption_on = models.DateField(null=True)
    plan_in_force = models.ForeignKey(
        PlanVersion,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="in_force_for",
    )
    latest_monthly_evaluation_on = models.DateField(null=True)
    latest_two_yearly_evaluation_on = models.DateField(null=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"rhythm of case {self.case_id}"
