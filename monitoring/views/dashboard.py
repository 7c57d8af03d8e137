"""The programme team's dashboard: the pool table of seed 000, charts, worklists.

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
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
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
from pool.selectors import PoolOverview, is_programme_team, pool_overview

from .. import charts

# Cases a regisseur took on within this many days count as "nieuwe casussen" (seed 000).
NEW_CASES_DAYS = 30
# The rendered results region is kept at most this long (see the module docstring).
RESULTS_CACHE_SECONDS = 600
# The inflow/outflow chart covers the current quarter and the ones before it.
QUARTERS_SHOWN = 4

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


@dataclasses.dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    items: Sequence[Deadline]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    if not is_programme_team(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    filters: dict[str, Any] = {"organisatie": None, "fase": None, "regio": None}
    if form.is_bound and form.is_valid():
        filters.update(form.cleaned_data)
    today = timezone.localdate()
    results = _results_html(request, today=today, filters=filters)
    if getattr(request, "htmx", False):
        return HttpResponse(results)
    return render(
        request, "monitoring/dashboard.html", {"form": form, "today": today, "results": results}
    )


def _results_html(request: HttpRequest, *, today: datetime.date, filters: dict[str, Any]) -> str:
    """The results region, from the cache while the data behind it is unchanged."""
    key = ":".join(
        str(part)
        for part in (
            "dashboard-results",
            today.isoformat(),
            get_language(),
            filters["organisatie"].pk if filters["organisatie"] else "",
            filters["fase"] if filters["fase"] is not None else "",
            filters["regio"].pk if filters["regio"] else "",
            *figures_version(),
        )
    )
    html = cache.get(key)
    if html is None:
        context = dashboard_context(today=today, **filters)
        context["computed_at"] = timezone.localtime()
        html = render_to_string("monitoring/dashboard_results.html", context, request=request)
        cache.set(key, html, RESULTS_CACHE_SECONDS)
    return html


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
    case_ids = None
    if fase is not None or regio is not None:
        # A phase or region narrows to cases: the pool-level items (reviews, talks) drop out.
        case_ids = open_case_ids(phase=fase, region=regio)
    items = deadlines(on=today, organisation=organisatie, case_ids=case_ids)
    return {
        "today": today,
        "overview": overview,
        "new_cases_days": NEW_CASES_DAYS,
        "per_phase": [(Phase(value).label, n) for value, n in per_phase.items()],
        "flows": flows,
        "worklists": [
            Worklist(key, str(title), [item for item in items if item.kind in kinds])
            for key, title, kinds in WORKLISTS
        ],
        "filtered": any(value is not None for value in (organisatie, fase, regio)),
        "charts": _charts(overview, per_phase, flows),
    }


def _charts(
    overview: PoolOverview, per_phase: dict[int, int], flows: list[QuarterFlow]
) -> dict[str, str]:
    quarters = [str(flow.quarter) for flow in flows]
    labels = exit_ground_labels()
    grounds = [g for g in labels if any(flow.outflow_by_ground.get(g) for flow in flows)]
    return {
        "caseload": charts.bar_chart_with_capacity(
            title=_("Caseload tegen capaciteit per regisseur"),
            bars=[
                charts.Bar(f"{row.name} ({row.organisation})", row.total_cases, row.capacity)
                for row in overview.rows
            ],
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
