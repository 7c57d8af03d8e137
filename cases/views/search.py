"""The search field of the page header (its markup: ipgar/page_frame.py).

A case number takes anyone who may see that case straight to it. Any other number
gets one answer, whether the case does not exist or the user may not see it: the
same page, the same status, from the same single query (cases/selectors/search.py),
so the search tells nobody which numbers exist. Who may search by person also gets
the cases whose number holds the term, or whose person's name is like it, or whose
BSN it is. Every search is recorded in the access log with its term, and every
person whose name a result shows is recorded as read (cases/services/reads.py).

The term is posted, not sent in the URL: a name or a BSN would otherwise stay in
the browser's history and in the web server's logs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from kernel.forms import form_status

from ..forms import CaseSearchForm
from ..permissions import may_open_emergency_access, may_search_persons
from ..selectors.search import SEARCH_RESULTS_MAX, case_numbered, cases_found
from ..services.reads import case_search_record

# One text for an unknown number and for a case one may not see.
NOTHING_FOUND_BY_NUMBER = _("Er is geen casus met dit nummer die u mag inzien.")
NOTHING_FOUND = _("Er is geen casus gevonden die u mag inzien.")


@login_required
@require_http_methods(["GET", "POST"])
def search(request: AuthenticatedRequest) -> HttpResponse:
    by_person = may_search_persons(request.user)
    form = CaseSearchForm(request.POST if request.method == "POST" else None)
    context = {
        "form": form,
        "by_person": by_person,
        "may_open_emergency": may_open_emergency_access(request.user),
        "searched": False,
    }
    if request.method == "POST" and form.is_valid():
        term: str = form.cleaned_data["q"]
        case = case_numbered(request.user, term)
        if case is not None:
            case_search_record(
                user=request.user, term=term, shown=[case], names_shown=False, request=request
            )
            return redirect("cases:detail", pk=case.pk)
        found = list(cases_found(request.user, term)) if by_person else []
        shown = found[:SEARCH_RESULTS_MAX]
        case_search_record(
            user=request.user, term=term, shown=shown, names_shown=by_person, request=request
        )
        context |= {
            "searched": True,
            "term": term,
            "results": shown,
            "more": len(found) > len(shown),
            "nothing_found": NOTHING_FOUND if by_person else NOTHING_FOUND_BY_NUMBER,
            "results_max": SEARCH_RESULTS_MAX,
        }
    return render(request, "cases/search.html", context, status=form_status(form))
