"""Turning a service's refusal into what the user sees on a web form, and into the
page's answer code: one way for every app's views.

- ``django.core.exceptions.ValidationError``: the input is wrong; the message goes
  on the field it concerns and the page answers 400 Bad Request.
- ``RuleViolation``: a rule refuses the change; 409 Conflict.
- ``StaleObject``: someone else changed the record since the form was loaded; 409,
  and ``Outcome.stale`` tells the view to show the record as it is stored now.

Services are atomic, so nothing is written when they refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

from .errors import RuleViolation, StaleObject

T = TypeVar("T")

OK = 200
BAD_INPUT = 400
CONFLICT = 409


def form_add_service_error(
    form: forms.Form, error: ValidationError, fields_by_code: dict[str, str] | None = None
) -> None:
    """Show a service's error on the form.

    An error that names its fields (raised with a dict) goes on each field the form
    has; otherwise on the field ``fields_by_code`` names for its code. Whatever has
    no field on this form goes above it.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    named = (fields_by_code or {}).get(error.code or "")
    form.add_error(named if named in form.fields else None, error)


@dataclass
class Outcome:
    """How a service call on a form went: ``result`` when it succeeded, otherwise
    the status the page answers with (400 bad input, 409 a rule or a conflict)."""

    ok: bool = False
    stale: bool = False
    status: int = OK
    result: Any = None


def call_service(
    form: forms.Form,
    call: Callable[[], T],
    fields_by_code: dict[str, str] | None = None,
) -> Outcome:
    """Run ``call``; put a refusal on ``form`` (see ``form_add_service_error``) and
    say which status the page answers with."""
    outcome = Outcome()
    try:
        outcome.result = call()
    except StaleObject as error:
        form.add_error(None, error)
        outcome.stale, outcome.status = True, CONFLICT
    except RuleViolation as error:
        form_add_service_error(form, error, fields_by_code)
        outcome.status = CONFLICT
    except ValidationError as error:
        form_add_service_error(form, error, fields_by_code)
        outcome.status = BAD_INPUT
    else:
        outcome.ok = True
    return outcome


def form_status(form: forms.Form, outcome: Outcome | None = None) -> int:
    """The answer code of a form page: the service's refusal (400 or 409), else 400
    while the form carries errors, else 200."""
    if outcome is not None and outcome.status != OK:
        return outcome.status
    return BAD_INPUT if form.errors else OK


class ChoicesReadAtOnce(forms.models.ModelChoiceIterator):
    """A model choice field's choices read in one plain query: Django reads them through
    a server-side cursor (``iterator()``), which for the handful of rows of a short list
    costs four round trips to the database (declare, fetch, fetch, close). ``rows`` is
    what is read; a subclass may read less of each row than the field's queryset."""

    def rows(self) -> Iterable[Any]:
        compiled = getattr(self.field, "compiled", None)
        if compiled is not None:
            return compiled.instances()
        return self.queryset.all()

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.rows():
            yield self.choice(obj)


class ShortModelChoiceField(forms.ModelChoiceField):
    """A model choice field over a short list (organisations, regions), its choices
    read at once (``ChoicesReadAtOnce``). With ``compiled`` (a kernel.compiled
    ``CompiledQuery`` of the same rows as the queryset, without arguments) the choices
    are read by it: a form on every view of a page need not build their query each time.
    The queryset still checks a chosen value."""

    iterator = ChoicesReadAtOnce

    def __init__(self, *args: Any, compiled: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compiled = compiled
