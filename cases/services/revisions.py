"""Optimistic locking for records with a ``revision`` counter.

A form or API client sends the revision it loaded; the service locks the row,
compares, and refuses a stale write instead of silently overwriting someone
else's change. Every successful write raises the revision by one.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

from domain.errors import STALE_RECORD, StaleObject

M = TypeVar("M", bound=models.Model)


def lock_for_update(instance: M, *, expected_revision: int | None) -> M:
    """Re-read the row under SELECT ... FOR UPDATE; refuse when its revision moved on.

    ``expected_revision=None`` means the caller holds no loaded copy (a system
    job, or a fresh create), so only the lock is taken.
    """
    model = type(instance)
    locked = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_revision is not None and locked.revision != expected_revision:  # type: ignore[attr-defined]
        raise StaleObject(STALE_RECORD, code="stale")
    return locked


def bump_revision(instance: models.Model) -> None:
    """Raise the revision in the database and on the instance."""
    model = type(instance)
    model._default_manager.filter(pk=instance.pk).update(revision=F("revision") + 1)
    instance.refresh_from_db(fields=["revision"])


def touch_case(case: models.Model) -> None:
    """Raise a case's revision and ``updated_at`` because something that belongs to it
    (a meeting, plan version, team member, assessment, evaluation) changed: a sync
    client following cases by ``updated_at`` or revision then sees the change."""
    model = type(case)
    model._default_manager.filter(pk=case.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    case.refresh_from_db(fields=["revision", "updated_at"])
