"""Background jobs of the cases app."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from audit.history import history_context

from .access import ACCESS_SYNC_BATCH_SIZE, cases_access_sync, cases_needing_access_refresh
from .services.retention import persons_pseudonymise_due


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def access_refresh_daily() -> int:
    """Nightly: let object permissions follow the calendar. Idempotent.

    Access is re-derived from today's state for every case that could hold a wrong
    permission, not only for the absences and team members whose dates fall on
    today: after a night the job did not run, a stand-in whose absence has ended or
    a team member who has left still loses the case, and a stand-in whose absence
    began on the missed day gains it. Returns how many cases changed.
    """
    today = timezone.localdate()
    changed = 0
    after_pk = 0
    with history_context(job="cases.access_refresh_daily"):
        while True:
            # A batch at a time, each locked: a service changing one of these cases
            # now waits, so the refresh never writes access derived from a state
            # that has just been replaced.
            with transaction.atomic():
                batch = list(
                    cases_needing_access_refresh()
                    .filter(pk__gt=after_pk)
                    .order_by("pk")
                    .select_for_update(of=("self",))[:ACCESS_SYNC_BATCH_SIZE]
                )
                if not batch:
                    return changed
                changed += cases_access_sync(cases=batch, on=today)
            after_pk = batch[-1].pk


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def retention_daily() -> int:
    """Daily: pseudonymise the person records whose retention period after exit has
    ended. Idempotent (a record already done is skipped)."""
    return persons_pseudonymise_due(on=timezone.localdate())
