"""Errors raised by service functions.

- ``django.core.exceptions.ValidationError``: the input itself is wrong (a date
  in the wrong order, a missing field). The UI shows it on the form; the API
  answers 400.
- ``RuleViolation``: the input is well-formed but a rule of the approach forbids
  the change in the case's present state (a phase change without an adopted
  plan, a buddy who is also the regisseur). The UI shows the Dutch message; the
  API answers 409 Conflict.

Messages are Dutch, and are module-level constants so tests reuse them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop


class RuleViolation(ValidationError):
    """A business rule refuses the change (HTTP 409 in the API)."""


class StaleObject(RuleViolation):
    """The record changed since the user loaded it (optimistic locking)."""


# The one message of every optimistic-locking refusal (StaleObject). A plain string
# that makemessages still finds: the views translate it where they show it.
STALE_RECORD = gettext_noop(
    "Dit gegeven is inmiddels door iemand anders gewijzigd. Bekijk de nieuwe versie en "
    "voer uw wijziging opnieuw in."
)
