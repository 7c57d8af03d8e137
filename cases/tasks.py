"""Background jobs of the cases app."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from audit.history import history_context
from pool.models import Absence

from .access import cases_access_sync
from .models import OPEN_STATUSES, Case
from .services.retention import persons_pseudonymise_due


def cases_needing_access_refresh(*, on: datetime.date):
    """Open cases whose access changes today by the calendar alone: an absence that
    starts today or ended yesterday (the stand-in gains or loses the cases), or a
    team member whose last day was yesterday."""
    yesterday = on - datetime.timedelta(days=1)
    absent = Absence.objects.filter(Q(starts_on=on) | Q(ends_on=yesterday)).values("regisseur")
    return (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(
            Q(regisseur__in=absent)
            | Q(buddy__in=absent)
            | Q(team_members__left_on=yesterday, team_members__user__isnull=False)
        )
        .distinct()
        .select_related("regisseur", "buddy")
    )


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def access_refresh_daily() -> int:
    """Nightly: let object permissions follow the calendar. Idempotent."""
    today = timezone.localdate()
    cases = list(cases_needing_access_refresh(on=today))
    with history_context(job="cases.access_refresh_daily"):
        cases_access_sync(cases=cases, on=today)
    return len(cases)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def retention_daily() -> int:
    """Daily: pseudonymise the person records whose retention period after exit has
    ended. Idempotent (a record already done is skipped)."""
    return persons_pseudonymise_due(on=timezone.localdate())
