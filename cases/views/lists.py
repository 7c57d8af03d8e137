"""The programme team's case list: filters and sort order (cases/filters.py), saved
selections, and the CSV export of a selection. The list shows no person data; the
export is a read of every case it holds and is recorded as such in the access log."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from audit.models import AccessLog
from audit.services import access_record_many
from kernel.csv_cells import csv_safe_writer
from kernel.forms import Outcome, call_service

from ..filters import DEFAULT_VIEWS, CaseListFilter
from ..forms import SavedCaseViewForm
from ..models import SavedCaseView
from ..permissions import may_export_case_list, may_keep_case_selections
from ..selectors.cases import cases_for_list, listed_person
from ..selectors.deadlines import next_deadline_per_case
from ..selectors.lists import saved_views_of
from ..services.saved_views import saved_view_create, saved_view_delete, saved_view_query

SELECTIONS_ONLY_WITH_A_LIST = _(
    "Alleen het programmateam en regisseurs bewaren selecties van hun casuslijst."
)
EXPORT_ONLY_PROGRAMME_TEAM = _("Alleen het programmateam exporteert de casuslijst.")
VIEW_SAVED = _("De selectie ‘%(name)s’ is bewaard.")
VIEW_DELETED = _("De selectie is verwijderd.")
EXPORT_PURPOSE = "Casuslijst geëxporteerd (CSV)."
EXPORT_COLUMNS = (
    "casusnummer",
    "regio",
    "fase",
    "status",
    "regisseur",
    "buddy",
    "fase_sinds",
    "eerstvolgend",
    "eerstvolgend_op",
    "verlopen",
)
# The sortable columns of the list, in the order shown (cases/filters.py SORT_FIELDS).
SORTABLE_COLUMNS = (
    ("nummer", _("Casusnummer")),
    ("regio", _("Regio")),
    ("fase", _("Fase")),
    ("status", _("Status")),
    ("regisseur", _("Regisseur")),
    ("buddy", _("Buddy")),
)


def list_tools(request: AuthenticatedRequest, filters: CaseListFilter) -> dict[str, Any]:
    """What the whole list shows around its rows: the sortable column headers, the
    default and saved selections, the form to save this one, and the export link."""
    current = request.GET.get("sorteer", "")
    selection = saved_view_query(request.GET.urlencode())
    columns = []
    for column, label in SORTABLE_COLUMNS:
        params = request.GET.copy()
        params.pop("pagina", None)
        sort = "ascending" if current == column else "descending" if current == f"-{column}" else ""
        params["sorteer"] = f"-{column}" if sort == "ascending" else column
        columns.append({"label": label, "sort": sort, "url": f"?{params.urlencode()}"})
    return {
        "filters": filters,
        "columns": columns,
        "default_views": [(name, f"?{query}") for name, query in DEFAULT_VIEWS],
        "saved_views": saved_views_of(request.user),
        "selection": selection,
        "save_form": SavedCaseViewForm(initial={"query": selection}),
        "export_url": (
            f"{reverse('cases:export')}?{selection}" if may_export_case_list(request.user) else ""
        ),
    }


@login_required
@require_POST
def saved_view_add(request: AuthenticatedRequest) -> HttpResponse:
    if not may_keep_case_selections(request.user):
        raise PermissionDenied(SELECTIONS_ONLY_WITH_A_LIST)
    form = SavedCaseViewForm(request.POST)
    outcome = Outcome()
    if form.is_valid():
        outcome = call_service(
            form,
            lambda: saved_view_create(
                user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            ),
        )
    if outcome.ok:
        view: SavedCaseView = outcome.result
        messages.success(request, VIEW_SAVED % {"name": view.name})
        return redirect(f"{reverse('cases:list')}?{view.query}")
    # Back to the same selection, the refusal shown above the list.
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('cases:list')}?{saved_view_query(request.POST.get('query', ''))}")


@login_required
@require_POST
def saved_view_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not may_keep_case_selections(request.user):
        raise PermissionDenied(SELECTIONS_ONLY_WITH_A_LIST)
    try:
        saved_view_delete(user=request.user, view_id=pk)
    except SavedCaseView.DoesNotExist:
        raise Http404 from None
    messages.success(request, VIEW_DELETED)
    return redirect("cases:list")


@login_required
@require_GET
def export(request: AuthenticatedRequest) -> HttpResponse:
    """Every case of the selection (all pages) as CSV, formula-safe; recorded in the
    access log as an export of each case in it."""
    if not may_export_case_list(request.user):
        raise PermissionDenied(EXPORT_ONLY_PROGRAMME_TEAM)
    cases = list(CaseListFilter(request.GET, queryset=cases_for_list(request.user)).qs)
    due = next_deadline_per_case(on=timezone.localdate(), case_ids=[case.pk for case in cases])
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for case in cases:
        item = due.get(case.pk)
        writer.writerow(
            [
                case.number,
                case.region_name,
                case.get_phase_display(),
                case.get_status_display(),
                listed_person(case, "regisseur"),
                listed_person(case, "buddy"),
                case.phase_since.isoformat(),
                item.label if item else "",
                item.due_on.isoformat() if item else "",
                "ja" if item and item.overdue else "nee",
            ]
        )
    access_record_many(
        user=request.user,
        objects=list(cases),
        action=AccessLog.Action.EXPORT,
        request=request,
        purpose=EXPORT_PURPOSE,
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="casussen.csv"'
    return response
