"""Errors raised by service functions.

- ``django.core.exceptions.ValidationError``: the input itself is wrong (a date
  in the wrong order, a missing field). The UI shows it on the form; the API
  answers 400.
- ``RuleViolation``: the input is well-formed but a rule of the approach forbids
  the change in the case's present state (a phase change without an adopted
  plan, a buddy who is also the regisseur). The UI shows the Dutch message; the
  API answers 409 Conflict.

Messages are Dutch, and are module-level constants so tests reuse them; each is a
lazy translation (``gettext_lazy``), so the English UI shows it in English.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RuleViolation(ValidationError):
    """A business rule refuses the change (HTTP 409 in the API)."""


class StaleObject(RuleViolation):
    """The record changed since the user loaded it (optimistic locking)."""


def refusal_message(check: Callable[[], None]) -> str:
    """Why a step is not possible now: the message of the RuleViolation ``check`` (a
    service's own check) raises, translated; empty when it raises none."""
    try:
        check()
    except RuleViolation as refusal:
        message = gettext(str(refusal.message))
        return message % refusal.params if refusal.params else message
    return ""


# The one message of every optimistic-locking refusal (StaleObject).
STALE_RECORD = _(
    "Dit gegeven is inmiddels door iemand anders gewijzigd. Bekijk de nieuwe versie en "
    "voer uw wijziging opnieuw in."
)
