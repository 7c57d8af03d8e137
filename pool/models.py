"""The regisseurspool: regisseurs with FTE and capacity, absences, caseload reviews,
three-way talks and team activities (docs/rules.md R-POOL).

pool knows nothing of cases: the overview counts a regisseur's cases through the
reverse relations ``cases_as_regisseur`` / ``cases_as_buddy`` that cases declares.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import TypeAlias

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """Where a case lives; a regisseur may be restricted to one region (e.g. Amstelland)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def __str__(self) -> str:
        return self.name


def active_on_q(day: datetime.date, prefix: str = "") -> Q:
    """A regisseur in the pool on ``day``, reached through ``prefix`` ("regisseur__"
    from a case)."""
    return Q(**{f"{prefix}active_from__lte": day}) & (
        Q(**{f"{prefix}active_until__isnull": True}) | Q(**{f"{prefix}active_until__gte": day})
    )


class RegisseurQuerySet(models.QuerySet["Regisseur"]):
    def active_on(self, day: datetime.date) -> RegisseurQuerySet:
        return self.filter(active_on_q(day))


def capacity_of(fte: Decimal) -> int:
    """Maximum caseload: cases per 1.0 FTE, pro rata, rounded down."""
    places = fte * settings.IPGAR_CASES_PER_FTE
    return int(places.to_integral_value(rounding=ROUND_FLOOR))


@pghistory.track()
class Regisseur(models.Model):
    """A pool member. Hierarchically in the moederorganisatie, functionally led by OOV."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.PROTECT,
        related_name="regisseur",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("moederorganisatie"),
        on_delete=models.PROTECT,
        related_name="regisseurs",
    )
    fte = models.DecimalField(_("fte"), max_digits=3, decimal_places=2)
    region_restriction = models.ForeignKey(
        Region,
        verbose_name=_("alleen casussen uit regio"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="restricted_regisseurs",
    )
    remark = models.CharField(_("bijzonderheden"), max_length=200, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leidinggevende moederorganisatie"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_regisseurs",
    )
    active_from = models.DateField(_("actief vanaf"))
    active_until = models.DateField(_("actief tot en met"), null=True, blank=True)
    # Optimistic locking (kernel/locking.py): every write through the services raises it.
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisseurQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("regisseur")
        verbose_name_plural = _("regisseurs")
        permissions = [
            (
                "view_organisation_caseload",
                _("Mag de caseloadcijfers van de regisseurs van de eigen organisatie zien"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1), name="regisseur_fte_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=F("active_from")),
                name="regisseur_active_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def capacity(self) -> int:
        return capacity_of(self.fte)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.active_from <= day and (self.active_until is None or self.active_until >= day)


@pghistory.track()
class Absence(models.Model):
    """Absence (leave, illness) of a regisseur; the stand-in holds the cases meanwhile."""

    regisseur = models.ForeignKey(
        Regisseur, verbose_name=_("regisseur"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField(_("van"))
    ends_on = models.DateField(_("tot en met"))
    reason = models.CharField(_("reden"), max_length=200, blank=True)
    stand_in = models.ForeignKey(
        Regisseur,
        verbose_name=_("vervanger"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stand_in_for",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Optimistic locking (kernel/locking.py): every write through the services raises it.
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("afwezigheid")
        verbose_name_plural = _("afwezigheden")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="absence_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(stand_in=F("regisseur")), name="absence_stand_in_is_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regisseur} {self.starts_on:%d-%m-%Y} – {self.ends_on:%d-%m-%Y}"


@pghistory.track()
class CaseloadReview(models.Model):
    """Caseload review (caseloadbespreking): OOV with one regisseur, every 3 months."""

    regisseur = models.ForeignKey(
        Regisseur,
        verbose_name=_("regisseur"),
        on_delete=models.PROTECT,
        related_name="caseload_reviews",
    )
    held_on = models.DateField(_("datum"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gevoerd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    progress = models.TextField(_("voortgang"), blank=True)
    content = models.TextField(_("inhoud"), blank=True)
    registration = models.TextField(_("registratie"), blank=True)
    requirements = models.TextField(_("gestelde eisen"), blank=True)
    assignments = models.TextField(_("gegeven opdrachten"), blank=True)
    # The regisseur's caseload as it was on held_on, frozen so the review (and
    # every monitor that counts it) can be reproduced exactly later.
    caseload_snapshot = models.JSONField(_("momentopname caseload"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("caseloadbespreking")
        verbose_name_plural = _("caseloadbesprekingen")
        permissions = [
            ("view_own_caseloadreview", _("Mag de eigen caseloadbesprekingen zien")),
        ]
        indexes = [models.Index(fields=["regisseur", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.regisseur} {self.held_on:%d-%m-%Y}"


@pghistory.track()
class ThreeWayTalk(models.Model):
    """Three-way talk (driegesprek): regisseur, OOV and the manager, at least yearly."""

    regisseur = models.ForeignKey(
        Regisseur,
        verbose_name=_("regisseur"),
        on_delete=models.PROTECT,
        related_name="three_way_talks",
    )
    held_on = models.DateField(_("datum"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("namens OOV"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leidinggevende"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("verslag"), blank=True)
    agreements = models.TextField(_("afspraken"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("driegesprek")
        verbose_name_plural = _("driegesprekken")
        permissions = [
            ("view_own_threewaytalk", _("Mag de eigen driegesprekken zien")),
            (
                "view_organisation_threewaytalk",
                _("Mag de driegesprekken van de regisseurs van de eigen organisatie zien"),
            ),
        ]
        indexes = [models.Index(fields=["regisseur", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.regisseur} {self.held_on:%d-%m-%Y}"


# Outside TeamActivity so that its Meta's constraint can name it.
class ActivityKind(models.TextChoices):
    TEAM_MEETING = "teamoverleg", _("Teamoverleg")
    INTERVISION = "intervisie", _("Intervisie")
    TRAINING = "training", _("Training")
    KICK_OFF = "kick_off", _("Kick-off")
    OUTING = "teamuitje", _("Teamuitje")


@pghistory.track()
class TeamActivity(models.Model):
    """Team rhythm: team meeting every 4 weeks, intervision every 8 weeks (a numbered
    series), training 2-3 times a year, a kick-off and a yearly outing."""

    Kind: TypeAlias = ActivityKind

    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("datum"))
    topic = models.CharField(_("onderwerp"), max_length=200, blank=True)
    series_name = models.CharField(_("reeks"), max_length=100, blank=True)
    series_number = models.PositiveSmallIntegerField(_("nummer in reeks"), null=True, blank=True)
    series_size = models.PositiveSmallIntegerField(_("aantal in reeks"), null=True, blank=True)
    notes = models.TextField(_("verslag"), blank=True)
    attendees: models.ManyToManyField[Regisseur, Attendance] = models.ManyToManyField(
        Regisseur, through="Attendance", related_name="team_activities", blank=True
    )

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("teamactiviteit")
        verbose_name_plural = _("teamactiviteiten")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=ActivityKind.INTERVISION)
                | (
                    Q(series_number__isnull=False)
                    & Q(series_size__isnull=False)
                    & Q(series_number__gte=1)
                    & Q(series_number__lte=F("series_size"))
                ),
                name="intervision_numbered_within_series",
            ),
            models.UniqueConstraint(
                fields=["kind", "series_name", "series_number"],
                condition=Q(series_number__isnull=False),
                name="unique_number_within_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d-%m-%Y}"


class Attendance(models.Model):
    activity = models.ForeignKey(TeamActivity, on_delete=models.CASCADE)
    regisseur = models.ForeignKey(Regisseur, on_delete=models.PROTECT)
    present = models.BooleanField(_("aanwezig"), default=True)

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        constraints = [
            models.UniqueConstraint(fields=["activity", "regisseur"], name="unique_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.regisseur_id} @ {self.activity_id}"


class PoolRule(models.TextChoices):
    """The pool's rules that are numbers in the settings, each set by a decision of the
    Directeurenoverleg (docs/rules.md R-POOL-1, R-POOL-2, R-POOL-4)."""

    CASES_PER_FTE = "caseload", _("Maximale caseload per fte")
    PARTNER_MINIMUM_FTE = "minimum_fte", _("Minimale inzet regisseurs van andere kernpartners")
    POOL_SIZE = "omvang", _("Omvang van de pool")


class PoolDecision(models.Model):
    """A decision of the Directeurenoverleg that sets a rule of the pool (R-POOL-11).
    The register is kept by the programme team; a decision is never changed, a later
    one on the same rule takes its place as the source of that rule."""

    Rule: TypeAlias = PoolRule

    decided_on = models.DateField(_("datum besluit"))
    subject = models.CharField(_("onderwerp"), max_length=200)
    text = models.TextField(_("tekst van het besluit"))
    rule = models.CharField(
        _("regel van de pool"),
        max_length=12,
        choices=PoolRule.choices,
        blank=True,
        help_text=_("De regel in ipgar die op dit besluit rust, als er een is."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("besluit Directeurenoverleg")
        verbose_name_plural = _("besluiten Directeurenoverleg")
        indexes = [models.Index(fields=["rule", "-decided_on"])]

    def __str__(self) -> str:
        return f"{self.decided_on:%d-%m-%Y} {self.subject}"
