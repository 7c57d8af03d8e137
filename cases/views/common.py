"""What the case views share: the signed-in request and the form page. A service's
refusal becomes what the user sees on the form through domain.forms.call_service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

# What the user sees above a form whose record changed in the meantime: the
# service's own STALE_RECORD message, then this, with the record as it now stands.
STALE_SHOWN_BELOW = _(
    "Hieronder staat hoe het nu is vastgelegd. Uw invoer is bewaard: controleer haar en "
    "verstuur opnieuw als uw wijziging nog steeds klopt."
)


def show_stale(form: forms.Form) -> None:
    """Say above the form that the record below is how it is stored now."""
    form.add_error(None, STALE_SHOWN_BELOW)


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
