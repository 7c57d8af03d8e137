"""django-filter filters of the list endpoints."""

from __future__ import annotations

import django_filters

from cases.models import Case, Meeting, PlanVersion


class CaseFilter(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Case
        fields = ["status", "phase", "regisseur", "buddy", "number"]


class CaseChildFilter(django_filters.FilterSet):
    """For everything that belongs to a case: ``?case=<id>``."""

    case = django_filters.NumberFilter(field_name="case_id")


class PlanVersionFilter(CaseChildFilter):
    class Meta:
        model = PlanVersion
        fields = ["case", "status"]


class MeetingFilter(CaseChildFilter):
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")

    class Meta:
        model = Meeting
        fields = ["case", "kind"]
