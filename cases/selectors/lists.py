"""Reads behind the case list's filters and the main menu's badges: which cases have an
overdue item, how many items of one's own are overdue, how many exit proposals wait.

Overdue is what the deadline selector (cases/selectors/deadlines.py) says it is, never
a rule of its own here. Over all cases that takes seconds at 10,000 cases, so the ids
are kept in the shared cache under the data stamp (``figures_version``), as the
dashboard keeps its figures: any change behind them gives a new stamp, so the list
never shows yesterday's answer. Case ids and counts only: no person data is cached.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet

from kernel.compiled import CompiledQuery
from pool.models import Regisseur

from ..models import Case, CaseStatus, ExitProcedure, ExitStatus, SavedCaseView
from .deadlines import deadlines
from .figures import kept_under_stamp

# The case list's query-string parameters (cases/filters.py): a saved selection keeps
# these and nothing else.
LIST_PARAMETERS = (
    "fase",
    "status",
    "organisatie",
    "regio",
    "regisseur",
    "verlopen",
    "uitgestroomd",
    "sorteer",
)


def overdue_case_ids(*, on: datetime.date) -> frozenset[int]:
    """Ids of the open cases with at least one item overdue on ``on``."""
    return kept_under_stamp(
        "overdue-case-ids",
        (on.isoformat(),),
        lambda: frozenset(
            item.case_id
            for item in deadlines(on=on, horizon_days=0)
            if item.overdue and item.case_id is not None
        ),
    )


def overdue_items_of(regisseur: Regisseur, *, on: datetime.date) -> int:
    """How many items of the cases ``regisseur`` directs or is buddy on are overdue on
    ``on``: the badge on "Mijn casussen". A fixed number of queries."""
    return sum(
        1
        for item in deadlines(on=on, horizon_days=0, regisseur=regisseur, include_buddy=True)
        if item.overdue and item.case_id is not None
    )


def exit_proposals_waiting(status: ExitStatus) -> int:
    """How many exit proposals of open cases wait in ``status``: for ITAT-R's advice
    (open) or PTO-R's decision (advised). One query."""
    return ExitProcedure.objects.filter(status=status, case__status=CaseStatus.IN_REGIE).count()


def cases_with_exit_waiting(cases: QuerySet[Case], status: ExitStatus) -> QuerySet[Case]:
    """Those of ``cases`` in regie whose exit proposal waits in ``status``: for ITAT-R's
    advice (open) or PTO-R's decision (advised), as the badges count them."""
    waiting = ExitProcedure.objects.filter(case=OuterRef("pk"), status=status)
    return cases.filter(Exists(waiting), status=CaseStatus.IN_REGIE)


def saved_views_of(user) -> list[SavedCaseView]:
    """The selections of the case list ``user`` saved, by name. Asked on every page of
    the case list: compiled once per process (kernel/compiled.py)."""
    return _SAVED_VIEWS.instances(user=user)


_SAVED_VIEWS: CompiledQuery[SavedCaseView] = CompiledQuery(
    lambda user: SavedCaseView.objects.filter(user=user).order_by("name", "pk")
)
