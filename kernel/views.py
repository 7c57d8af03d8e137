"""The web form page, one way for every app's views: bind the form, call one service
when it is posted and valid, answer with the success page, or show the form again
with the refusal on it and the answer code it calls for (kernel/forms.py).

A view builds its form(s) and says which service to call, where success leads and
which template and context show the page; ``service_form_page`` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import BAD_INPUT, OK, Outcome, call_service

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

T = TypeVar("T")

# The page's context, or a function that builds it: called only when the page is
# shown (never on success), after ``on_stale``, so it sees what that re-read.
Context = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


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


def success(
    request: HttpRequest, message: str | _StrPromise, response: HttpResponse
) -> HttpResponse:
    """The answer to a change that went through: say so on the next page."""
    messages.success(request, message)
    return response


def service_form_page(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], T],
    *,
    done: Callable[[T], HttpResponse],
    template: str,
    context: Context,
    fields_by_code: dict[str, str] | None = None,
    also: Sequence[forms.Form | forms.BaseFormSet] = (),
    on_stale: Callable[[], None] | None = None,
) -> HttpResponse:
    """A page with a form that changes something through one service.

    On a POST with ``form`` and every part in ``also`` valid, ``call`` runs with the
    form's cleaned data (through ``call_service``, which puts a refusal on ``form``);
    when it succeeds the answer is ``done(result)``. Otherwise the page is shown:
    ``template`` with ``context``, answering 400 or 409 for a refusal (after
    ``on_stale`` for a record changed in the meantime), 400 for invalid input, else
    200. An unbound form (a GET) is shown as it is.
    """
    parts = (form, *also)
    outcome = Outcome()
    # Every part is validated (no short cut), so each shows its own errors.
    valid = [part.is_valid() for part in parts]
    if request.method == "POST" and all(valid):
        outcome = call_service(form, lambda: call(form.cleaned_data), fields_by_code)
        if outcome.ok:
            return done(outcome.result)
        if outcome.stale and on_stale is not None:
            on_stale()
    page = context() if callable(context) else context
    status = outcome.status
    if status == OK and any(part.is_bound and not part.is_valid() for part in parts):
        status = BAD_INPUT
    return render(request, template, page, status=status)
