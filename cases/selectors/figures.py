"""Aggregated case figures for the dashboard and the kwartaalmonitor: no person data.

Counting happens in SQL (GROUP BY), in a fixed number of queries whatever the
number of cases: one for the cases per phase (also grouped per organisation or
region), two for the flow per quarter.

- *Inflow* of a quarter: cases registered (aangemeld) in it.
- *Outflow* of a quarter: cases that exited in it, split by the ground of the exit
  procedure PTO-R approved (a case exited without one counts under ``None``).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache, caches
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext
from redis.exceptions import RedisError

from accounts.models import Organisation
from kernel.prepared import execute_text
from kernel.quarters import Quarter, quarters_between
from pool.models import Region

from ..models import OPEN_STATUSES, Case, ExitGround, ExitProcedure, Phase

T = TypeVar("T")
logger = logging.getLogger(__name__)
# How long a computation kept under the data stamp lives at most (``kept_under_stamp``).
STAMPED_CACHE_SECONDS = 600
# Each process also keeps what it read under the stamp in its own memory (the cache
# ``stamped``, settings CACHES), for at most this long: an answer found there costs no
# round trip to the shared cache (0.09 ms of CPU and 0.13 ms in all on every page that
# shows the menu's badges, twice on "mijn casussen").
STAMPED_LOCAL_CACHE = "stamped"
STAMPED_LOCAL_SECONDS = 60


@dataclasses.dataclass(frozen=True)
class QuarterFlow:
    quarter: Quarter
    inflow: int
    outflow: int
    outflow_by_ground: Mapping[str | None, int]  # ExitGround value (None: no approved procedure)


def _scope(*, organisation: Organisation | None, region: Region | None, prefix: str = "") -> Q:
    condition = Q()
    if organisation is not None:
        condition &= Q(**{f"{prefix}regisseur__organisation": organisation})
    if region is not None:
        condition &= Q(**{f"{prefix}region": region})
    return condition


def cases_per_phase(
    *,
    organisation: Organisation | None = None,
    region: Region | None = None,
    phase: int | None = None,
) -> dict[int, int]:
    """Open cases per phase (every phase present, zero when none), one query."""
    condition = Q(status__in=OPEN_STATUSES) & _scope(organisation=organisation, region=region)
    if phase is not None:
        condition &= Q(phase=phase)
    counts = dict(
        Case.objects.filter(condition)
        .order_by()
        .values("phase")
        .annotate(n=Count("pk"))
        .values_list("phase", "n")
    )
    return {value: counts.get(value, 0) for value in Phase.values}


def open_case_ids(*, phase: int | None = None, region: Region | None = None) -> list[int]:
    """Ids of the open cases in ``phase`` and ``region`` (either may be None), one query."""
    cases = Case.objects.open()
    if phase is not None:
        cases = cases.filter(phase=phase)
    if region is not None:
        cases = cases.filter(region=region)
    return list(cases.order_by().values_list("pk", flat=True))


def flow_per_quarter(
    *,
    start: datetime.date,
    end: datetime.date,
    organisation: Organisation | None = None,
    region: Region | None = None,
) -> list[QuarterFlow]:
    """Inflow and outflow (by exit ground) for each quarter from ``start`` to ``end``,
    quarters without any movement included; two queries."""
    quarters = quarters_between(start, end)
    scope = _scope(organisation=organisation, region=region)
    first, last = quarters[0].start, quarters[-1].end
    inflow = dict(
        Case.objects.filter(scope, registered_on__range=(first, last))
        .order_by()
        .annotate(quarter=TruncQuarter("registered_on"))
        .values("quarter")
        .annotate(n=Count("pk"))
        .values_list("quarter", "n")
    )
    outflow: dict[datetime.date, dict[str | None, int]] = {}
    rows = (
        Case.objects.filter(scope, exited_on__range=(first, last))
        .order_by()
        .annotate(quarter=TruncQuarter("exited_on"), ground=approved_exit_ground())
        .values("quarter", "ground")
        .annotate(n=Count("pk"))
        .values_list("quarter", "ground", "n")
    )
    for quarter_start, ground, n in rows:
        outflow.setdefault(quarter_start, {})[ground] = n
    flows = []
    for quarter in quarters:
        by_ground = outflow.get(quarter.start, {})
        flows.append(
            QuarterFlow(
                quarter=quarter,
                inflow=inflow.get(quarter.start, 0),
                outflow=sum(by_ground.values()),
                outflow_by_ground=by_ground,
            )
        )
    return flows


def approved_exit_ground(*, decided_by: datetime.date | None = None) -> Subquery:
    """The ground of the exit PTO-R approved for each case (in a queryset of cases; None
    for a case that exited without a procedure on record); with ``decided_by``, only a
    decision taken on or before that day counts."""
    approved = ExitProcedure.objects.filter(
        case=OuterRef("pk"), status=ExitProcedure.Status.APPROVED
    )
    if decided_by is not None:
        approved = approved.filter(decided_on__lte=decided_by)
    return Subquery(approved.order_by("-decided_on").values("ground")[:1])


def exit_ground_labels() -> dict[str | None, str]:
    """Display labels of the exit grounds, plus the one for exits without a procedure."""
    return {**{value: str(label) for value, label in ExitGround.choices}, None: gettext("Onbekend")}


# What the dashboard's figures, pool table and worklists are computed from.
_FIGURE_SOURCES = (
    "cases.Case",
    "cases.Assignment",
    "cases.Meeting",
    "cases.Evaluation",
    "cases.PlanVersion",
    # Intervention terms and open UVO actions are deadlines too (cases/selectors/deadlines.py).
    "cases.Intervention",
    "cases.MeetingAction",
    "cases.ExitProcedure",
    "cases.ItatAdvice",
    "cases.Assessment",
    "cases.Escalation",
    "cases.EscalationStep",
    "pool.Regisseur",
    "pool.Absence",
    "pool.CaseloadReview",
    "pool.ThreeWayTalk",
)


# The stamp's query is prepared once per PostgreSQL connection (kernel/prepared.py):
# planning its 32 look-ups cost several times more than running them.
STAMP_STATEMENT = "ipgar_figures_stamp"


@functools.cache
def _stamp_sql() -> str:
    """The highest id of each source table and of its history event table, in one row."""
    parts = []
    for label in _FIGURE_SOURCES:
        model = apps.get_model(label)
        event = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
        # Table names come from the models, never from input.
        parts.append(f"(SELECT max(id) FROM {model._meta.db_table})")  # noqa: S608
        parts.append(f"(SELECT max(pgh_id) FROM {event._meta.db_table})")  # noqa: S608
    return f"SELECT {', '.join(parts)}"


# The stamp read once in a request that changes nothing (``stamp_read_once``).
_READ_ONCE: ContextVar[list[tuple[int, ...]] | None] = ContextVar("figures_stamp", default=None)


@contextmanager
def stamp_read_once() -> Iterator[None]:
    """Inside, ``figures_version`` queries the database the first time only. For a
    request that writes nothing behind the figures (a GET or HEAD: the menu's badges,
    the dashboard and the lists each ask for the stamp, and their answers then belong to
    one moment of the data). A request that changes data reads it after the change."""
    token = _READ_ONCE.set([])
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def figures_version() -> tuple[int, ...]:
    """A stamp that changes whenever data behind the figures changes, in one query
    of index-only look-ups: the highest id of each source table (an insert, also a
    bulk one) and of its django-pghistory event table (every insert and update
    through any code path writes an event there, by trigger). Callers cache
    computed figures under it: a changed stamp is a different cache entry.
    Deletions write no event; the services delete none of these rows."""
    read_once = _READ_ONCE.get()
    if read_once:
        return read_once[0]
    sql = _stamp_sql()
    with connection.cursor() as cursor:
        cursor.execute(execute_text(connection, STAMP_STATEMENT, sql) or sql)
        row = cursor.fetchone()
    stamp = tuple(value or 0 for value in row)
    if read_once is not None:
        read_once.append(stamp)
    return stamp


def kept_under_stamp(kind: str, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept in the shared cache per ``kind``, ``parts`` and day under
    the data stamp (``figures_version``): any insert or update behind the figures
    gives a new key, so nobody reads an answer older than the data. The one way
    figures are cached (dashboard, worklists, menu badges, overdue cases, what each
    case has due next). The process keeps a copy of each answer it reads for
    STAMPED_LOCAL_SECONDS under the same key, so it asks the shared cache once for
    it: a key never holds another answer, only the names shown with some figures
    (not in the stamp) can be older, by at most STAMPED_CACHE_SECONDS plus that.
    When the shared cache is unreachable the answer is computed (and kept by the
    process), never refused. Case ids, counts and rendered figures only: no person
    data."""
    stamp = "-".join(map(str, figures_version()))
    key = ":".join(map(str, (kind, *parts, timezone.localdate().isoformat(), stamp)))
    local = caches[STAMPED_LOCAL_CACHE]
    cached = local.get(key)
    if cached is not None:
        return cached
    try:
        cached = cache.get(key)
    except RedisError:
        logger.warning("%s computed without the cache (unreachable).", kind)
        cached = compute()
        local.set(key, cached, STAMPED_LOCAL_SECONDS)
        return cached
    if cached is None:
        cached = compute()
        try:
            cache.set(key, cached, STAMPED_CACHE_SECONDS)
        except RedisError:
            logger.warning("%s not kept: the cache is unreachable.", kind)
    local.set(key, cached, STAMPED_LOCAL_SECONDS)
    return cached
