"""Errors as RFC 9457 problem details (``application/problem+json``).

One exception handler for the whole API: DRF's own errors, Django's
ValidationError (400, field by field), RuleViolation (409), StaleObject and a
mismatched If-Match (412), a missing If-Match (428), throttling (429), a body
that is too large (413). Anything else is logged and answered as a problem too,
so a client never sees an HTML error page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from kernel.errors import RuleViolation, StaleObject

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
TYPE_BASE = "https://ipgar.amsterdam.nl/problemen/"

PRECONDITION_FAILED = _(
    "De ETag in If-Match is niet (meer) die van dit object; haal het opnieuw op."
)
PRECONDITION_REQUIRED = _("Een wijziging vraagt een If-Match-header met de ETag van het object.")
BODY_TOO_LARGE = _("Het verzoek is te groot (hooguit {limit} bytes).")
RULE_CONFLICT = _("Een regel van de aanpak staat deze wijziging niet toe.")
INVALID_INPUT = _("De invoer is niet geldig.")
NOT_FOUND = _("Niet gevonden.")
SERVER_ERROR = _("Er ging iets mis aan onze kant; probeer het later opnieuw.")

# Titles in the request's language (Accept-Language), like the details.
TITLES = {
    400: _("Ongeldige invoer"),
    401: _("Niet aangemeld"),
    403: _("Geen toegang"),
    404: _("Niet gevonden"),
    405: _("Methode niet toegestaan"),
    406: _("Niet aanvaardbaar"),
    409: _("Conflict met een regel"),
    412: _("Voorwaarde niet vervuld"),
    413: _("Verzoek te groot"),
    415: _("Mediatype niet ondersteund"),
    428: _("Voorwaarde vereist"),
    429: _("Te veel verzoeken"),
    500: _("Serverfout"),
}
SLUGS = {
    400: "ongeldige-invoer",
    401: "niet-aangemeld",
    403: "geen-toegang",
    404: "niet-gevonden",
    405: "methode-niet-toegestaan",
    406: "niet-aanvaardbaar",
    409: "regelconflict",
    412: "voorwaarde-niet-vervuld",
    413: "verzoek-te-groot",
    415: "mediatype-niet-ondersteund",
    428: "voorwaarde-vereist",
    429: "te-veel-verzoeken",
    500: "serverfout",
}


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE
    format = "problem+json"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = PRECONDITION_REQUIRED
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = BODY_TOO_LARGE
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = RULE_CONFLICT
    default_code = "rule_violation"


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = str(key) if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            out += _flatten(value, f"{prefix}.{index}" if nested else prefix)
        return out
    return [
        {
            "field": prefix or "__all__",
            "message": str(detail),
            "code": getattr(detail, "code", "invalid") or "invalid",
        }
    ]


def _django_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message, "code": "invalid"}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [
        {
            "field": "__all__",
            "message": str(message),
            "code": getattr(exc, "code", None) or "invalid",
        }
        for message in exc.messages
    ]


def problem(
    status_code: int,
    detail: str | _StrPromise,
    *,
    errors: list[dict[str, str]] | None = None,
    instance: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + SLUGS.get(status_code, str(status_code)),
        # Plain strings in the request's language: every renderer (JSON, the schema's
        # YAML) takes them, lazy translations not.
        "title": str(TITLES.get(status_code, _("Fout"))),
        "status": status_code,
        "detail": str(detail),
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _instance(context: dict[str, Any]) -> str:
    request = context.get("request")
    return request.get_full_path() if request is not None else ""


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    instance = _instance(context)
    if isinstance(exc, StaleObject):
        return problem(412, exc.messages[0], instance=instance)
    if isinstance(exc, RuleViolation):
        return problem(409, exc.messages[0], errors=_django_errors(exc), instance=instance)
    if isinstance(exc, DjangoValidationError):
        return problem(400, INVALID_INPUT, errors=_django_errors(exc), instance=instance)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return problem(500, SERVER_ERROR, instance=instance)
    headers = {
        k: v
        for k, v in response.headers.items()
        if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            400, INVALID_INPUT, errors=_flatten(data), instance=instance, headers=headers
        )
    detail = data.get("detail", "") if isinstance(data, dict) else str(data)
    return problem(response.status_code, str(detail), instance=instance, headers=headers)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404 handler: a path under /api/ that matches no route (e.g. an id
    the URL pattern rejects) answers problem details like every other API error;
    everything else gets the Dutch 404 page."""
    if not request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)
    body = {
        "type": TYPE_BASE + SLUGS.get(404, "404"),
        "title": str(TITLES.get(404, _("Fout"))),
        "status": 404,
        "detail": NOT_FOUND,
        "instance": request.get_full_path(),
    }
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)
