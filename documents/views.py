"""The documents pages of a case. Thin: who may do what comes from documents/permissions.py
over cases/access.py, every change from documents/services.py, every read and download
goes into the access log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from audit.models import AccessLog
from audit.services import access_record
from cases.access import CASE_PERMISSION_REFUSED, CaseAccess, case_access_for, read_basis
from cases.selectors.plans import plan_version_of
from cases.services.reads import case_read_record
from kernel.views import service_form_page, success

from . import generate, services, watermark
from .forms import (
    DocumentRemoveForm,
    DocumentUploadForm,
    DocumentVersionForm,
    HandoverForm,
    MinutesForm,
    minutes_form_offered,
)
from .models import Document, DocumentVersion
from .permissions import (
    may_change_documents,
    may_generate_documents,
    may_read_document,
    may_remove_documents,
)
from .selectors import documents_visible, running_move, version_of
from .uploads import client_file_name

LIST_PURPOSE = "Documentenlijst van de casus ingezien."
DOWNLOAD_PURPOSE = "Document gedownload."
HANDOVER_PURPOSE = "Overdrachtsdossier gemaakt."
HANDOVER_WITH_BSN_PURPOSE = "Overdrachtsdossier gemaakt, met BSN op verzoek van de maker."
GENERATED = _("Het document is gemaakt en als nieuwe versie opgeslagen.")
MAY_NOT_REMOVE = _(
    "Alleen de regisseur van de casus en het programmateam kunnen documenten verwijderen."
)
UPLOADED = _("Het document is gescand, versleuteld opgeslagen en bij de casus gezet.")
VERSION_ADDED = _("De nieuwe versie is opgeslagen; de eerdere versies blijven bewaard.")
REMOVED = _("Het document is verwijderd; de bestanden zijn gewist.")
UPLOAD_BROKEN = _("Het bestand is onvolledig aangekomen. Upload het opnieuw.")
MAY_NOT_CHANGE = _(
    "Alleen wie aan deze casus werkt, kan documenten toevoegen of verwijderen, zolang de "
    "casus loopt."
)
# The form's field that each service refusal belongs on.
FILE_CODES = dict.fromkeys(
    (
        "file_empty",
        "file_too_large",
        "file_type",
        "file_name_path",
        "file_name_invalid",
        "file_truncated",
        "file_infected",
        "scanner_unavailable",
    ),
    "file",
)
SCANNER_DOWN_STATUS = 503
R = TypeVar("R", bound=HttpResponseBase)


def _changing(request: AuthenticatedRequest, pk: int) -> CaseAccess:
    access = case_access_for(request.user, pk, need="view_case")
    if not may_change_documents(access):
        raise PermissionDenied(MAY_NOT_CHANGE)
    return access


def _document(access: CaseAccess, document_id: int) -> Document:
    document = Document.objects.filter(pk=document_id, case=access.case).first()
    if document is None or document.is_removed:
        raise Http404
    if not may_read_document(access, document):
        raise PermissionDenied(CASE_PERMISSION_REFUSED)
    return document


def _with_scanner_status(response: HttpResponse, form: Any) -> HttpResponse:
    """A refusal because clamd is down answers 503, not 400: the input was fine."""
    if form.is_bound and form.has_error("file", "scanner_unavailable"):
        response.status_code = SCANNER_DOWN_STATUS
    return response


def _bound(request: HttpRequest, make: Callable[[], Any]) -> Any:
    """The form bound to the request; None when the upload arrived broken."""
    try:
        return make()
    except MultiPartParserError:
        return None


@login_required
@require_GET
def document_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = case_access_for(request.user, pk, need="view_case")
    case_read_record(
        access=access, user=request.user, obj=access.case, request=request, purpose=LIST_PURPOSE
    )
    may_generate = may_generate_documents(access)
    return render(
        request,
        "documents/document_list.html",
        {
            "case": access.case,
            "documents": documents_visible(access),
            "may_change": may_change_documents(access),
            "may_remove": may_remove_documents(access, request.user),
            "minutes_form": minutes_form_offered(access.case) if may_generate else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = _changing(request, pk)
    case = access.case
    form = _bound(
        request,
        lambda: DocumentUploadForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            case=case,
        ),
    )
    if form is None:
        return HttpResponseBadRequest(str(UPLOAD_BROKEN))
    response = service_form_page(
        request,
        form,
        lambda data: services.document_upload(
            case=case,
            by=request.user,
            upload=data["file"],
            title=data["title"],
            kind=data["kind"],
            date=data["date"],
            confidentiality=data["confidentiality"],
            meeting=data["meeting"],
            plan_version=data["plan_version"],
            exit_procedure=data["exit_procedure"],
            file_name=client_file_name(request, data["file"]),
        ),
        fields_by_code={**FILE_CODES, "attachment": "meeting"},
        done=lambda _v: success(request, UPLOADED, redirect("documents:list", pk=case.pk)),
        template="documents/document_form.html",
        context={
            "case": case,
            "form": form,
            "heading": _("Document toevoegen"),
            "submit": _("Scannen en opslaan"),
        },
    )
    return _with_scanner_status(response, form)


@login_required
@require_http_methods(["GET", "POST"])
def document_add_version(request: AuthenticatedRequest, pk: int, document_id: int) -> HttpResponse:
    access = _changing(request, pk)
    document = _document(access, document_id)
    form = _bound(
        request,
        lambda: DocumentVersionForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
        ),
    )
    if form is None:
        return HttpResponseBadRequest(str(UPLOAD_BROKEN))
    response = service_form_page(
        request,
        form,
        lambda data: services.document_add_version(
            document=document,
            by=request.user,
            upload=data["file"],
            file_name=client_file_name(request, data["file"]),
        ),
        fields_by_code=FILE_CODES,
        done=lambda _v: success(
            request, VERSION_ADDED, redirect("documents:list", pk=access.case.pk)
        ),
        template="documents/document_form.html",
        context={
            "case": access.case,
            "document": document,
            "form": form,
            "heading": _("Nieuwe versie van “%(title)s”") % {"title": document.title},
            "submit": _("Scannen en opslaan"),
        },
    )
    return _with_scanner_status(response, form)


@login_required
@require_http_methods(["GET", "POST"])
def document_remove(request: AuthenticatedRequest, pk: int, document_id: int) -> HttpResponse:
    access = _changing(request, pk)
    if not may_remove_documents(access, request.user):
        raise PermissionDenied(MAY_NOT_REMOVE)
    document = _document(access, document_id)
    form = DocumentRemoveForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda data: services.document_remove(
            document=document, by=request.user, reason=data["reason"]
        ),
        fields_by_code={"reason": "reason"},
        done=lambda _d: success(request, REMOVED, redirect("documents:list", pk=access.case.pk)),
        template="documents/document_form.html",
        context={
            "case": access.case,
            "document": document,
            "form": form,
            "heading": _("“%(title)s” verwijderen") % {"title": document.title},
            "submit": _("Definitief verwijderen"),
            "multipart": False,
        },
    )


@login_required
@require_GET
def document_download(
    request: AuthenticatedRequest, pk: int, document_id: int, version_id: int
) -> HttpResponseBase:
    access = case_access_for(request.user, pk, need="view_case")
    document = _document(access, document_id)
    version = version_of(document, version_id)
    if version is None:
        raise Http404
    emergency = access.emergency_access
    access_record(
        user=request.user,
        obj=version,
        action=AccessLog.Action.DOWNLOAD,
        request=request,
        case=access.case,
        purpose=emergency.reason if emergency is not None else DOWNLOAD_PURPOSE,
        emergency=emergency is not None,
        basis=(
            AccessLog.Basis.EMERGENCY if emergency is not None else read_basis(request.user, access)
        ),
    )
    return download_response(version, reader=request.user)


def _attachment_headers(response: R, version: DocumentVersion) -> R:
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=version.file_name) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Exactly this, and kept so by the sign-in policy (accounts/middleware.py).
    response["Cache-Control"] = "no-store"
    return response


def download_response(version: DocumentVersion, *, reader: Any) -> HttpResponseBase:
    """The decrypted file as an attachment, never shown inline, cached or sniffed.

    A PDF ipgar generated carries the reader's name and the time in its footer
    (documents/watermark.py): it is small (a few pages), so it is read whole to be
    stamped. Any other file is streamed as stored; its first chunk is decrypted
    before the answer starts, so a file that cannot be read is an error page, not
    half a download."""
    if version.generated and version.content_type == services.PDF:
        stamped = watermark.watermarked(
            b"".join(services.version_read(version)),
            name=reader.get_full_name() or reader.get_username(),
            at=timezone.now(),
        )
        return _attachment_headers(HttpResponse(stamped, content_type=services.PDF), version)
    chunks = services.version_read(version)
    first = next(chunks, b"")

    def body() -> Iterator[bytes]:
        yield first
        yield from chunks

    response = StreamingHttpResponse(body(), content_type=version.content_type)
    response["Content-Length"] = str(version.size)
    return _attachment_headers(response, version)


# --- documents ipgar generates (documents/generate.py) -----------------------------------


def _generating(request: AuthenticatedRequest, pk: int) -> CaseAccess:
    access = case_access_for(request.user, pk, need="view_case")
    if not may_generate_documents(access):
        raise PermissionDenied(MAY_NOT_CHANGE)
    return access


def _generated(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return success(request, GENERATED, redirect("documents:list", pk=pk))


@login_required
@require_POST
def generate_plan(request: AuthenticatedRequest, pk: int, version_id: int) -> HttpResponse:
    """The plan of approach of one plan version as a PDF, for ITAT-R."""
    access = _generating(request, pk)
    plan_version = plan_version_of(access.case, version_id)
    if plan_version is None:
        raise Http404
    generate.plan_generate(plan_version=plan_version, by=request.user)
    return _generated(request, pk)


@login_required
@require_POST
def generate_minutes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The minutes of the UVO chosen on the documents page, as a PDF."""
    access = _generating(request, pk)
    form = MinutesForm(request.POST, case=access.case)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(str(e) for e in form.errors.get("meeting", [])))
    generate.minutes_generate(meeting=form.cleaned_data["meeting"], by=request.user)
    return _generated(request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def generate_handover(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The hand-over file for a move to another municipality; the BSN in it only when
    asked for on the form, and that choice recorded on the version and in the access log."""
    access = _generating(request, pk)
    case = access.case
    form = HandoverForm(request.POST if request.method == "POST" else None)

    def make(data: dict[str, Any]) -> DocumentVersion:
        include_bsn = bool(data["include_bsn"])
        version = generate.handover_generate(case=case, by=request.user, include_bsn=include_bsn)
        case_read_record(
            access=access,
            user=request.user,
            obj=version,
            request=request,
            purpose=HANDOVER_WITH_BSN_PURPOSE if include_bsn else HANDOVER_PURPOSE,
        )
        return version

    return service_form_page(
        request,
        form,
        make,
        done=lambda _v: _generated(request, pk),
        template="documents/document_form.html",
        context={
            "case": case,
            "form": form,
            "heading": _("Overdrachtsdossier maken"),
            "intro": _(
                "Het dossier bevat een samenvatting van de casus, het plan van aanpak dat "
                "geldt, het interventieteam en de laatste UVO's, voor de nieuwe gemeente."
            ),
            "procedure": running_move(case),
            "submit": _("Dossier maken"),
            "multipart": False,
        },
    )
