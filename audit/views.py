"""The access-log pages: search, CSV export of a search, and the subject-access
export. Who may read which records comes from audit.selectors."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest

from .forms import AccessLogFilterForm
from .models import AccessLog
from .permissions import may_export_subject_access, may_read_search_terms, may_search_access_log
from .selectors import (
    access_log_as_csv,
    access_log_search,
    subject_access_history,
)
from .services import access_record_log_export, access_record_subject_access_export

RECORDS_PER_PAGE = 50
LOG_REFUSED = _("Alleen het programmateam en privacyfunctionarissen lezen het toegangslog.")
SUBJECT_ACCESS_REFUSED = _("Alleen het programmateam stelt een inzageverzoek samen.")


def _csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _answer_search(
    request: AuthenticatedRequest,
    answer: Callable[[AccessLogFilterForm, QuerySet[AccessLog]], HttpResponse],
) -> HttpResponse:
    """The search the page and its export share: who may search, the filters given and
    the records the viewer may read by them, handed to ``answer``; invalid filters are
    shown on the search page."""
    if not may_search_access_log(request.user):
        raise PermissionDenied(LOG_REFUSED)
    form = AccessLogFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/access_log.html", {"form": form, "page": None}, status=400)
    return answer(form, access_log_search(viewer=request.user, filters=form.filters()))


@login_required
@require_GET
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    def page(form: AccessLogFilterForm, records: QuerySet[AccessLog]) -> HttpResponse:
        return render(
            request,
            "audit/access_log.html",
            {
                "form": form,
                "page": Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("pagina")),
                "show_search_terms": may_read_search_terms(request.user),
            },
        )

    return _answer_search(request, page)


@login_required
@require_GET
def access_log_export(request: AuthenticatedRequest) -> HttpResponse:
    """The records the same search shows, every page of them, as CSV."""

    def export(_form: AccessLogFilterForm, records: QuerySet[AccessLog]) -> HttpResponse:
        content = access_log_as_csv(records, with_search_terms=may_read_search_terms(request.user))
        # The export discloses who read which case: it is itself recorded, after the
        # search, so it does not appear in the file it produces.
        access_record_log_export(user=request.user, record_count=records.count(), request=request)
        return _csv_response(content, "toegangslog.csv")

    return _answer_search(request, export)


@login_required
@require_GET
def subject_access_export(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Every recorded access to one person's data (AVG art. 15). The export is
    itself recorded first, so it appears in what it exports."""
    if not may_export_subject_access(request.user):
        raise PermissionDenied(SUBJECT_ACCESS_REFUSED)
    access_record_subject_access_export(user=request.user, case_id=case_id, request=request)
    return _csv_response(
        access_log_as_csv(subject_access_history(case_id=case_id)),
        f"inzageverzoek-casus-{case_id}.csv",
    )
