"""What the case views share: the signed-in request, and turning a service's
refusal into what the user sees on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from domain.errors import RuleViolation, StaleObject

from ..forms import form_add_service_error

T = TypeVar("T")

# What the user sees above a form whose record changed in the meantime: the
# service's own STALE_RECORD message, then this, with the record as it now stands.
STALE_SHOWN_BELOW = (
    "Hieronder staat hoe het nu is vastgelegd. Uw invoer is bewaard: controleer haar en "
    "verstuur opnieuw als uw wijziging nog steeds klopt."
)


class AuthenticatedRequest(HttpRequest):
    """A request behind @login_required: its user is a signed-in User."""

    user: User


class Outcome:
    """How a service call on a form went: ``result`` when it succeeded, otherwise
    the status the page answers with (400 bad input, 409 a rule or a conflict)."""

    def __init__(self) -> None:
        self.ok = False
        self.stale = False
        self.status = 200
        self.result: Any = None


def call_service(
    form: forms.Form,
    call: Callable[[], T],
    fields_by_code: dict[str, str] | None = None,
) -> Outcome:
    """Run ``call``; put a refusal on ``form`` (on the field its code names, else
    above the form). Nothing is written when it refuses: services are atomic."""
    outcome = Outcome()
    try:
        outcome.result = call()
    except StaleObject as error:
        form.add_error(None, error)
        outcome.stale, outcome.status = True, 409
    except RuleViolation as error:
        form_add_service_error(form, error, fields_by_code)
        outcome.status = 409
    except ValidationError as error:
        form_add_service_error(form, error, fields_by_code)
        outcome.status = 400
    else:
        outcome.ok = True
    return outcome


def with_current_revision(data: Any, revision: int) -> Any:
    """The posted data with the record's present revision: after a conflict the
    user may send his or her (kept) input again, knowingly."""
    data = data.copy()
    data["revision"] = str(revision)
    return data


def form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int | None = None,
) -> HttpResponse:
    """Render a form page: 400 when a form carries errors, unless told otherwise."""
    if status is None:
        has_errors = any(
            getattr(value, "errors", None)
            for value in context.values()
            if isinstance(value, forms.Form | forms.BaseFormSet)
        )
        status = 400 if has_errors else 200
    return render(request, template, context, status=status)
