"""The programme team's dashboard: the pool table (R-POOL-4), charts, worklists.

Only the programme team sees it (others 403). It shows pseudonymous case numbers
and aggregates, never person data, so it writes no access-log record. Filters
(organisation, phase, region) are a plain GET form; with htmx the results region
is replaced in place, without it the whole page reloads with the same answer.
The number of queries is fixed: it does not grow with the number of cases.

At 10,000 cases the results region (pool table, charts, worklists) takes seconds
to compute and render, so it is cached, rendered, per filter, language and day
under ``figures_version()``: any insert or update of the data behind it gives a
new stamp and so a fresh computation on the next request. User and organisation
names are not in the stamp; a changed name shows within RESULTS_CACHE_SECONDS.
The page says when its figures were computed.

Each worklist shows its WORKLIST_PREVIEW most urgent items (by due date, so the
longest overdue first) with its full count; the worklist page lists all of one
worklist, paged, under the same filters. Both take their items from one cached
computation per filter, language, day and data stamp.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.models import Organisation
from cases.models import Phase
from cases.selectors.cases import emergency_review_figures
from cases.selectors.deadlines import Deadline, DeadlineKind, deadlines
from cases.selectors.figures import (
    QuarterFlow,
    cases_per_phase,
    exit_ground_labels,
    figures_version,
    flow_per_quarter,
    open_case_ids,
)
from pool.models import Region
from pool.selectors import PoolOverview, pool_overview

from .. import charts
from ..permissions import may_view_dashboard

# Cases a regisseur took on within this many days count as "nieuwe casussen"
# (docs/rules.md, assumption A-3).
NEW_CASES_DAYS = 30
# The rendered results region is kept at most this long (see the module docstring).
RESULTS_CACHE_SECONDS = 600
# The inflow/outflow chart covers the current quarter and the ones before it.
QUARTERS_SHOWN = 4
# Items of each worklist on the dashboard itself; the worklist page shows them all.
WORKLIST_PREVIEW = 10
WORKLIST_PAGE_SIZE = 50
# Above this many regisseurs one bar each is unreadable (and, at 890 regisseurs,
# 440 kB of SVG): the caseload chart then shows one bar per organisation, the
# pool table still every regisseur.
CASELOAD_CHART_MAX_BARS = 40

# The worklists, in the order shown, each gathering one or more kinds of deadline.
WORKLISTS: tuple[tuple[str, Any, tuple[DeadlineKind, ...]], ...] = (
    ("uvo", gettext_lazy("UVO's"), (DeadlineKind.FIRST_UVO, DeadlineKind.UVO)),
    ("plan", gettext_lazy("Evaluaties plan van aanpak"), (DeadlineKind.PLAN_EVALUATION,)),
    (
        "two_yearly",
        gettext_lazy("Tweejaarlijkse evaluaties"),
        (DeadlineKind.TWO_YEARLY_EVALUATION,),
    ),
    ("caseload", gettext_lazy("Caseloadbesprekingen"), (DeadlineKind.CASELOAD_REVIEW,)),
    ("talks", gettext_lazy("Driegesprekken"), (DeadlineKind.THREE_WAY_TALK,)),
    (
        "exits",
        gettext_lazy("Uitstroomprocedures die wachten"),
        (DeadlineKind.EXIT_ADVICE, DeadlineKind.EXIT_DECISION),
    ),
)


class DashboardFilterForm(forms.Form):
    organisatie = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle organisaties"),
        to_field_name="code",
    )
    fase = forms.TypedChoiceField(
        label=gettext_lazy("Fase"),
        choices=[("", gettext_lazy("Alle fasen")), *Phase.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    regio = forms.ModelChoiceField(
        label=gettext_lazy("Regio"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle regio's"),
        to_field_name="code",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only organisations that supply a regisseur: the others have no caseload to filter.
        org_field = self.fields["organisatie"]
        region_field = self.fields["regio"]
        assert isinstance(org_field, forms.ModelChoiceField)  # noqa: S101  (for mypy)
        assert isinstance(region_field, forms.ModelChoiceField)  # noqa: S101
        org_field.queryset = (
            Organisation.objects.filter(regisseurs__isnull=False).distinct().order_by("name")
        )
        region_field.queryset = Region.objects.order_by("name")


class WorklistFilterForm(DashboardFilterForm):
    """The dashboard's filters plus the worklist to show."""

    lijst = forms.ChoiceField(
        label=gettext_lazy("Werklijst"),
        choices=[(key, title) for key, title, _kinds in WORKLISTS],
        error_messages={
            "required": gettext_lazy("Kies een werklijst."),
            "invalid_choice": gettext_lazy("Deze werklijst bestaat niet."),
        },
    )

    field_order = ["lijst", "organisatie", "fase", "regio"]


@dataclasses.dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    items: Sequence[Deadline]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    @property
    def preview(self) -> Sequence[Deadline]:
        return self.items[:WORKLIST_PREVIEW]

    @property
    def has_more(self) -> bool:
        return len(self.items) > WORKLIST_PREVIEW


@login_required
@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    if not may_view_dashboard(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    filters: dict[str, Any] = {"organisatie": None, "fase": None, "regio": None}
    if form.is_bound and form.is_valid():
        filters.update(form.cleaned_data)
    today = timezone.localdate()
    results = _results_html(request, today=today, filters=filters)
    if getattr(request, "htmx", False):
        return HttpResponse(results)
    # Outside the cached results region: a review recorded shows at once. One query.
    emergency = emergency_review_figures(
        at=timezone.now(), review_days=settings.IPGAR_EMERGENCY_REVIEW_DAYS
    )
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "form": form,
            "today": today,
            "results": results,
            "emergency": emergency,
            "emergency_review_days": settings.IPGAR_EMERGENCY_REVIEW_DAYS,
        },
    )


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """All items of one worklist, paged, under the dashboard's filters."""
    if not may_view_dashboard(request.user):
        raise PermissionDenied
    form = WorklistFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "monitoring/worklist.html", {"form": form}, status=400)
    filters = {name: form.cleaned_data[name] for name in ("organisatie", "fase", "regio")}
    key = form.cleaned_data["lijst"]
    today = timezone.localdate()
    items, computed_at = _worklist_items(today=today, filters=filters)
    chosen = _worklists(items)[key]
    page = Paginator(chosen.items, WORKLIST_PAGE_SIZE).get_page(request.GET.get("pagina"))
    dashboard_query = _filter_query(filters)
    return render(
        request,
        "monitoring/worklist.html",
        {
            "form": form,
            "worklist": chosen,
            "page": page,
            "dashboard_query": dashboard_query,
            "computed_at": computed_at,
        },
    )


def _cache_key(kind: str, *, today: datetime.date, filters: dict[str, Any]) -> str:
    """Per filter, language and day, under the data stamp: any change of the data
    behind the figures gives a new key."""
    return ":".join(
        str(part)
        for part in (
            kind,
            today.isoformat(),
            get_language(),
            filters["organisatie"].pk if filters["organisatie"] else "",
            filters["fase"] if filters["fase"] is not None else "",
            filters["regio"].pk if filters["regio"] else "",
            *figures_version(),
        )
    )


def _results_html(request: HttpRequest, *, today: datetime.date, filters: dict[str, Any]) -> str:
    """The results region, from the cache while the data behind it is unchanged."""
    key = _cache_key("dashboard-results", today=today, filters=filters)
    html = cache.get(key)
    if html is None:
        context = dashboard_context(today=today, **filters)
        context["computed_at"] = timezone.localtime()
        context["filter_query"] = _filter_query(filters)
        html = render_to_string("monitoring/dashboard_results.html", context, request=request)
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    return html


def _filter_query(filters: dict[str, Any]) -> str:
    """The filters as the query string the dashboard's form would send."""
    values = {
        "organisatie": filters["organisatie"].code if filters["organisatie"] else None,
        "fase": filters["fase"],
        "regio": filters["regio"].code if filters["regio"] else None,
    }
    return urlencode({name: value for name, value in values.items() if value is not None})


def _worklist_items(
    *, today: datetime.date, filters: dict[str, Any]
) -> tuple[list[Deadline], datetime.datetime]:
    """The deadline items behind the worklists (and when they were computed), kept
    under the same key rules as the results region."""
    key = _cache_key("dashboard-worklist-items", today=today, filters=filters)
    cached = cache.get(key)
    if cached is None:
        case_ids = None
        if filters["fase"] is not None or filters["regio"] is not None:
            # A phase or region narrows to cases: the pool-level items (reviews, talks) drop out.
            case_ids = open_case_ids(phase=filters["fase"], region=filters["regio"])
        items = deadlines(on=today, organisation=filters["organisatie"], case_ids=case_ids)
        cached = (items, timezone.localtime())
        cache.set(key, cached, RESULTS_CACHE_SECONDS)
    return cached


def _worklists(items: Sequence[Deadline]) -> dict[str, Worklist]:
    return {
        key: Worklist(key, str(title), [item for item in items if item.kind in kinds])
        for key, title, kinds in WORKLISTS
    }


def dashboard_context(
    *,
    today: datetime.date,
    organisatie: Organisation | None,
    fase: int | None,
    regio: Region | None,
) -> dict[str, Any]:
    overview = pool_overview(
        on=today,
        new_since=today - datetime.timedelta(days=NEW_CASES_DAYS),
        organisation=organisatie,
    )
    per_phase = cases_per_phase(organisation=organisatie, region=regio, phase=fase)
    start = today - datetime.timedelta(days=92 * (QUARTERS_SHOWN - 1))
    flows = flow_per_quarter(start=start, end=today, organisation=organisatie, region=regio)
    items, _computed_at = _worklist_items(
        today=today, filters={"organisatie": organisatie, "fase": fase, "regio": regio}
    )
    return {
        "today": today,
        "overview": overview,
        "new_cases_days": NEW_CASES_DAYS,
        "per_phase": [(Phase(value).label, n) for value, n in per_phase.items()],
        "flows": flows,
        "worklists": list(_worklists(items).values()),
        "filtered": any(value is not None for value in (organisatie, fase, regio)),
        "charts": _charts(overview, per_phase, flows),
    }


def _caseload_bars(overview: PoolOverview) -> tuple[str, list[charts.Bar]]:
    """One bar per regisseur, or per organisation for a pool too big to read."""
    if len(overview.rows) <= CASELOAD_CHART_MAX_BARS:
        return _("Caseload tegen capaciteit per regisseur"), [
            charts.Bar(f"{row.name} ({row.organisation})", row.total_cases, row.capacity)
            for row in overview.rows
        ]
    totals: dict[str, list[int]] = {}
    for row in overview.rows:
        total = totals.setdefault(row.organisation, [0, 0])
        total[0] += row.total_cases
        total[1] += row.capacity
    return _("Caseload tegen capaciteit per organisatie"), [
        charts.Bar(name, cases, capacity) for name, (cases, capacity) in sorted(totals.items())
    ]


def _charts(
    overview: PoolOverview, per_phase: dict[int, int], flows: list[QuarterFlow]
) -> dict[str, str]:
    quarters = [str(flow.quarter) for flow in flows]
    labels = exit_ground_labels()
    grounds = [g for g in labels if any(flow.outflow_by_ground.get(g) for flow in flows)]
    caseload_title, caseload_bars = _caseload_bars(overview)
    return {
        "caseload_title": caseload_title,
        "caseload": charts.bar_chart_with_capacity(
            title=caseload_title,
            bars=caseload_bars,
            value_label=_("casussen in regie"),
            capacity_label=_("maximum"),
            over_label=_("over capaciteit"),
        ),
        "phases": charts.grouped_bar_chart(
            title=_("Lopende casussen per fase"),
            categories=[_("Fase %(number)s") % {"number": value} for value in per_phase],
            series=[charts.Series(_("casussen"), list(per_phase.values()))],
        ),
        "flow": charts.grouped_bar_chart(
            title=_("Instroom en uitstroom per kwartaal"),
            categories=quarters,
            series=[
                charts.Series(_("instroom"), [flow.inflow for flow in flows]),
                charts.Series(_("uitstroom"), [flow.outflow for flow in flows]),
            ],
        ),
        "outflow": charts.stacked_bar_chart(
            title=_("Uitstroom per kwartaal naar grond"),
            categories=quarters,
            series=[
                charts.Series(labels[g], [flow.outflow_by_ground.get(g, 0) for flow in flows])
                for g in grounds
            ]
            or [charts.Series(_("uitstroom"), [0 for _flow in flows])],
        ),
    }
