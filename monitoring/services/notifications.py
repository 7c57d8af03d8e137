"""Notifications in the app and by e-mail.

Every notification is a row first; its e-mail goes out afterwards from the row
(an outbox). The unique (user, item key, due date) makes creating a notification
idempotent, and the outbox is drained under ``SELECT ... FOR UPDATE SKIP LOCKED``,
so re-runs, retries and two concurrent jobs give one notification and one e-mail.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import smtplib
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.selectors import active_user_ids_holding
from cases.permissions import REVIEW_EMERGENCY_ACCESS
from kernel.errors import RuleViolation

from ..models import (
    ALWAYS_DELIVERED_KINDS,
    DEFAULT_CHANNEL,
    MonitorKind,
    Notification,
    NotificationChannel,
    NotificationPreference,
    channel_by_email,
    channel_in_app,
)
from ..permissions import START_MONITOR, read_permission_of

logger = logging.getLogger(__name__)

EMAIL_BATCH_SIZE = 50
EMAIL_SUBJECT = "ipgar: %(message)s"
EMAIL_FOOTER = _(
    "Dit bericht is verstuurd door ipgar, het casusregistratiesysteem van de regisseurspool "
    "iPGA-R. Bekijk uw meldingen in ipgar onder Meldingen."
)
NOTIFICATION_NOT_FOUND = _("Deze melding bestaat niet of is niet voor u.")
KIND_NOT_YOURS = _("U krijgt dit soort meldingen niet.")
CHANNEL_UNKNOWN = _("Kies hoe u deze meldingen wilt krijgen.")
KIND_ALWAYS_DELIVERED = _(
    "Meldingen van noodtoegang kunnen niet uit: het programmateam beoordeelt elke noodtoegang."
)


@dataclasses.dataclass(frozen=True)
class NotificationInput:
    user_id: int
    kind: str
    item_key: str
    due_on: datetime.date
    message: str
    link: str = ""


def notification_channels(
    *, user_ids: Iterable[int], kinds: Iterable[str]
) -> dict[tuple[int, str], str]:
    """The channel each of these users chose per kind, in one query; a (user, kind)
    without a choice is absent (it gets ``DEFAULT_CHANNEL``)."""
    users, wanted = set(user_ids), set(kinds)
    if not users or not wanted:
        return {}
    rows = NotificationPreference.objects.filter(user_id__in=users, kind__in=wanted).values_list(
        "user_id", "kind", "channel"
    )
    return {(user_id, kind): channel for user_id, kind, channel in rows}


def notifications_create(*, items: Iterable[NotificationInput]) -> None:
    """Store the notifications not stored before; a (user, item key, due date) that
    exists already is left alone (INSERT ... ON CONFLICT DO NOTHING).

    Each recipient's preference for the kind decides: in the app (``in_app``), by
    e-mail (the e-mail is pending, else not wanted), both, or not at all (no row).
    """
    items = list(items)
    channels = notification_channels(
        user_ids={item.user_id for item in items}, kinds={item.kind for item in items}
    )
    rows = []
    # A fixed order: two concurrent jobs take the unique index's locks in the
    # same order, so one waits for the other instead of deadlocking.
    for item in sorted(items, key=lambda i: (i.user_id, i.item_key, i.due_on)):
        channel = channels.get((item.user_id, item.kind), DEFAULT_CHANNEL)
        if channel == NotificationChannel.NONE and item.kind not in ALWAYS_DELIVERED_KINDS:
            continue
        rows.append(
            Notification(
                user_id=item.user_id,
                kind=item.kind,
                item_key=item.item_key,
                due_on=item.due_on,
                message=item.message,
                link=item.link,
                in_app=channel_in_app(channel) or item.kind in ALWAYS_DELIVERED_KINDS,
                email_status=Notification.EmailStatus.PENDING
                if channel_by_email(channel)
                else Notification.EmailStatus.NOT_WANTED,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def emergency_access_reviewers() -> tuple[int, ...]:
    """Who is told of an emergency access: those who review it afterwards."""
    return active_user_ids_holding(REVIEW_EMERGENCY_ACCESS)[REVIEW_EMERGENCY_ACCESS]


def monitor_readers_to_tell(kind: str = MonitorKind.QUARTER) -> list[int]:
    """Who is told that a monitor of ``kind`` is ready: its readers, apart from those
    who make monitors (they follow the run on the monitors page)."""
    read = read_permission_of(kind)
    holders = active_user_ids_holding(read, START_MONITOR)
    makers = set(holders[START_MONITOR])
    return [user_id for user_id in holders[read] if user_id not in makers]


def notifications_email_pending(*, ids: Iterable[int] | None = None) -> int:
    """Send the e-mail of every notification still waiting for one; returns how many
    were sent. Rows another process is sending are skipped, not waited for."""
    only = None if ids is None else list(ids)
    failed: set[int] = set()
    sent_total = 0
    connection = get_connection()
    while True:
        with transaction.atomic():
            pending = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                email_status=Notification.EmailStatus.PENDING
            )
            if only is not None:
                pending = pending.filter(pk__in=only)
            batch = list(
                pending.exclude(pk__in=failed)
                .select_related("user")
                .order_by("pk")[:EMAIL_BATCH_SIZE]
            )
            if not batch:
                break
            sent, no_address = [], []
            for notification in batch:
                if not notification.user.email:
                    no_address.append(notification.pk)
                    continue
                try:
                    _email(notification, connection).send()
                except (smtplib.SMTPException, OSError):
                    # Stays pending: the next run tries again.
                    logger.warning(
                        "notification e-mail %s not sent", notification.pk, exc_info=True
                    )
                    failed.add(notification.pk)
                else:
                    sent.append(notification.pk)
            now = timezone.now()
            Notification.objects.filter(pk__in=sent).update(
                email_status=Notification.EmailStatus.SENT, emailed_at=now
            )
            Notification.objects.filter(pk__in=no_address).update(
                email_status=Notification.EmailStatus.NO_ADDRESS
            )
            sent_total += len(sent)
    connection.close()
    return sent_total


def _email(notification: Notification, connection) -> EmailMessage:
    with override(settings.LANGUAGE_CODE):
        subject = EMAIL_SUBJECT % {"message": notification.message}
        body = f"{notification.message}\n\n{EMAIL_FOOTER}\n"
    return EmailMessage(
        subject=subject.splitlines()[0][:200],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
        connection=connection,
    )


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (again: harmless)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(user=user, pk=notification_id, in_app=True)
            .first()
        )
        if notification is None:
            raise Notification.DoesNotExist(NOTIFICATION_NOT_FOUND)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_preferences_set(*, user, channels: Mapping[str, str]) -> None:
    """Store the user's choice of channel per kind (only kinds he or she receives:
    ``monitoring.selectors.notification_kinds_for``). Nothing is stored on a refusal."""
    from ..selectors import notification_kinds_for

    mine = set(notification_kinds_for(user))
    for kind, channel in channels.items():
        if kind not in mine:
            raise ValidationError({kind: KIND_NOT_YOURS})
        if channel not in NotificationChannel.values:
            raise ValidationError({kind: CHANNEL_UNKNOWN})
        if channel == NotificationChannel.NONE and kind in ALWAYS_DELIVERED_KINDS:
            raise RuleViolation({kind: KIND_ALWAYS_DELIVERED})
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(user=user, kind=kind, channel=channel)
                for kind, channel in sorted(channels.items())
            ],
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["channel", "updated_at"],
        )


EMERGENCY_NOTIFICATION = _(
    "%(user)s heeft noodtoegang geopend tot casus %(case)s (tot %(until)s). "
    "Beoordeel deze noodtoegang."
)
# "De kwartaalmonitor 2026 K3 (versie 2) staat klaar."
MONITOR_READY_NOTIFICATION = _("De %(monitor)s %(period)s (versie %(version)s) staat klaar.")


def emergency_access_notify(*, access) -> list[int]:
    """Tell every programme-team member that someone broke the glass (the reason stays
    in ipgar: it is not sent by e-mail). Returns the new notifications' ids."""
    from django.urls import reverse

    opened_on = timezone.localdate(access.opened_at)
    with override(settings.LANGUAGE_CODE):
        message = EMERGENCY_NOTIFICATION % {
            "user": access.user,
            "case": access.case.number,
            "until": f"{timezone.localtime(access.expires_at):%d-%m-%Y %H:%M}",
        }
    key = f"emergency:{access.pk}"
    recipients = [pk for pk in emergency_access_reviewers() if pk != access.user_id]
    notifications_create(
        items=[
            NotificationInput(
                user_id=user_id,
                kind=Notification.Kind.EMERGENCY_ACCESS,
                item_key=key,
                due_on=opened_on,
                message=message,
                link=reverse("emergency_review:list"),
            )
            for user_id in recipients
        ]
    )
    return list(
        Notification.objects.filter(item_key=key, due_on=opened_on).values_list("pk", flat=True)
    )


def monitor_ready_notify(*, monitor) -> list[int]:
    """Tell every PTO-R member that a new monitor is ready. Returns the notifications' ids."""
    from django.urls import reverse

    with override(settings.LANGUAGE_CODE):
        message = MONITOR_READY_NOTIFICATION % {
            "monitor": monitor.get_kind_display().lower(),
            "period": monitor.period,
            "version": monitor.version,
        }
    key = f"monitor:{monitor.pk}"
    on = timezone.localdate(monitor.generated_at)
    notifications_create(
        items=[
            NotificationInput(
                user_id=user_id,
                kind=Notification.Kind.MONITOR_READY,
                item_key=key,
                due_on=on,
                message=message,
                link=reverse("monitoring:monitors"),
            )
            for user_id in monitor_readers_to_tell(monitor.kind)
        ]
    )
    return list(Notification.objects.filter(item_key=key, due_on=on).values_list("pk", flat=True))
