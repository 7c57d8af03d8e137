"""monitoring follows the cases app's signals (imports run monitoring -> cases)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from cases.signals import emergency_access_opened

from .services.notifications import emergency_access_notify

logger = logging.getLogger(__name__)


@receiver(emergency_access_opened, dispatch_uid="monitoring.tell_programme_team_of_emergency")
def tell_programme_team_of_emergency(sender: Any, access: Any, **kwargs: Any) -> None:
    """The notifications commit with the access; their e-mails go out afterwards."""
    ids = emergency_access_notify(access=access)
    if ids:
        transaction.on_commit(lambda: _email_later(ids))


def _email_later(ids: list[int]) -> None:
    from .tasks import notifications_email  # the task module imports the services

    try:
        notifications_email.apply_async(args=(ids,), retry=False)
    except Exception:  # the broker is down: the daily job sends what is still pending
        logger.warning("notification e-mails %s left for the daily job", ids, exc_info=True)
