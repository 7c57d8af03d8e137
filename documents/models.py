"""The documents a case holds: letters, minutes, reports and plans, each with its versions.

A ``Document`` is what the case page lists (title, kind, date, confidentiality, what it
is attached to); its ``DocumentVersion`` rows are the stored files, never overwritten: a
new upload adds a version. The file itself lives encrypted under DOCUMENTS_ROOT
(documents/crypto.py); the database holds only its metadata and its wrapped key, never
its content. Removing a document deletes its files and keeps a row saying who removed it,
when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case, ExitProcedure, Meeting, PlanVersion


class DocumentKind(models.TextChoices):
    NOTIFICATION_LETTER = "notificatiebrief", _("Notificatiebrief")
    MINUTES = "verslag", _("Verslag")
    REPORT = "rapportage", _("Rapportage")
    ADVICE = "advies", _("Advies")
    PLAN = "plan_van_aanpak", _("Plan van aanpak")
    HANDOVER_FILE = "overdrachtsdossier", _("Overdrachtsdossier")
    OTHER = "anders", _("Anders")


class Confidentiality(models.TextChoices):
    INTERNAL = "intern", _("Intern (casusbetrokkenen)")
    CONFIDENTIAL = "vertrouwelijk", _("Vertrouwelijk")
    SECRET = "zeer_vertrouwelijk", _("Zeer vertrouwelijk")


class GeneratedAs(models.TextChoices):
    """What ipgar renders into a document of its own (documents/generated.py)."""

    PLAN = "plan", _("Plan van aanpak")
    MINUTES = "uvo_verslag", _("Verslag van een UVO")
    HANDOVER = "overdrachtsdossier", _("Overdrachtsdossier")


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("UVO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("versie plan van aanpak"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    exit_procedure = models.ForeignKey(
        ExitProcedure,
        verbose_name=_("uitstroomprocedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(_("titel"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=DocumentKind.choices)
    date = models.DateField(_("datum"))
    confidentiality = models.CharField(
        _("vertrouwelijkheid"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
    )
    # Set when ipgar renders this document itself: regenerating it adds a version.
    generated_as = models.CharField(
        _("gemaakt door ipgar als"), max_length=20, choices=GeneratedAs.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("verwijderd op"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(_("reden van verwijderen"), blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        permissions = [
            # The case's own regisseur removes without it (documents/permissions.py).
            ("remove_any_document", _("Elk document van elke casus verwijderen")),
        ]
        constraints = [
            models.CheckConstraint(
                name="document_attached_to_at_most_one",
                condition=(
                    models.Q(meeting__isnull=True, plan_version__isnull=True)
                    | models.Q(meeting__isnull=True, exit_procedure__isnull=True)
                    | models.Q(plan_version__isnull=True, exit_procedure__isnull=True)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def attached_to_plan_or_meeting(self) -> bool:
        """What an intervention-team member may read (docs/rules.md R-ACCESS-3)."""
        return self.meeting_id is not None or self.plan_version_id is not None


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    file_name = models.CharField(_("bestandsnaam"), max_length=200)
    # Where the encrypted file is, relative to DOCUMENTS_ROOT; emptied when it is destroyed.
    stored_as = models.CharField(max_length=100, blank=True)
    # The file's own key, wrapped (encrypted) by the master key (documents/crypto.py).
    wrapped_key = models.BinaryField(editable=False)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"))
    content_type = models.CharField(_("bestandstype"), max_length=100)
    sha256 = models.CharField(_("SHA-256 van de inhoud"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A PDF ipgar rendered (not scanned: it never came from outside); its download
    # carries the downloader's name and the time in its footer (documents/watermark.py).
    generated = models.BooleanField(_("gemaakt door ipgar"), default=False)
    # A hand-over file holds the BSN only when its maker asked for it; the choice is kept.
    includes_bsn = models.BooleanField(_("met BSN"), default=False)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("documentversie")
        verbose_name_plural = _("documentversies")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document.title} (v{self.number})"
