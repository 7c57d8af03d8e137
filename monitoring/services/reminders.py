"""The daily reminders: every due and overdue item of the deadline selector, to
each person responsible for it, in the app and by e-mail, once per item and due
date."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from cases.selectors.deadlines import Deadline, deadlines

from ..models import Notification
from .notifications import NotificationInput, notifications_create, notifications_email_pending

REMINDER_DUE = _("%(label)s: uiterlijk %(due)s.")
REMINDER_OVERDUE = _("%(label)s: was uiterlijk %(due)s, %(days)s dagen te laat.")


def reminder_message(item: Deadline) -> str:
    due = f"{item.due_on:%d-%m-%Y}"
    if item.overdue:
        return REMINDER_OVERDUE % {"label": item.label, "due": due, "days": item.days_overdue}
    return REMINDER_DUE % {"label": item.label, "due": due}


def reminders_send(*, on: datetime.date) -> int:
    """Remind everyone of what is due by ``on`` + the horizon, or overdue; returns the
    number of e-mails sent. Safe to run again, and concurrently: an item reminded
    for this due date before is not reminded again."""
    with override(settings.LANGUAGE_CODE):
        items = deadlines(on=on)
        notifications_create(
            items=[
                NotificationInput(
                    user_id=user_id,
                    kind=Notification.Kind.REMINDER,
                    item_key=item.key,
                    due_on=item.due_on,
                    message=reminder_message(item),
                    link=reverse("cases:detail", kwargs={"pk": item.case_id})
                    if item.case_id is not None
                    else "",
                )
                for item in items
                for user_id in item.responsible_user_ids
            ]
        )
    return notifications_email_pending()
