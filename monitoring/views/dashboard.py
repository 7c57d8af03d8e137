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
names are not in the stamp; a changed name shows within STAMPED_CACHE_SECONDS plus
STAMPED_LOCAL_SECONDS (cases.selectors.figures).
The page says when its figures were computed.

Each worklist shows its WORKLIST_PREVIEW most urgent items (by due date, so the
longest overdue first) with its full count, grouped by the regisseur they concern;
the worklist page lists all of one worklist, paged, under the same filters, from a
computation of that worklist's kinds kept per filter, language, day and data
stamp. Every item links to the form that settles it (the UVO form of the case, the
caseload review form for that regisseur, ...), and an overdue item shows how late
it is as a grade (OVERDUE_GRADES) in words and a marker, not in colour alone.

The figures at the top are cards that open the case list filtered to what they
count (its query parameters ``fase``, ``regio``, ``organisatie``, ``verlopen``,
``uitgestroomd``, ``regisseur``); they come from the same computation as the rest,
so they add no query.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import functools
import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.models import Organisation
from cases.models import Phase
from cases.permissions import may_run_intake
from cases.selectors.cases import emergency_review_figures
from cases.selectors.deadlines import Deadline, DeadlineKind, deadlines
from cases.selectors.escalations import stuck_cases
from cases.selectors.figures import (
    QuarterFlow,
    cases_per_phase,
    exit_ground_labels,
    flow_per_quarter,
    kept_under_stamp,
    open_case_ids,
)
from kernel.compiled import CompiledQuery
from kernel.forms import ShortModelChoiceField
from pool.models import Region, Regisseur
from pool.selectors import REGIONS_BY_NAME, PoolOverview, pool_overview, regions_by_name

from .. import charts
from ..permissions import may_view_dashboard

# Cases a regisseur took on within this many days count as "nieuwe casussen"
# (docs/rules.md, assumption A-3).
NEW_CASES_DAYS = 30
# The inflow/outflow chart covers the current quarter and the ones before it.
QUARTERS_SHOWN = 4
# Items of each worklist on the dashboard itself; the worklist page shows them all.
WORKLIST_PREVIEW = 10
WORKLIST_PAGE_SIZE = 50
T = TypeVar("T")
# Above this many regisseurs one line each is unreadable (at 947 regisseurs the pool
# table took 600 kB of HTML and the caseload chart 440 kB of SVG): both then show one
# line per organisation, and the pool's list of regisseurs (paged) holds each one.
POOL_MAX_REGISSEURS_SHOWN = 40
# How late an overdue item is, in grades: (below this many days overdue, grade). Longer
# is grade 3.
OVERDUE_GRADES = ((14, 1), (92, 2))
OVERDUE_GRADE_LABELS = {
    1: gettext_lazy("minder dan 2 weken te laat"),
    2: gettext_lazy("minder dan 3 maanden te laat"),
    3: gettext_lazy("meer dan 3 maanden te laat"),
}
# What the link of an item does, per kind of deadline.
ACTION_LABELS = {
    DeadlineKind.FIRST_UVO: gettext_lazy("UVO vastleggen"),
    DeadlineKind.UVO: gettext_lazy("UVO vastleggen"),
    DeadlineKind.PLAN_EVALUATION: gettext_lazy("Evaluatie vastleggen"),
    DeadlineKind.TWO_YEARLY_EVALUATION: gettext_lazy("Evaluatie vastleggen"),
    DeadlineKind.CASELOAD_REVIEW: gettext_lazy("Caseloadbespreking vastleggen"),
    DeadlineKind.THREE_WAY_TALK: gettext_lazy("Driegesprek vastleggen"),
    DeadlineKind.EXIT_ADVICE: gettext_lazy("Advies ITAT-R vastleggen"),
    DeadlineKind.EXIT_DECISION: gettext_lazy("Uitstroomprocedure bekijken"),
    DeadlineKind.INTERVENTION: gettext_lazy("Voortgang interventie vastleggen"),
    DeadlineKind.UVO_ACTION: gettext_lazy("Actie afronden"),
}

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
    (
        "interventions",
        gettext_lazy("Termijnen van interventies en UVO-acties"),
        (DeadlineKind.INTERVENTION, DeadlineKind.UVO_ACTION),
    ),
)


WORKLIST_KINDS = {key: kinds for key, _title, kinds in WORKLISTS}
WORKLIST_OF_KIND = {kind: key for key, _title, kinds in WORKLISTS for kind in kinds}


def _supplying_organisations() -> QuerySet[Organisation]:
    """Only organisations that supply a regisseur: the others have no caseload to filter.
    A semi-join (EXISTS) rather than DISTINCT over the join with every regisseur: 0.07
    instead of 0.8 ms, and a tenth of the planning."""
    return Organisation.objects.filter(
        Exists(Regisseur.objects.filter(organisation=OuterRef("pk")))
    ).order_by("name")


class DashboardFilterForm(forms.Form):
    # The choices by compiled queries (kernel/compiled.py): the form is on every view of
    # the dashboard, and Django took longer to build their queries than to run them.
    organisatie = ShortModelChoiceField(
        label=gettext_lazy("Organisatie"),
        queryset=_supplying_organisations(),
        compiled=CompiledQuery(_supplying_organisations),
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
    regio = ShortModelChoiceField(
        label=gettext_lazy("Regio"),
        queryset=regions_by_name(),
        compiled=REGIONS_BY_NAME,
        required=False,
        empty_label=gettext_lazy("Alle regio's"),
        to_field_name="code",
    )


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


def overdue_grade(days_overdue: int) -> int:
    """0 when not overdue, else 1 to 3 (see OVERDUE_GRADES)."""
    if days_overdue <= 0:
        return 0
    return next((grade for below, grade in OVERDUE_GRADES if days_overdue < below), 3)


def action_url(item: Deadline) -> str:
    """The form that settles the item; the case page where no form does."""
    kind = item.kind
    if kind in (DeadlineKind.CASELOAD_REVIEW, DeadlineKind.THREE_WAY_TALK):
        route = "pool:review_add" if kind == DeadlineKind.CASELOAD_REVIEW else "pool:talk_add"
        return f"{reverse(route)}?{urlencode({'regisseur': item.regisseur_id})}"
    case = {"pk": item.case_id}
    if kind in (DeadlineKind.FIRST_UVO, DeadlineKind.UVO):
        return reverse("cases:meeting_new", kwargs=case)
    if kind in (DeadlineKind.PLAN_EVALUATION, DeadlineKind.TWO_YEARLY_EVALUATION):
        return reverse("cases:evaluation_new", kwargs=case)
    # An exit, intervention or action item's key ends in its record's id ("exit_advice:exit:7").
    record_id = int(item.key.rsplit(":", 1)[1])
    if kind == DeadlineKind.INTERVENTION:
        return reverse("cases:intervention_progress", kwargs={**case, "intervention_id": record_id})
    if kind == DeadlineKind.UVO_ACTION:
        return reverse("cases:action_done", kwargs={**case, "action_id": record_id})
    procedure_id = record_id
    if kind == DeadlineKind.EXIT_ADVICE:
        return reverse("cases:exit_advice", kwargs={**case, "procedure_id": procedure_id})
    # PTO-R decides (the programme team cannot): the procedure on the case page.
    return reverse("cases:detail", kwargs=case) + f"#exit-{procedure_id}"


@dataclasses.dataclass(frozen=True)
class WorkItem:
    """A deadline as a worklist shows it: with the link that settles it and its grade."""

    deadline: Deadline
    action_url: str
    action_label: str
    grade: int

    @property
    def grade_label(self) -> str:
        return str(OVERDUE_GRADE_LABELS.get(self.grade, ""))

    @classmethod
    def of(cls, item: Deadline) -> WorkItem:
        return cls(
            item, action_url(item), str(ACTION_LABELS[item.kind]), overdue_grade(item.days_overdue)
        )


class WorkItems(Sequence[WorkItem]):
    """A worklist's deadlines, each made a WorkItem (with the link that settles it) only
    when it is shown: the dashboard shows a preview of lists thousands long, the
    worklist page one page of them."""

    def __init__(self, deadlines: Sequence[Deadline]) -> None:
        self.deadlines = deadlines

    def __len__(self) -> int:
        return len(self.deadlines)

    @overload
    def __getitem__(self, index: int) -> WorkItem: ...

    @overload
    def __getitem__(self, index: slice) -> list[WorkItem]: ...

    def __getitem__(self, index: int | slice) -> WorkItem | list[WorkItem]:
        if isinstance(index, slice):
            return [WorkItem.of(item) for item in self.deadlines[index]]
        return WorkItem.of(self.deadlines[index])


@dataclasses.dataclass(frozen=True)
class Owner:
    """The items of one worklist's preview that concern one regisseur."""

    name: str
    items: list[WorkItem]


@dataclasses.dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    items: WorkItems

    @functools.cached_property
    def overdue(self) -> int:
        """The items overdue: they come first (``deadlines()`` gives them by due date), so
        they are counted by bisection, not by a walk over up to 50,000 items."""
        return bisect.bisect_left(self.items.deadlines, True, key=_not_overdue)

    @property
    def preview(self) -> Sequence[WorkItem]:
        return self.items[:WORKLIST_PREVIEW]

    @property
    def has_more(self) -> bool:
        return len(self.items) > WORKLIST_PREVIEW

    def preview_by_owner(self, owners: dict[int, str]) -> list[Owner]:
        """The preview grouped by the regisseur each item concerns, the group with the
        most urgent item first; items of a case without an active regisseur together."""
        groups: dict[str, list[WorkItem]] = {}
        for item in self.preview:
            name = owners.get(item.deadline.regisseur_id or 0) or str(NO_OWNER)
            groups.setdefault(name, []).append(item)
        return [Owner(name, items) for name, items in groups.items()]


NO_OWNER = gettext_lazy("Zonder actieve regisseur")
_overdue = operator.attrgetter("overdue")


def _not_overdue(item: Deadline) -> bool:
    return not item.overdue


@dataclasses.dataclass(frozen=True)
class Card:
    """A figure of the dashboard that opens the case list filtered to what it counts."""

    key: str
    label: str
    value: int
    url: str
    note: str = ""


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
            "may_register": may_run_intake(request.user),
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
    items, computed_at = _worklist_items(today=today, filters=filters, key=key)
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


def _stamped(kind: str, filters: dict[str, Any], compute: Callable[[], T]) -> T:
    """Per filter and language, kept under the data stamp and the day
    (cases.selectors.figures.kept_under_stamp)."""
    parts = (
        get_language(),
        filters["organisatie"].pk if filters["organisatie"] else "",
        filters["fase"] if filters["fase"] is not None else "",
        filters["regio"].pk if filters["regio"] else "",
    )
    return kept_under_stamp(kind, parts, compute)


def _results_html(request: HttpRequest, *, today: datetime.date, filters: dict[str, Any]) -> str:
    """The results region, from the cache while the data behind it is unchanged."""

    def render() -> str:
        context = dashboard_context(today=today, **filters)
        context["computed_at"] = timezone.localtime()
        context["filter_query"] = _filter_query(filters)
        return render_to_string("monitoring/dashboard_results.html", context, request=request)

    return _stamped("dashboard-results", filters, render)


def _filter_query(filters: dict[str, Any]) -> str:
    """The filters as the query string the dashboard's form would send."""
    values = {
        "organisatie": filters["organisatie"].code if filters["organisatie"] else None,
        "fase": filters["fase"],
        "regio": filters["regio"].code if filters["regio"] else None,
    }
    return urlencode({name: value for name, value in values.items() if value is not None})


def _worklist_items(
    *, today: datetime.date, filters: dict[str, Any], key: str
) -> tuple[list[Deadline], datetime.datetime]:
    """The items of one worklist (and when they were computed), kept under the same
    key rules as the results region: only the kinds it gathers are computed."""

    def compute() -> tuple[list[Deadline], datetime.datetime]:
        items = _deadlines_under(today=today, filters=filters, kinds=WORKLIST_KINDS[key])
        return items, timezone.localtime()

    return _stamped(f"dashboard-worklist-{key}", filters, compute)


def _deadlines_under(
    *, today: datetime.date, filters: dict[str, Any], kinds: tuple[DeadlineKind, ...] | None
) -> list[Deadline]:
    """The deadline items under the dashboard's filters."""
    case_ids = None
    if filters["fase"] is not None or filters["regio"] is not None:
        # A phase or region narrows to cases: the pool-level items (reviews, talks) drop out.
        case_ids = open_case_ids(phase=filters["fase"], region=filters["regio"])
    return deadlines(on=today, organisation=filters["organisatie"], case_ids=case_ids, kinds=kinds)


def _worklists(items: Sequence[Deadline]) -> dict[str, Worklist]:
    """The items sorted into their worklists in one pass, each keeping the order."""
    gathered: dict[str, list[Deadline]] = {key: [] for key in WORKLIST_KINDS}
    for item in items:
        gathered[WORKLIST_OF_KIND[item.kind]].append(item)
    return {
        key: Worklist(key, str(title), WorkItems(gathered[key])) for key, title, _kinds in WORKLISTS
    }


def _cards(
    *,
    per_phase: dict[int, int],
    flows: list[QuarterFlow],
    items: Sequence[Deadline],
    organisatie: Organisation | None,
    fase: int | None,
    regio: Region | None,
) -> list[Card]:
    """The figures as cards, each linking to the case list under the dashboard's
    filters (the list takes the ids of organisation and region)."""
    base = reverse("cases:list")
    scope = {
        "organisatie": organisatie.pk if organisatie else None,
        "regio": regio.pk if regio else None,
        "fase": fase,
    }

    def url(**params: Any) -> str:
        query = urlencode({k: v for k, v in {**scope, **params}.items() if v is not None})
        return f"{base}?{query}" if query else base

    # The overdue items come first (by due date): only they are walked.
    overdue_cases = {item.case_id for item in itertools.takewhile(_overdue, items) if item.case_id}
    cards = [Card("open", _("Lopende casussen"), sum(per_phase.values()), url())]
    cards += [
        Card(f"fase-{value}", str(Phase(value).label), n, url(fase=value))
        for value, n in per_phase.items()
    ]
    cards.append(
        Card(
            "verlopen",
            _("Casussen met iets verlopen"),
            len(overdue_cases),
            url(verlopen=1),
            _("UVO, evaluatie of uitstroomstap te laat"),
        )
    )
    if flows:
        cards.append(
            Card(
                "uitgestroomd",
                _("Uitstroom dit kwartaal"),
                flows[-1].outflow,
                url(uitgestroomd=1),
                _("naar alle uitgestroomde casussen"),
            )
        )
    return cards


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
    # Computed here, not kept apart: the results region is kept rendered (and a
    # worklist page keeps the items of its own kinds).
    items = _deadlines_under(
        today=today,
        filters={"organisatie": organisatie, "fase": fase, "regio": regio},
        kinds=None,
    )
    owners = {row.regisseur_id: row.name for row in overview.rows}
    worklists = list(_worklists(items).values())
    return {
        "today": today,
        "overview": overview,
        "new_cases_days": NEW_CASES_DAYS,
        "per_phase": [(Phase(value).label, n) for value, n in per_phase.items()],
        "flows": flows,
        "cards": _cards(
            per_phase=per_phase,
            flows=flows,
            items=items,
            organisatie=organisatie,
            fase=fase,
            regio=regio,
        ),
        "worklists": worklists,
        "pool_folded": pool_folded(overview),
        "pool_groups": overview.per_organisation() if pool_folded(overview) else [],
        "stuck_cases": stuck_cases(organisation=organisatie, phase=fase, region=regio),
        "worklist_owners": [(w, w.preview_by_owner(owners)) for w in worklists],
        "filtered": any(value is not None for value in (organisatie, fase, regio)),
        "charts": _charts(overview, per_phase, flows),
    }


def _caseload_bars(overview: PoolOverview) -> tuple[str, list[charts.Bar]]:
    """One bar per regisseur, or per organisation for a pool too big to read."""
    if not pool_folded(overview):
        return _("Caseload tegen capaciteit per regisseur"), [
            charts.Bar(f"{row.name} ({row.organisation})", row.total_cases, row.capacity)
            for row in overview.rows
        ]
    return _("Caseload tegen capaciteit per organisatie"), [
        charts.Bar(group.organisation, group.total_cases, group.capacity)
        for group in overview.per_organisation()
    ]


def pool_folded(overview: PoolOverview) -> bool:
    """A pool too big to read per regisseur: its table and caseload chart show one line
    per organisation, and the pool's own list holds each regisseur's caseload."""
    return len(overview.rows) > POOL_MAX_REGISSEURS_SHOWN


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
