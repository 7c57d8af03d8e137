"""The filters and sort order of the programme team's case list (django-filter), read
from the query string. The parameter names are fixed: the dashboard's cards and the
saved selections link to the list with them (``LIST_PARAMETERS``).

- ``fase`` (1-3), ``status`` (a case status, or an exit proposal waiting for ITAT-R or
  PTO-R), ``organisatie``, ``regio`` and ``regisseur`` (ids);
- ``verlopen=1``: cases with an item overdue today (the deadline selector's answer);
- ``uitgestroomd=1``: exited cases too (hidden unless asked for, or ``status`` asks);
- ``sorteer``: a column (``SORT_FIELDS``), ``-column`` for descending.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

import django_filters
import django_filters.fields
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from accounts.selectors import ORGANISATIONS_BY_NAME, organisations_by_name
from kernel.forms import ChoicesReadAtOnce, ShortModelChoiceField
from pool.models import Regisseur
from pool.selectors import REGIONS_BY_NAME, regions_by_name

from .models import Case, CaseStatus, ExitStatus, Phase
from .selectors.cases import cases_of_regisseur, cases_of_regisseur_read
from .selectors.lists import LIST_PARAMETERS as LIST_PARAMETERS
from .selectors.lists import cases_with_exit_waiting, overdue_case_ids

# The statuses of an exit proposal the list filters on, beside the case's own status.
WAITING_FOR_ITAT_R = "wacht_op_itat_r"
WAITING_FOR_PTO_R = "wacht_op_pto_r"
WAITING = {WAITING_FOR_ITAT_R: ExitStatus.OPEN, WAITING_FOR_PTO_R: ExitStatus.ADVISED}
STATUS_CHOICES = [
    *CaseStatus.choices,
    (WAITING_FOR_ITAT_R, _("Uitstroomvoorstel wacht op advies ITAT-R")),
    (WAITING_FOR_PTO_R, _("Uitstroomvoorstel wacht op besluit PTO-R")),
]
# The selections every user of the list is offered, beside his or her own.
DEFAULT_VIEWS = (
    (_("Wacht op ITAT-R"), f"status={WAITING_FOR_ITAT_R}"),
    (_("Fase 3"), f"fase={Phase.EXIT.value}"),
    (_("Verlopen"), "verlopen=1"),
)
# Column (as the query string names it) -> the field it sorts on.
SORT_FIELDS = {
    "nummer": "number",
    "regio": "region__name",
    "fase": "phase",
    "status": "status",
    "regisseur": "regisseur__user__last_name",
    "buddy": "buddy__user__last_name",
    "fase_sinds": "phase_since",
}


class _RegisseurChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user)


class _RegisseurFilter(django_filters.ModelChoiceFilter):
    field_class = _RegisseurChoice


class _Ordering(django_filters.OrderingFilter):
    """A sort on one column, then the case number: a stable order for the pages."""

    def filter(self, qs: QuerySet[Case], value: Any) -> QuerySet[Case]:
        if value in EMPTY_VALUES:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value), "number")


class _ShortChoiceIterator(django_filters.fields.ModelChoiceIterator, ChoicesReadAtOnce):
    """The choices of a short list (regions, organisations) read in one plain query
    (kernel/forms.py), by the field's compiled query, with django-filter's choice for
    "none" after the empty one."""


class _ShortChoiceField(django_filters.fields.ModelChoiceField, ShortModelChoiceField):
    iterator = _ShortChoiceIterator


class _ShortChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ShortChoiceField


def _regisseurs() -> QuerySet[Regisseur]:
    return Regisseur.objects.select_related("user").order_by("user__last_name", "pk")


class CaseListFilter(django_filters.FilterSet):
    fase = django_filters.ChoiceFilter(
        field_name="phase", label=_("Fase"), choices=Phase.choices, empty_label=_("Alle fasen")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Alle statussen"),
    )
    organisatie = _ShortChoiceFilter(
        field_name="regisseur__organisation",
        label=_("Organisatie regisseur"),
        queryset=organisations_by_name(),
        compiled=ORGANISATIONS_BY_NAME,
        empty_label=_("Alle organisaties"),
    )
    regio = _ShortChoiceFilter(
        field_name="region",
        label=_("Regio"),
        queryset=regions_by_name(),
        compiled=REGIONS_BY_NAME,
        empty_label=_("Alle regio's"),
    )
    regisseur = _RegisseurFilter(
        field_name="regisseur",
        label=_("Regisseur"),
        queryset=_regisseurs(),
        empty_label=_("Alle regisseurs"),
    )
    verlopen = django_filters.BooleanFilter(
        label=_("Alleen met iets verlopen"),
        widget=forms.CheckboxInput,
        method="filter_overdue",
    )
    uitgestroomd = django_filters.BooleanFilter(
        label=_("Ook uitgestroomde casussen"),
        widget=forms.CheckboxInput,
        method="filter_exited",
    )
    sorteer = _Ordering(
        label=_("Sorteren"),
        fields={field: column for column, field in SORT_FIELDS.items()},
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Case
        fields: list[str] = []

    # Each filter set's form class, built once per process: django-filter builds a new
    # one, with new fields, for every filter set (every list page). Its fields depend
    # on nothing of the request (no queryset is computed per request); each form copies
    # them as Django's forms do.
    _form_classes: ClassVar[dict[type[CaseListFilter], type[forms.Form]]] = {}

    def get_form_class(self) -> type[forms.Form]:
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = self._form_classes.setdefault(type(self), super().get_form_class())
        return form_class

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value in WAITING:
            return cases_with_exit_waiting(queryset, WAITING[value])
        return queryset.filter(status=value)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        if not value:
            return queryset
        return queryset.filter(pk__in=overdue_case_ids(on=timezone.localdate()))

    def filter_exited(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        # The exclusion itself is in filter_queryset: it holds when the box is absent too.
        return queryset

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        """Exited cases stay out unless the toggle or the status filter asks for them."""
        cleaned = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        wants_exited = cleaned.get("uitgestroomd") or cleaned.get("status") == CaseStatus.EXITED
        if not wants_exited:
            queryset = queryset.exclude(status=CaseStatus.EXITED)
        return super().filter_queryset(queryset)


class MyCaseListFilter(CaseListFilter):
    """A regisseur's "mijn casussen": the same parameters on his or her own open cases,
    without the whole pool's organisation and regisseur filters (the sections name
    the role) and without exited cases (nobody works on one)."""

    POOL_ONLY = ("organisatie", "regisseur", "uitgestroomd")

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        """The filters without the pool's: left out of the class, not copied for every
        list and then dropped."""
        filters = super().get_filters()
        for name in cls.POOL_ONLY:
            filters.pop(name)
        return filters


def my_case_list(
    params: QueryDict, regisseur: Regisseur, *, on: datetime.date
) -> tuple[MyCaseListFilter, list[Any]]:
    """A regisseur's "mijn casussen": the filter over his or her cases, and the cases it
    gives. With nothing chosen the filter adds nothing and only shows its form: the
    cases are read as the list opens (``cases_of_regisseur_read``, compiled)."""
    if any(params.values()):
        chosen = MyCaseListFilter(params, queryset=cases_of_regisseur(regisseur, on=on))
        return chosen, list(chosen.qs)
    return MyCaseListFilter(params), cases_of_regisseur_read(regisseur, on=on)
