"""A case's revision follows everything that belongs to it.

The locking itself (``lock_for_update``, ``bump_revision``) is kernel/locking.py's,
for every app; what stays here is the case's own rule.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils import timezone


def touch_case(case: models.Model) -> None:
    """Raise a case's revision and ``updated_at`` because something that belongs to it
    (a meeting, plan version, team member, assessment, evaluation) changed: a sync
    client following cases by ``updated_at`` or revision then sees the change."""
    model = type(case)
    model._default_manager.filter(pk=case.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    case.refresh_from_db(fields=["revision", "updated_at"])
