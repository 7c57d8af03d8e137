"""The rhythm of cases as their records give it, computed apart from the triggers that
keep ``CaseRhythm``: what the kept rows must equal. Used by the PostgreSQL tests and
by the SQLite quick-start probe (``manage.py shell``)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from cases.models import Case, CaseRhythm, Evaluation, Meeting, PlanVersion
from cases.selectors.deadlines import UVO_KINDS

FIELDS = (
    "latest_uvo_on",
    "latest_adoption_on",
    "plan_in_force_id",
    "latest_monthly_evaluation_on",
    "latest_two_yearly_evaluation_on",
)


def _latest(queryset: Any, *order: str, field: str) -> Subquery:
    return Subquery(queryset.order_by(*order).values(field)[:1])


def from_records() -> dict[int, tuple[Any, ...]]:
    """Every case's rhythm computed from its meetings, plan versions and evaluations."""
    adopted = PlanVersion.objects.adopted().filter(case=OuterRef("pk"))
    evaluations = Evaluation.objects.filter(case=OuterRef("pk"))
    rows = Case.objects.values_list(
        "pk",
        _latest(
            Meeting.objects.filter(case=OuterRef("pk"), kind__in=UVO_KINDS),
            "-held_on",
            field="held_on",
        ),
        _latest(adopted, "-adopted_on", field="adopted_on"),
        _latest(adopted, "-adopted_on", "-number", field="pk"),
        _latest(evaluations.filter(kind=Evaluation.Kind.MONTHLY), "-held_on", field="held_on"),
        _latest(evaluations.filter(kind=Evaluation.Kind.TWO_YEARLY), "-held_on", field="held_on"),
    )
    return {pk: tuple(values) for pk, *values in rows}


def kept() -> dict[int, tuple[Any, ...]]:
    """Every case's rhythm as the database keeps it; a case without a row has none of
    the records, so its values are all empty."""
    stored = {pk: tuple(values) for pk, *values in CaseRhythm.objects.values_list("pk", *FIELDS)}
    empty = (None,) * len(FIELDS)
    return {pk: stored.pop(pk, empty) for pk in Case.objects.values_list("pk", flat=True)} | {
        pk: ("row of a case that does not exist", *values) for pk, values in stored.items()
    }
