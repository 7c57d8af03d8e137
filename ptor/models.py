"""PTO-R as a meeting (docs/rules.md R-PTO-1 to R-PTO-6): the programme team prepares
a meeting and its agenda, the PTO-R members take part; a meeting is held in person or
online, records who of each kernpartner was present or absent (and the reactions of
absent members by mail), holds general items, items on the further development of the
approach and case items (the exit proposals waiting for PTO-R), and per item its
BESLUIT, CONCLUSIES and VERVOLG. Its minutes are adopted in the next meeting.

A case item names its exit procedure; the decision is the exit procedure's own
(cases/services/exits.py ``exit_decide``), taken in the meeting with the members present.
"""

from __future__ import annotations

from typing import TypeAlias

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from cases.models import ExitProcedure


class MeetingForm(models.TextChoices):
    IN_PERSON = "fysiek", _("Fysiek")
    ONLINE = "online", _("Online")


class MeetingStatus(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    AGENDA_ADOPTED = "agenda", _("Agenda vastgesteld")
    HELD = "gehouden", _("Gehouden")
    MINUTES_ADOPTED = "verslag", _("Verslag vastgesteld")


class Presence(models.TextChoices):
    UNKNOWN = "onbekend", _("Nog niet vastgelegd")
    PRESENT = "aanwezig", _("Aanwezig")
    ABSENT = "afwezig", _("Afwezig")


class ItemKind(models.TextChoices):
    GENERAL = "algemeen", _("Algemeen")
    DEVELOPMENT = "doorontwikkeling", _("Doorontwikkeling iPGA-R")
    CASE = "casus", _("Casuïstiek")


@pghistory.track()
class Meeting(models.Model):
    """A PTO-R meeting: concept, agenda adopted, held, minutes adopted (by the next
    meeting, which names this one as its ``previous``)."""

    Form: TypeAlias = MeetingForm
    Status: TypeAlias = MeetingStatus

    date = models.DateField(_("datum"))
    form = models.CharField(_("vorm"), max_length=8, choices=MeetingForm.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.CONCEPT
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("vorige vergadering"),
        help_text=_("De vergadering waarvan deze vergadering het verslag vaststelt."),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_meeting",
    )
    minutes_adopted_on = models.DateField(_("verslag vastgesteld op"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voorbereid door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("PTO-R-vergadering")
        verbose_name_plural = _("PTO-R-vergaderingen")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=MeetingStatus.MINUTES_ADOPTED) & Q(minutes_adopted_on__isnull=False)
                )
                | (~Q(status=MeetingStatus.MINUTES_ADOPTED) & Q(minutes_adopted_on__isnull=True)),
                name="ptor_minutes_adopted_on_iff_adopted",
            ),
        ]

    def __str__(self) -> str:
        return _("PTO-R %(date)s") % {"date": f"{self.date:%d-%m-%Y}"}

    @property
    def is_online(self) -> bool:
        return self.form == MeetingForm.ONLINE


@pghistory.track()
class Attendance(models.Model):
    """A PTO-R member on a meeting's attendance list, with the kernpartner he or she
    represented that day, and the reaction by mail of a member who was absent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lid PTO-R"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("kernpartner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    presence = models.CharField(
        _("aanwezigheid"), max_length=8, choices=Presence.choices, default=Presence.UNKNOWN
    )
    reaction = models.TextField(_("reactie per mail"), blank=True)
    reaction_received_on = models.DateField(_("reactie ontvangen op"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "member__last_name", "pk"]
        verbose_name = _("aanwezigheid PTO-R")
        verbose_name_plural = _("aanwezigheid PTO-R")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="ptor_one_attendance"),
            models.CheckConstraint(
                condition=Q(reaction="") | Q(presence=Presence.ABSENT),
                name="ptor_reaction_of_absent_member",
            ),
            models.CheckConstraint(
                condition=(Q(reaction="") & Q(reaction_received_on__isnull=True))
                | (~Q(reaction="") & Q(reaction_received_on__isnull=False)),
                name="ptor_reaction_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_presence_display()}"


@pghistory.track()
class AgendaItem(models.Model):
    """An item of a meeting's agenda. A case item names the exit proposal it decides;
    an item not dealt with is carried to a named next meeting, where it is a new item
    (``carried_from``)."""

    Kind: TypeAlias = ItemKind

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("soort"), max_length=16, choices=ItemKind.choices)
    order = models.PositiveSmallIntegerField(_("volgorde"))
    title = models.CharField(_("titel"), max_length=200)
    exit_procedure = models.ForeignKey(
        ExitProcedure,
        verbose_name=_("uitstroomvoorstel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ptor_items",
    )
    decision = models.TextField(_("besluit"), blank=True)
    conclusions = models.TextField(_("conclusies"), blank=True)
    follow_up = models.TextField(_("vervolg"), blank=True)
    # A case item: the meeting's decision on the exit proposal (the procedure holds it too).
    exit_decision = models.CharField(
        _("besluit over uitstroom"),
        max_length=10,
        choices=ExitProcedure.Decision.choices,
        blank=True,
    )
    carried_to = models.ForeignKey(
        Meeting,
        verbose_name=_("doorgeschoven naar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("doorgeschoven van"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_as",
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agendapunt PTO-R")
        verbose_name_plural = _("agendapunten PTO-R")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ItemKind.CASE) & Q(exit_procedure__isnull=False))
                | (~Q(kind=ItemKind.CASE) & Q(exit_procedure__isnull=True)),
                name="ptor_case_item_names_exit_procedure",
            ),
            models.CheckConstraint(
                condition=Q(exit_decision="") | Q(kind=ItemKind.CASE),
                name="ptor_exit_decision_on_case_item",
            ),
            models.UniqueConstraint(
                fields=["meeting", "exit_procedure"],
                condition=Q(exit_procedure__isnull=False),
                name="ptor_exit_procedure_once_per_meeting",
            ),
            models.UniqueConstraint(fields=["meeting", "order"], name="ptor_item_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def is_case(self) -> bool:
        return self.kind == ItemKind.CASE

    @property
    def is_dealt_with(self) -> bool:
        """Decided (a case item) or carried to a next meeting."""
        return bool(self.exit_decision) or self.carried_to_id is not None
