"""Optimistic locking, the one scheme: a ``revision`` counter on every record that
an editor (a web form or an API client) may change after loading it.

A form carries the revision the user loaded in a hidden ``RevisionField``; the
API takes the record's revision through its ETag (api/etags.py). The service
locks the row with ``lock_for_update``, compares, and refuses a stale write with
``StaleObject(STALE_RECORD)`` instead of silently overwriting someone else's
change. Every successful write raises the revision by one. After a refusal the
view shows the record as it is stored now (``show_stale``) and keeps the user's
input with the present revision (``with_current_revision``), so sending it again
replaces the other change knowingly.

Every app imports this module; it imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .errors import STALE_RECORD, StaleObject

M = TypeVar("M", bound=models.Model)
FormT = TypeVar("FormT", bound=forms.Form)

# What the user sees above a form whose record changed in the meantime: the
# service's own STALE_RECORD message, then this, with the record as it now stands.
STALE_SHOWN_BELOW = _(
    "Hieronder staat hoe het nu is vastgelegd. Uw invoer is bewaard: controleer haar en "
    "verstuur opnieuw als uw wijziging nog steeds klopt."
)


# --- services -------------------------------------------------------------------------


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


# --- forms and views ------------------------------------------------------------------


class RevisionField(forms.IntegerField):
    """The revision of the record as the user loaded it: the service refuses the
    write when someone else changed the record since (optimistic locking)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.HiddenInput, min_value=1, **kwargs)


def show_stale(form: forms.Form) -> None:
    """Say above the form that the record below is how it is stored now."""
    form.add_error(None, STALE_SHOWN_BELOW)


def with_current_revision(data: Any, revision: int) -> Any:
    """The posted data with the record's present revision: after a conflict the
    user may send his or her (kept) input again, knowingly."""
    data = data.copy()
    data["revision"] = str(revision)
    return data


def form_again_after_stale(build: Callable[[Any], FormT], data: Any, *, revision: int) -> FormT:
    """After a refusal because the record changed meanwhile: the form built anew (for
    the record as it is stored now) on the user's input with the present revision,
    validated, with the refusal and ``show_stale``'s note above it."""
    form = build(with_current_revision(data, revision))
    form.is_valid()
    form.add_error(None, STALE_RECORD)
    show_stale(form)
    return form
