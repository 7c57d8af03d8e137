"""Reads of the monitoring app: the kwartaalmonitor's figures, the monitor runs and
a user's notifications.

The figures are counted from a snapshot of the approach at the end of the quarter
(monitoring/figures/asof.py, docs/rules.md R-MON-3) with the deadline selector's own
rules, and in- and outflow from the dated records (cases/selectors/figures.py), so a
past quarter gives the same figures whenever it is made and the running quarter counts
as the dashboard does. Nothing here identifies a person: the monitor holds aggregates
only. The counts are raw; every breakdown is suppressed as a table when the monitor is
printed (monitoring/suppression.py, docs/rules.md R-MON-4).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any, NamedTuple, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation
from cases.access import visible_case_ids
from cases.models import (
    Phase,
    PlanVersion,
)
from cases.permissions import may_decide_exits, may_review_emergency_access
from cases.selectors import figures as case_figures
from cases.selectors.deadlines import Deadline, DeadlineKind, deadlines
from kernel.compiled import CompiledPerShape, CompiledQuery
from kernel.dates import moment_shown
from kernel.labels import label_of
from kernel.quarters import Quarter
from pool.models import CaseloadReview, Region, ThreeWayTalk
from pool.permissions import may_manage_pool

from .figures.asof import Snapshot, partner_cases_on, snapshot_on
from .figures.caseload import band_counts, roster_printed
from .models import DEFAULT_CHANNEL, Monitor, MonitorKind, Notification, NotificationPreference
from .permissions import may_read_monitors, may_receive_notifications, may_start_monitor
from .suppression import SUPPRESSED as SUPPRESSED
from .suppression import THRESHOLD, shown

SUPPRESSION_THRESHOLD = THRESHOLD
TREND_QUARTERS = 6
PHASES = [int(phase) for phase in Phase]


def suppress(count: int) -> int | str:
    """A count with nothing adding up to it, as it may be printed: 1 to 4 cases can
    point at a person, so they read '<5'. Counts in a table with totals go through
    monitoring.suppression.suppress_table, which also keeps them from being computed
    back from the totals (docs/rules.md R-MON-4)."""
    return shown(count)


def percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- the kwartaalmonitor ---------------------------------------------------------


def monitor_figures(
    *, quarter: Quarter, on: datetime.date | None = None, trend_quarters: int = TREND_QUARTERS
) -> dict[str, Any]:
    """Everything the monitor of ``quarter`` prints, JSON-ready (stored with each run,
    so a past monitor can be reproduced exactly). Aggregates only: the monitor is for
    the PTO-R, so no case is listed, not even by its number.

    ``on`` is the reference day of the "now" figures (caseload, phases, items due):
    the quarter's last day, or today while the quarter runs. They are counted as
    the approach stood at the end of that day (monitoring/figures/asof.py), so a
    monitor of a past quarter is the same whenever it is made.
    """
    reference = on or min(quarter.end, timezone.localdate())
    snapshot = snapshot_on(reference)
    overview = snapshot.pool
    # A pool too large for a roster is counted in bands of caseload (R-MON-6): no
    # regisseur is named, not even those over their maximum.
    roster = roster_printed(overview.rows)
    organisations = {org.pk: org for org in Organisation.objects.all()}
    progress = _progress(snapshot)

    per_phase = Counter(case.phase for case in snapshot.cases.values())
    flows = case_figures.flow_per_quarter(
        start=quarter.last(trend_quarters)[0].start, end=quarter.end
    )
    this_quarter = flows[-1]
    total = progress[ALL]
    in_quarter = {"held_on__gte": quarter.start, "held_on__lte": quarter.end}

    summary = {
        "open_cases": sum(per_phase.values()),
        "per_phase": {str(phase): per_phase.get(phase, 0) for phase in PHASES},
        "inflow": this_quarter.inflow,
        "outflow": this_quarter.outflow,
        "outflow_by_ground": _grounds(this_quarter.outflow_by_ground),
        "regisseurs": overview.regisseur_count,
        "fte": f"{overview.total_fte:.1f}",
        "capacity": overview.total_capacity,
        "caseload": overview.total_cases,
        "free_places": overview.free_places,
        "over_capacity": [row.name for row in overview.over_capacity] if roster else [],
        "uvo": {
            "phase2_cases": per_phase.get(Phase.EXECUTION, 0),
            "on_time": total["uvo_on_time"],
            "percentage": percentage(total["uvo_on_time"], per_phase.get(Phase.EXECUTION, 0)),
        },
        "plans": {
            "adopted_in_quarter": PlanVersion.objects.adopted()
            .filter(
                adopted_on__gte=quarter.start,
                adopted_on__lte=quarter.end,
            )
            .count(),
            "running": total["plans_running"],
            "evaluated_on_time": total["plans_evaluated_on_time"],
            "percentage": percentage(total["plans_evaluated_on_time"], total["plans_running"]),
        },
        "caseload_reviews_held": CaseloadReview.objects.filter(**in_quarter).count(),
        "caseload_reviews_overdue": snapshot.pool_overdue[DeadlineKind.CASELOAD_REVIEW],
        "three_way_talks_held": ThreeWayTalk.objects.filter(**in_quarter).count(),
        "three_way_talks_overdue": snapshot.pool_overdue[DeadlineKind.THREE_WAY_TALK],
        "interventions_overdue": total["interventions_overdue"],
        "uvo_actions_overdue": total["uvo_actions_overdue"],
    }
    regisseurs = [
        {
            "name": row.name,
            "organisation": row.organisation,
            "fte": f"{row.fte:.1f}",
            "capacity": row.capacity,
            "cases": row.total_cases,
            "buddy_cases": row.buddy_cases,
            "free_places": row.free_places,
            "over_capacity": row.over_capacity,
        }
        for row in (overview.rows if roster else ())
    ]
    return {
        "quarter": quarter.code,
        "period": {"start": quarter.start.isoformat(), "end": quarter.end.isoformat()},
        "reference_date": reference.isoformat(),
        "summary": summary,
        "regisseurs": regisseurs,
        "roster_printed": roster,
        "kernpartners": _kernpartners(
            overview, organisations, progress, quarter, snapshot, roster=roster
        ),
        "regions": _regions(snapshot),
        "trend": [
            {"quarter": flow.quarter.code, "inflow": flow.inflow, "outflow": flow.outflow}
            for flow in flows
        ],
    }


# The key of the whole approach in ``_progress``'s answer (organisations are keyed by id).
ALL = "all"


def _progress(snapshot: Snapshot) -> dict[int | str | None, Counter[str]]:
    """How the work on the open cases kept to its rhythm at the end of the snapshot's
    day, by the deadline selector's rules, per organisation of the case's regisseur and
    for all (``ALL``):

    - ``uvo_on_time``: phase-2 cases whose two-monthly UVO is not overdue (every
      phase-2 case has exactly one UVO item);
    - ``plans_running``: cases with an adopted plan running (each has one monthly
      evaluation item), ``plans_evaluated_on_time``: those whose evaluation is not overdue;
    - ``interventions_overdue``: interventions of the plans in force past their term
      (docs/rules.md R-CASE-6), ``uvo_actions_overdue``: actions agreed in an UVO not done
      by their date.
    """
    progress: dict[int | str | None, Counter[str]] = defaultdict(Counter)

    def count(case_id: int, **counts: int) -> None:
        organisation = snapshot.organisation_of(snapshot.cases[case_id])
        for key in (ALL, organisation):
            progress[key].update(counts)

    for case_id, kind, due_on in snapshot.case_items:
        on_time = int(not snapshot.overdue(due_on))
        if kind == DeadlineKind.UVO:
            count(case_id, uvo_on_time=on_time)
        elif kind == DeadlineKind.PLAN_EVALUATION:
            count(case_id, plans_running=1, plans_evaluated_on_time=on_time)
    for case_id, n in snapshot.interventions_overdue.items():
        count(case_id, interventions_overdue=n)
    for case_id, n in snapshot.actions_overdue.items():
        count(case_id, uvo_actions_overdue=n)
    return progress


def _grounds(by_ground) -> list[dict[str, Any]]:
    labels = case_figures.exit_ground_labels()
    return [
        {"ground": labels[ground], "count": count}
        for ground, count in sorted(by_ground.items(), key=lambda item: item[0] or "~")
        if count
    ]


def _kernpartners(
    overview, organisations, progress, quarter, snapshot, *, roster: bool
) -> list[dict[str, Any]]:
    """A section per kernpartner: every kernpartner, and every other organisation that
    supplies regisseurs. Its regisseurs' capacity and caseload, its open cases (by
    the regisseur's organisation, counted as the dashboard counts them) and how their
    work keeps its rhythm, and the open cases it works on as intervention partner
    (the kernpartners answer for all cases together, not for their own regisseurs'
    alone: docs/rules.md R-MON-5). Its regisseurs over their maximum are named while
    the roster is printed (``roster``); its regisseurs per band of caseload are counted
    always (R-MON-6). Raw counts: the PDF suppresses them table by table
    (monitoring/suppression.py)."""
    rows_by_org: dict[int, list] = defaultdict(list)
    by_name = {org.name: org for org in organisations.values()}
    for row in overview.rows:
        rows_by_org[by_name[row.organisation].pk].append(row)
    per_phase_by_org: dict[int | None, Counter[int]] = defaultdict(Counter)
    for case in snapshot.cases.values():
        per_phase_by_org[snapshot.organisation_of(case)][case.phase] += 1
    partner_cases = partner_cases_on(snapshot.day, snapshot.cases)
    members = [
        org
        for org in organisations.values()
        if org.is_kernpartner or org.pk in rows_by_org or per_phase_by_org.get(org.pk)
    ]
    sections = []
    for organisation in sorted(members, key=lambda org: org.name):
        pool_rows = rows_by_org.get(organisation.pk, [])
        phases: Counter[int] = per_phase_by_org.get(organisation.pk, Counter())
        done = progress[organisation.pk]
        # Two queries per kernpartner: their number grows with the partners, not the cases.
        [flow] = case_figures.flow_per_quarter(
            start=quarter.start, end=quarter.end, organisation=organisation
        )
        sections.append(
            {
                "organisation": organisation.name,
                "regisseurs": len(pool_rows),
                "fte": f"{sum((row.fte for row in pool_rows), Decimal(0)):.1f}",
                "capacity": sum(row.capacity for row in pool_rows),
                "caseload": sum(row.total_cases for row in pool_rows),
                "over_capacity": [row.name for row in pool_rows if row.over_capacity]
                if roster
                else [],
                "bands": band_counts(pool_rows),
                "cases": sum(phases.values()),
                "per_phase": {str(p): phases.get(p, 0) for p in PHASES},
                "inflow": flow.inflow,
                "outflow": flow.outflow,
                "phase2_cases": phases.get(Phase.EXECUTION, 0),
                "uvo_on_time": done["uvo_on_time"],
                "plans_running": done["plans_running"],
                "plans_evaluated_on_time": done["plans_evaluated_on_time"],
                "interventions_overdue": done["interventions_overdue"],
                "uvo_actions_overdue": done["uvo_actions_overdue"],
                "partner_cases": partner_cases.get(organisation.pk, 0),
            }
        )
    return sections


def _regions(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Open cases per region and phase, raw (suppressed as one table in the PDF)."""
    names: dict[int | None, str] = dict(Region.objects.values_list("pk", "name"))
    per_region: dict[int, Counter[int]] = defaultdict(Counter)
    for case in snapshot.cases.values():
        per_region[case.region_id][case.phase] += 1
    rows = [(names.get(region_id, ""), phases) for region_id, phases in per_region.items()]
    return [
        {
            "region": name,
            "cases": sum(phases.values()),
            "per_phase": {str(p): phases.get(p, 0) for p in PHASES},
        }
        for name, phases in sorted(rows, key=lambda row: row[0])
    ]


# --- runs and notifications --------------------------------------------------------


class MonitorLine(TypedDict):
    """One run as its table row shows it, written out (the row is read 24 times and
    more on the list; a model's choice labels, period and date filter per row cost
    more than the rest of the page). The list and the status fragment share the row."""

    pk: int
    title: str  # kind and period: "Kwartaalmonitor 2026 K3"
    version: str
    status: str  # the stored value, for the row's style
    status_label: str
    error: str
    failed: bool
    ready: bool
    finished: bool
    requested_at: str
    requested_by: str | None
    generated_at: str | None


def monitor_line(monitor: Monitor) -> MonitorLine:
    """The run as its row shows it. No queries (with ``requested_by`` selected)."""
    requested_by = monitor.requested_by
    return MonitorLine(
        pk=monitor.pk,
        title=f"{label_of(MonitorKind(monitor.kind))} {monitor.period}",
        version=str(monitor.version),
        status=monitor.status,
        status_label=label_of(Monitor.Status(monitor.status)),
        error=monitor.error,
        failed=monitor.has_failed,
        ready=monitor.is_ready,
        finished=monitor.is_finished,
        requested_at=moment_shown(monitor.requested_at),
        requested_by=None if requested_by is None else str(requested_by),
        generated_at=None if monitor.generated_at is None else moment_shown(monitor.generated_at),
    )


def _monitors_of_kinds(kinds: list[str]) -> QuerySet[Monitor]:
    return (
        Monitor.objects.filter(kind__in=kinds)
        .select_related("requested_by")
        .only(
            "kind",
            "period_code",
            "version",
            "status",
            "error",
            "requested_at",
            "generated_at",
            "requested_by__first_name",
            "requested_by__last_name",
            "requested_by__username",
        )
        .order_by("-requested_at", "-pk")
    )


# Built by the ORM, the query cost more Python than its 24 rows (kernel/compiled.py).
_MONITORS_OF_KINDS = CompiledPerShape(_monitors_of_kinds)


def monitors_for_list(*, kinds: list[str]) -> list[MonitorLine]:
    """Every run of these kinds, newest request first, with who started it; read with
    only the columns its row shows: never the figures (hundreds of kB of JSON per run
    to read and decode), nor the starter's password hash. One query."""
    return [monitor_line(monitor) for monitor in _MONITORS_OF_KINDS.instances(kinds=list(kinds))]


def monitor_by_id(monitor_id: int) -> Monitor:
    """Raises Monitor.DoesNotExist."""
    return Monitor.objects.select_related("requested_by").get(pk=monitor_id)


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notifications in the app, unread first, newest first."""
    return Notification.objects.filter(user=user, in_app=True).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def _counts_of(user: Any) -> QuerySet[Any]:
    """How many notifications the user has in the app and how many of them are unread,
    grouped by the user: a row only when there is one."""
    return (
        Notification.objects.filter(user=user, in_app=True)
        .values("user")
        .annotate(total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
        .values("total", "unread")
    )


_COUNTS: CompiledQuery[Any] = CompiledQuery(_counts_of)


class NotificationPage(NamedTuple):
    page: Page[int]  # the places on the page, for the paging links
    notifications: list[Notification]
    unread: int


def notification_page(user, number: str | None, *, per_page: int) -> NotificationPage:
    """Page ``number`` of the user's notifications in the app (``notifications_of``'s
    order; the last page when out of range), and how many are unread. The paginator
    counts from the same compiled query as the unread ones; the page's notifications
    are read only when there are any."""
    rows = _COUNTS.rows(user=user)
    total, unread = rows[0] if rows else (0, 0)
    page = Paginator(range(total), per_page).get_page(number)
    places = page.object_list
    notifications = list(notifications_of(user)[places[0] : places[-1] + 1]) if len(places) else []
    return NotificationPage(page=page, notifications=notifications, unread=unread)


def _unread_of(user: Any) -> QuerySet[Any]:
    """The count of the user's unread notifications, grouped by the user: a row only
    when there is something unread."""
    return (
        Notification.objects.filter(user=user, in_app=True, read_at__isnull=True)
        .values("user")
        .annotate(unread=Count("id"))
        .values("unread")
    )


# Asked on every page (the menu's badge): compiled once per process (kernel/compiled.py).
_UNREAD: CompiledQuery[Any] = CompiledQuery(_unread_of)


def unread_notification_count(user) -> int:
    rows = _UNREAD.rows(user=user)
    return rows[0][0] if rows else 0


def _responsible_for(user_id: int, computed: list[Deadline]) -> list[Deadline]:
    return [item for item in computed if user_id in item.responsible_user_ids]


def notification_kinds_for(user) -> list[str]:
    """The kinds of notification ``user`` can get, so the kinds he or she chooses a
    channel for: reminders for everyone who gets notifications, news of a monitor for
    its readers who do not make monitors (monitor_readers_to_tell), emergency accesses
    for those who review them."""
    if not may_receive_notifications(user):
        return []
    kinds: list[str] = [Notification.Kind.REMINDER]
    if may_read_monitors(user) and not may_start_monitor(user):
        kinds.append(Notification.Kind.MONITOR_READY)
    if may_review_emergency_access(user):
        kinds.append(Notification.Kind.EMERGENCY_ACCESS)
    return kinds


def notification_channels_of(user) -> dict[str, str]:
    """The user's channel per kind he or she can get (the default where none was chosen)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in notification_kinds_for(user)}


def deadlines_due_for(user, *, on: datetime.date) -> list[Deadline]:
    """What is due or overdue for ``user`` now, computed live from the deadline selector
    (so also before any daily reminder ran): the items he or she is responsible for,
    on cases he or she may see. An exit proposal waiting for PTO-R counts for those
    who decide exits, who see those proposals by case number on their own page
    without seeing the cases. Pool-level items (caseload review, three-way talk) are
    the user's when responsible. A fixed number of queries: the selector's four and
    one for the visible cases. Outside the programme team and PTO-R, who answer for
    items of any case, only the cases the user directs or stands in for and the
    regisseurs he is or manages are computed, and kept under the data stamp."""
    if may_manage_pool(user) or may_decide_exits(user):
        items = _responsible_for(user.pk, deadlines(on=on))
    else:
        # Kept under the data stamp per user, day and language (a label holds a translated
        # kind): the page read again while nothing behind it changed asks one query for
        # the stamp instead of the selector's. Who may see which case is checked below,
        # every time.
        items = case_figures.kept_under_stamp(
            "due-for",
            (user.pk, on.isoformat(), get_language()),
            lambda: _responsible_for(user.pk, deadlines(on=on, directed_by=user.pk)),
        )
    visible = visible_case_ids(user, {item.case_id for item in items if item.case_id is not None})
    decides_exits = may_decide_exits(user)
    return [
        item
        for item in items
        if item.case_id is None
        or item.case_id in visible
        or (decides_exits and item.kind == DeadlineKind.EXIT_DECISION)
    ]
