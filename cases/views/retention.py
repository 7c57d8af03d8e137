"""Early erasure of a person record by the programme team (docs/adr/0006).

Thin: access from cases/access.py, the rule and the write in
cases/services/retention.py. The page shows whom it is about (a read of person
data, so it is recorded in the access log) before the irreversible step.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from kernel.views import service_form_page, success

from ..access import case_access_for
from ..models import Person
from ..permissions import may_erase_person
from ..selectors.cases import person_of
from ..services.reads import case_read_record
from ..services.retention import (
    ERASURE_ONLY_PROGRAMME_TEAM,
    person_erase_early,
    retention_ends_on,
)

ERASE_PAGE_PURPOSE = "Persoonsgegevens ingezien om ze vervroegd te wissen."
ERASED = _("De persoonsgegevens zijn gewist. Het casusnummer en de voortgang blijven bewaard.")


class ErasePersonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Waarom worden de persoonsgegevens nu al gewist, vóór het einde van de "
            "bewaartermijn? Bijvoorbeeld een verzoek tot wissen (AVG art. 17) of een "
            "onterechte aanmelding. De reden wordt vastgelegd."
        ),
    )
    # The case revision the page was loaded with: erasing a record someone just
    # changed is refused (optimistic locking).
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


@login_required
@require_http_methods(["GET", "POST"])
def erase_person(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # behind @login_required
    access = case_access_for(user, pk, need="view_person_data")
    if not may_erase_person(user):
        raise PermissionDenied(ERASURE_ONLY_PROGRAMME_TEAM)
    case = access.case
    try:
        person = person_of(case)
    except Person.DoesNotExist:
        raise Http404 from None
    form = ErasePersonForm(request.POST or None, initial={"revision": case.revision})

    def page() -> dict[str, Any]:
        if person.pseudonymised_at is None:
            case_read_record(
                access=access,
                user=user,
                obj=person,
                request=request,
                purpose=ERASE_PAGE_PURPOSE,
            )
        return {
            "case": case,
            "person": person,
            "form": form,
            "retention_ends_on": retention_ends_on(case.exited_on) if case.exited_on else None,
        }

    return service_form_page(
        request,
        form,
        lambda data: person_erase_early(
            case=case, reason=data["reason"], by=user, expected_revision=data["revision"]
        ),
        fields_by_code={"reason_too_short": "reason", "reason_invalid": "reason"},
        done=lambda _result: success(request, ERASED, redirect("cases:person", pk=case.pk)),
        template="cases/erase_person.html",
        context=page,
    )
