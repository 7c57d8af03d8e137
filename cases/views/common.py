"""What the case views share: the signed-in request and the form page. A service's
refusal becomes what the user sees on the form through domain.forms.call_service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
