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
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.selectors import active_user_ids_holding
from cases.permissions import REVIEW_EMERGENCY_ACCESS

from ..models import Notification
from ..permissions import READ_MONITOR, START_MONITOR

logger = logging.getLogger(__name__)

EMAIL_BATCH_SIZE = 50
EMAIL_SUBJECT = "ipgar: %(message)s"
EMAIL_FOOTER = _(
    "Dit bericht is verstuurd door ipgar, het casusregistratiesysteem van de regisseurspool "
    "iPGA-R. Bekijk uw meldingen in ipgar onder Meldingen."
)
NOTIFICATION_NOT_FOUND = _("Deze melding bestaat niet of is niet voor u.")


@dataclasses.dataclass(frozen=True)
class NotificationInput:
    user_id: int
    kind: str
    item_key: str
    due_on: datetime.date
    message: str
    link: str = ""


def notifications_create(*, items: Iterable[NotificationInput]) -> None:
    """Store the notifications not stored before; a (user, item key, due date) that
    exists already is left alone (INSERT ... ON CONFLICT DO NOTHING)."""
    rows = [
        Notification(
            user_id=item.user_id,
            kind=item.kind,
            item_key=item.item_key,
            due_on=item.due_on,
            message=item.message,
            link=item.link,
        )
        # A fixed order: two concurrent jobs take the unique index's locks in the
        # same order, so one waits for the other instead of deadlocking.
        for item in sorted(items, key=lambda i: (i.user_id, i.item_key, i.due_on))
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def emergency_access_reviewers() -> tuple[int, ...]:
    """Who is told of an emergency access: those who review it afterwards."""
    return active_user_ids_holding(REVIEW_EMERGENCY_ACCESS)[REVIEW_EMERGENCY_ACCESS]


def monitor_readers_to_tell() -> list[int]:
    """Who is told that a monitor is ready: its readers, apart from those who make
    monitors (they follow the run on the monitors page)."""
    holders = active_user_ids_holding(READ_MONITOR, START_MONITOR)
    makers = set(holders[START_MONITOR])
    return [user_id for user_id in holders[READ_MONITOR] if user_id not in makers]


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
            Notification.objects.select_for_update().filter(user=user, pk=notification_id).first()
        )
        if notification is None:
            raise Notification.DoesNotExist(NOTIFICATION_NOT_FOUND)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


EMERGENCY_NOTIFICATION = _(
    "%(user)s heeft noodtoegang geopend tot casus %(case)s (tot %(until)s). "
    "Beoordeel deze noodtoegang."
)
MONITOR_READY_NOTIFICATION = _("De kwartaalmonitor %(quarter)s (versie %(version)s) staat klaar.")


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
            "quarter": monitor.period,
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
            for user_id in monitor_readers_to_tell()
        ]
    )
    return list(Notification.objects.filter(item_key=key, due_on=on).values_list("pk", flat=True))
