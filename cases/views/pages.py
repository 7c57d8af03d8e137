"""The case pages, server-rendered in Dutch. Thin: who may see what comes from
cases/access.py, the data from the selectors, every change from a service, and
every read of person-level data is recorded in the access log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from audit.services import access_record_many
from kernel.views import form_page, service_form_page, success
from pool.permissions import may_manage_pool

from ..access import case_access_for
from ..filters import CaseListFilter, my_case_list
from ..forms import (
    EmergencyEndForm,
    EmergencyOpenForm,
    EmergencyReviewForm,
    ShareForm,
)
from ..models import Case, Person, ShareRecord
from ..permissions import (
    may_open_emergency_access,
    may_review_emergency_access,
    may_run_intake,
    may_view_all_cases,
)
from ..sections import Section, section_access_for, sections_allowed
from ..selectors.case_page import Tab, case_page_lead, case_page_url, sections_to_read, tab_of
from ..selectors.cases import (
    CaseRole,
    case_page_context,
    cases_for_list,
    cases_under_emergency_of,
    emergency_accesses_flagged,
    emergency_accesses_to_review,
    exit_follow_up_for,
    person_of,
    regisseur_of,
    share_records_of,
)
from ..selectors.deadlines import next_deadline_per_case
from ..services.emergency import (
    EMERGENCY_ONLY_REGISSEUR,
    EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM,
    emergency_access_end,
    emergency_access_open_by_number,
    emergency_access_review,
)
from ..services.reads import case_read_record
from ..services.sharing import share_record
from .lists import list_tools

# The ground of the read when the last regisseur or buddy opens an exited case (ADR 0019).
EXIT_FOLLOW_UP_PURPOSE = "Nazorg warme overdracht na uitstroom: laatste regisseur of buddy."
CASES_PER_PAGE = 50
# The case page's body is kept in the "case_pages" cache (per process, in memory).
CASE_PAGE_CACHE = "case_pages"
CASE_PAGE_CACHE_SECONDS = 600
PERSON_PAGE_PURPOSE = "Persoonsgegevens ingezien op de persoonspagina van de casus."
EMERGENCY_OPENED = _(
    "Noodtoegang geopend tot %(until)s. Het programmateam beoordeelt deze toegang achteraf."
)
SHARE_RECORDED = _("Het delen is vastgelegd, met het zwaarwegend belang waarop het gebeurde.")
REVIEW_RECORDED = _("De beoordeling van de noodtoegang is vastgelegd.")
EMERGENCY_ENDED = _("De noodtoegang is beëindigd: de regisseur kan de casus niet meer inzien.")
# The submit button of the review page that ends a flagged access still running.
END_SUBMIT = "beeindigen"


# The sections of "mijn casussen", in the order a regisseur reads them.
MY_SECTIONS = (
    (CaseRole.REGISSEUR, _("Als regisseur")),
    (CaseRole.BUDDY, _("Als buddy")),
    (CaseRole.STAND_IN, _("Als vervanger")),
)


@login_required
@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    """ "Mijn casussen" for a regisseur: own cases and buddy cases (and those he or she
    stands in for), each with what is due next. The programme team sees every case,
    filtered, sorted and paged (cases/views/lists.py); everyone else the cases he or
    she may see."""
    today = timezone.localdate()
    sees_all = may_view_all_cases(request.user)
    regisseur = None if sees_all else regisseur_of(request.user)
    context: dict[str, Any] = {
        "may_open_emergency": may_open_emergency_access(request.user),
        "may_register": may_run_intake(request.user),
    }
    if regisseur is not None:
        own, mine = my_case_list(request.GET, regisseur, on=today)
        context |= list_tools(request, own)
        context["own_filtered"] = any(request.GET.values())
        emergency = list(cases_under_emergency_of(request.user))
        due = next_deadline_per_case(on=today, case_ids=[c.pk for c in [*mine, *emergency]])
        context["sections"] = [
            (role, title, [(case, due.get(case.pk)) for case in mine if case.role == role])
            for role, title in MY_SECTIONS
        ]
        context["emergency_rows"] = [(case, due.get(case.pk)) for case in emergency]
    else:
        cases: QuerySet[Case] = cases_for_list(request.user)
        if sees_all:
            filters = CaseListFilter(request.GET, queryset=cases)
            cases = filters.qs
            context |= list_tools(request, filters)
        page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("pagina"))
        due = next_deadline_per_case(on=today, case_ids=[case.pk for case in page])
        context["page"] = page
        context["rows"] = [(case, due.get(case.pk)) for case in page]
    return render(request, "cases/case_list.html", context)


@login_required
@require_GET
def case_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        access = case_access_for(request.user, pk, need="view_case")
    except Http404:
        return _exited_case_page(request, pk)
    case = access.case
    case_read_record(access=access, user=request.user, obj=case, request=request)
    sections = sections_allowed(access.permissions)
    tab = tab_of(request.GET.get("tab"), sections)
    may_work = access.allows("work_on_case")
    rights = {
        "may_see_person": Section.PERSON in sections,
        "may_work": may_work,
        "may_change": may_work and case.is_open,
        "manages_pool": may_manage_pool(request.user),
        "runs_intake": may_run_intake(request.user),
    }
    # The sharing decisions are not part of the case's revision: read on every view
    # of the history, they go into the timeline and the body's key.
    shares = (
        list(share_records_of(case)) if tab == Tab.HISTORY and Section.SHARING in sections else None
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "emergency_access": access.permissions.emergency,
            "body": _case_page_body(case, rights, sections, tab, shares),
            "share_records": shares,
        },
    )


def _exited_case_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The case's last regisseur and buddy, whose access ended with the exit, get a
    page that says so with what the warm hand-over's follow-up needs (ADR 0019);
    everyone else the 404 that does not tell whether the case exists."""
    procedure = exit_follow_up_for(request.user, pk)
    if procedure is None:
        raise Http404
    access_record_many(
        user=request.user, objects=[procedure], request=request, purpose=EXIT_FOLLOW_UP_PURPOSE
    )
    return render(request, "cases/exited_case.html", {"procedure": procedure})


def _case_page_body(
    case: Case,
    rights: dict[str, bool],
    sections: frozenset[Section],
    tab: Tab,
    shares: list[ShareRecord] | None,
) -> str:
    """The page's body (its header, actions and the one tab shown), kept per case
    revision in this web process's memory, never in a shared store:
    every service that changes anything of a case raises its revision and
    ``updated_at`` (cases/services/revisions.py ``touch_case``), so a change shows
    at once in every process; names of people and organisations shown in it
    follow within CASE_PAGE_CACHE_SECONDS. The key holds the visible sections
    (cases/sections.py) as well as the rights, so a reader never gets a body
    rendered for someone who sees more; and the tab, with the sharing decisions
    the history shows."""
    key = ":".join(
        str(part)
        for part in (
            "case-page",
            case.pk,
            case.revision,
            case.updated_at.isoformat(),
            get_language(),
            timezone.localdate().isoformat(),
            *(int(allowed) for allowed in rights.values()),
            ",".join(sorted(sections)),
            tab,
            "" if shares is None else f"{len(shares)}-{max((s.pk for s in shares), default=0)}",
        )
    )
    store = caches[CASE_PAGE_CACHE]
    body = store.get(key)
    if body is None:
        context = case_page_context(case.pk, sections=sections_to_read(tab, sections))
        context.update(
            case_page_lead(
                context,
                sections=sections,
                tab=tab,
                may_work=rights["may_work"],
                manages_pool=rights["manages_pool"],
                runs_intake=rights["runs_intake"],
                shares=shares,
                on=timezone.localdate(),
            )
        )
        body = render_to_string("cases/_case_body.html", {**context, **rights})
        store.set(key, body, CASE_PAGE_CACHE_SECONDS)
    return body


@login_required
@require_GET
def person_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = section_access_for(request.user, pk, Section.PERSON)
    try:
        person = person_of(access.case)
    except Person.DoesNotExist:
        raise Http404 from None
    case_read_record(
        access=access, user=request.user, obj=person, request=request, purpose=PERSON_PAGE_PURPOSE
    )
    return render(
        request,
        "cases/person_detail.html",
        {
            "case": access.case,
            "person": person,
            "emergency_access": access.permissions.emergency,
            "may_correct": access.allows("work_on_case") and person.pseudonymised_at is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def emergency_open(request: AuthenticatedRequest) -> HttpResponse:
    """Break the glass, to read, on a case known by its exact number. Until access is
    granted the page answers alike for any number (the service's one refusal)."""
    if not may_open_emergency_access(request.user):
        raise PermissionDenied(EMERGENCY_ONLY_REGISSEUR)
    form = EmergencyOpenForm(request.POST or None)

    def opened(emergency: Any) -> HttpResponse:
        until = f"{timezone.localtime(emergency.expires_at):%d-%m-%Y %H:%M}"
        messages.warning(request, EMERGENCY_OPENED % {"until": until})
        return redirect("cases:detail", pk=emergency.case_id)

    return service_form_page(
        request,
        form,
        lambda data: emergency_access_open_by_number(
            number=data["number"], user=request.user, reason=data["reason"], request=request
        ),
        fields_by_code={"reason_too_short": "reason"},
        done=opened,
        template="cases/emergency_open.html",
        context={
            "form": form,
            "hours": settings.IPGAR_EMERGENCY_ACCESS_HOURS,
            "per_day": settings.IPGAR_EMERGENCY_ACCESS_PER_DAY,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def share(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record sharing a plan version or an UVO on a weighty interest."""
    access = case_access_for(request.user, pk, need="work_on_case")
    case = access.case
    form = ShareForm(request.POST or None, case=case)
    return service_form_page(
        request,
        form,
        lambda data: share_record(
            case=case,
            plan_version=data["plan_version"],
            meeting=data["meeting"],
            shared_with=data["shared_with"],
            ground=data["ground"],
            by=request.user,
            request=request,
        ),
        fields_by_code={
            "shared_with_required": "shared_with",
            "shared_with_too_long": "shared_with",
            "ground_required": "ground",
        },
        done=lambda _result: success(
            request, SHARE_RECORDED, redirect(case_page_url(case.pk, "shares"))
        ),
        template="cases/share_form.html",
        context={"case": case, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def emergency_reviews(request: AuthenticatedRequest) -> HttpResponse:
    """The programme team's list of emergency accesses to review, a form per row (a
    note; flag for follow-up; end at once), and below it the flagged ones, where one
    still running can be ended."""
    if not may_review_emergency_access(request.user):
        raise PermissionDenied(EMERGENCY_REVIEW_ONLY_PROGRAMME_TEAM)
    template = "cases/emergency_reviews.html"
    if request.method != "POST":
        return form_page(request, template, _emergency_reviews_context(None), status=200)
    posted_id = request.POST.get("access", "")
    auto_id = f"id_%s_{posted_id}" if posted_id.isdigit() else "id_%s"
    if END_SUBMIT in request.POST:
        end_form = EmergencyEndForm(request.POST, auto_id=auto_id)
        return service_form_page(
            request,
            end_form,
            lambda data: emergency_access_end(access=data["access"], by=request.user),
            done=lambda _result: success(
                request, EMERGENCY_ENDED, redirect("emergency_review:list")
            ),
            template=template,
            context=lambda: _emergency_reviews_context(end_form),
        )
    form = EmergencyReviewForm(request.POST, auto_id=auto_id)

    def reviewed(access: Any) -> HttpResponse:
        messages.success(request, REVIEW_RECORDED)
        if access.ended_at is not None:
            messages.success(request, EMERGENCY_ENDED)
        return redirect("emergency_review:list")

    return service_form_page(
        request,
        form,
        lambda data: emergency_access_review(
            access=data["access"],
            by=request.user,
            note=data["note"],
            flag=data["flag"],
            end=data["end"],
        ),
        fields_by_code={"note_required": "note", "not_running": "end"},
        done=reviewed,
        template=template,
        context=lambda: _emergency_reviews_context(form),
    )


def _emergency_reviews_context(
    posted: EmergencyReviewForm | EmergencyEndForm | None,
) -> dict[str, Any]:
    rows: list[tuple[Any, Any]] = []
    posted_row_found = False
    for access in emergency_accesses_to_review():
        if isinstance(posted, EmergencyReviewForm) and posted.data.get("access") == str(access.pk):
            form, posted_row_found = posted, True
        else:
            form = EmergencyReviewForm(initial={"access": access.pk}, auto_id=f"id_%s_{access.pk}")
        rows.append((access, form))
    return {
        "rows": rows,
        # A post for an access no longer to review: its errors go above the list.
        "stray_form": posted if posted is not None and not posted_row_found else None,
        "flagged": emergency_accesses_flagged(),
        "end_submit": END_SUBMIT,
        "now": timezone.now(),
    }
