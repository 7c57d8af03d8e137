"""The monitor runs and the in-app notifications (reminders and news).

A ``Monitor`` is one run of one kind of monitor (month, quarter, half-year, effect)
for one period. Every run is a new version: figures and PDF of an earlier version
are never overwritten, so any past monitor can be read again exactly as it was sent;
and every monitor counts as of the end of its period (monitoring/figures/asof.py), so a
new version of a past period gives the same figures.

A ``Notification`` is one message to one user; the unique (user, item key, due date)
makes every reminder happen once per occurrence, however often or concurrently the
daily job runs.
"""

from __future__ import annotations

import uuid
from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.periods import HalfYear, Month, Period, Quarter, Year


# Outside Monitor so that its Meta's constraints can name it.
class MonitorStatus(models.TextChoices):
    QUEUED = "wachtrij", _("In de wachtrij")
    RUNNING = "bezig", _("Wordt gemaakt")
    DONE = "klaar", _("Klaar")
    FAILED = "mislukt", _("Mislukt")


class MonitorKind(models.TextChoices):
    """The monitors (docs/monitors.md) and, in ``PERIODS``, the period each reports on."""

    MONTH = "maand", _("Maandmonitor")
    QUARTER = "kwartaal", _("Kwartaalmonitor")
    HALF_YEAR = "halfjaar", _("Halfjaarmonitor")
    EFFECT = "effect", _("Effectmonitor")


PERIODS: dict[str, type[Month] | type[Quarter] | type[HalfYear] | type[Year]] = {
    MonitorKind.MONTH: Month,
    MonitorKind.QUARTER: Quarter,
    MonitorKind.HALF_YEAR: HalfYear,
    MonitorKind.EFFECT: Year,
}


# The code each kind's period class parses, as the database checks it.
_PERIOD_CODES = {
    MonitorKind.MONTH: r"^[0-9]{4}-(0[1-9]|1[0-2])$",
    MonitorKind.QUARTER: r"^[0-9]{4}-Q[1-4]$",
    MonitorKind.HALF_YEAR: r"^[0-9]{4}-H[12]$",
    MonitorKind.EFFECT: r"^[0-9]{4}$",
}


def _period_valid() -> Q:
    condition = Q()
    for kind, pattern in _PERIOD_CODES.items():
        condition |= Q(kind=kind, period_code__regex=pattern)
    return condition


class Monitor(models.Model):
    Status: TypeAlias = MonitorStatus
    Kind: TypeAlias = MonitorKind

    kind = models.CharField(
        _("soort"), max_length=10, choices=MonitorKind.choices, default=MonitorKind.QUARTER
    )
    # The period's code: "2026-11", "2026-Q3", "2026-H2" or "2026" (kernel/periods.py).
    period_code = models.CharField(_("periode"), max_length=7)
    version = models.PositiveIntegerField(_("versie"))
    # The idempotency key of the run: a retried task, a resubmitted form or a second
    # beat process carrying the same run id finds this row instead of a new version.
    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("foutmelding"), blank=True)
    figures = models.JSONField(_("cijfers"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="monitors/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestart door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,  # a run started by the quarterly schedule
        related_name="+",
    )
    requested_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    generated_at = models.DateTimeField(_("gemaakt op"), null=True, blank=True)
    render_seconds = models.FloatField(_("rendertijd (s)"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-period_code", "-version"]
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")
        permissions = [
            ("read_monitor", _("Mag de kwartaalmonitor lezen")),
            ("start_monitor", _("Mag een kwartaalmonitor laten maken")),
            ("view_dashboard", _("Mag het dashboard van het programmateam zien")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_code", "version"], name="monitor_version_unique"
            ),
            models.CheckConstraint(condition=_period_valid(), name="monitor_period_valid"),
            models.CheckConstraint(
                condition=~Q(status=MonitorStatus.DONE)
                | (~Q(pdf="") & Q(generated_at__isnull=False)),
                name="monitor_done_has_pdf",
            ),
            models.CheckConstraint(
                condition=~Q(status=MonitorStatus.FAILED) | ~Q(error=""),
                name="monitor_failed_has_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} v{self.version}"

    @property
    def period(self) -> Period:
        """The period reported on; ``str()`` of it is the label people read ("2026 K3")."""
        return PERIODS[self.kind].parse(self.period_code)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def download_name(self) -> str:
        return f"{self.kind}monitor-{self.period_code}-v{self.version}.pdf"


# Outside Notification so that its Meta's index condition can name it.
class NotificationEmailStatus(models.TextChoices):
    PENDING = "wachtend", _("Nog te versturen")
    SENT = "verzonden", _("Verzonden")
    NO_ADDRESS = "geen_adres", _("Geen e-mailadres")
    # The recipient chose to hear of this kind in the app only (NotificationPreference).
    NOT_WANTED = "ongewenst", _("Niet gewenst")


class Notification(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "herinnering", _("Herinnering")
        MONITOR_READY = "monitor", _("Nieuwe kwartaalmonitor")
        EMERGENCY_ACCESS = "noodtoegang", _("Noodtoegang geopend")

    EmailStatus: TypeAlias = NotificationEmailStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ontvanger"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    # What it is about (a deadline item's stable key, "monitor:12", "emergency:3") and
    # the occurrence (the due date; the day of the event for news).
    item_key = models.CharField(_("onderwerp"), max_length=100)
    due_on = models.DateField(_("datum"))
    message = models.TextField(_("bericht"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    # False when the recipient chose e-mail only: the row stays, as the outbox and as
    # the once-per-occurrence record, but the notifications page does not list it.
    in_app = models.BooleanField(_("in de app"), default=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    # An outbox: the e-mail goes out after the row is committed, once.
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        permissions = [
            ("receive_notifications", _("Krijgt meldingen")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item_key", "due_on"], name="notification_once_per_occurrence"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            models.Index(
                fields=["email_status"],
                condition=Q(email_status=NotificationEmailStatus.PENDING),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.message[:80]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationChannel(models.TextChoices):
    """How one wants to hear of a kind of notification."""

    APP_AND_EMAIL = "beide", _("In de app en per e-mail")
    APP = "app", _("Alleen in de app")
    EMAIL = "email", _("Alleen per e-mail")
    NONE = "geen", _("Niet")


# Without a preference of one's own: both, as before preferences existed.
DEFAULT_CHANNEL = NotificationChannel.APP_AND_EMAIL
# Kinds that may not be switched off (docs/rules.md R-NOTIFY-1): the programme team reviews
# every emergency access, so it must hear of each one.
ALWAYS_DELIVERED_KINDS = (Notification.Kind.EMERGENCY_ACCESS,)


class NotificationPreference(models.Model):
    """One user's choice of channel for one kind of notification; no row: the default."""

    Channel: TypeAlias = NotificationChannel

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("soort melding"), max_length=12, choices=Notification.Kind.choices)
    channel = models.CharField(_("hoe"), max_length=6, choices=NotificationChannel.choices)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("meldingsvoorkeur")
        verbose_name_plural = _("meldingsvoorkeuren")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=~Q(kind__in=ALWAYS_DELIVERED_KINDS)
                | ~Q(channel=NotificationChannel.NONE),
                name="notification_preference_emergency_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} ({self.get_channel_display()})"

    @property
    def in_app(self) -> bool:
        return channel_in_app(self.channel)

    @property
    def by_email(self) -> bool:
        return channel_by_email(self.channel)


def channel_in_app(channel: str) -> bool:
    return channel in (NotificationChannel.APP_AND_EMAIL, NotificationChannel.APP)


def channel_by_email(channel: str) -> bool:
    return channel in (NotificationChannel.APP_AND_EMAIL, NotificationChannel.EMAIL)
