"""django-filter filters of the list endpoints."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db import models
from django_filters.fields import IsoDateTimeField

from cases.models import Case, Meeting, PlanVersion

ID_MAX = 2**63 - 1


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """A comma-separated list of ids; each a positive bigint, else 400 (never a 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, taken in UTC. Python accepts offsets up to a day that
    PostgreSQL refuses (beyond 15:59), and a moment near the year 9999 may not fit in
    UTC: the first is converted, the second is invalid input (400, never a 500)."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class CaseFilter(django_filters.FilterSet):
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    id__in = NumberInFilter(field_name="id", lookup_expr="in")

    class Meta:
        model = Case
        fields = ["status", "phase", "regisseur", "buddy", "number"]


class CaseChildFilter(django_filters.FilterSet):
    """For everything that belongs to a case: ``?case=<id>``, or of several cases at
    once, ``?case__in=<id>,<id>`` (a sync client fetching the cases the feed named)."""

    case = django_filters.NumberFilter(field_name="case_id")
    case__in = NumberInFilter(field_name="case_id", lookup_expr="in")


def case_child_filter(model: type[models.Model]) -> type[CaseChildFilter]:
    """The case filters for a model with nothing else to filter on."""
    meta = type("Meta", (), {"model": model, "fields": ["case"]})
    return type(f"{model.__name__}Filter", (CaseChildFilter,), {"Meta": meta})


class PlanVersionFilter(CaseChildFilter):
    class Meta:
        model = PlanVersion
        fields = ["case", "status"]


class MeetingFilter(CaseChildFilter):
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")

    class Meta:
        model = Meeting
        fields = ["case", "kind"]
