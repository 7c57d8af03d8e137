"""A stuck case escalates (docs/rules.md R-CASE-11): record that it is stuck and what
the team tried, each consultation and doorbraakoverleg with what it produced, and
what resolved it. The pages live under the case (``casussen/<id>/vastgelopen/...``)
and are reached from its "Vastgelopen" tab.

Like the other workflow forms: the case through cases/access.py (404 for a case one
may not see, 403 without the right to work on it), the escalation through the case
(404 when it belongs to another case), one service call per change, and the read
of the escalation the page shows is logged.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from kernel.locking import show_stale, with_current_revision
from kernel.views import service_form_page, success

from ..access import CaseAccess, case_access_for
from ..forms import EscalationOpenForm, EscalationResolveForm, EscalationStepForm
from ..models import Escalation
from ..selectors.case_page import case_page_url
from ..services.escalations import escalation_open, escalation_record_step, escalation_resolve
from ..services.reads import case_read_record

ESCALATION_OPENED = _(
    "De casus staat als vastgelopen geregistreerd. Leg de volgende stap vast zodra collega's, "
    "het programmateam of het ITAT-R zijn geraadpleegd."
)
ESCALATION_STEP_RECORDED = _("De stap en wat die opleverde zijn vastgelegd.")
ESCALATION_RESOLVED = _("De casus is vlotgetrokken; de escalatie is afgesloten.")

OPEN_FIELDS = {
    "what_required": "what_is_stuck",
    "attempts_required": "team_attempts",
    "in_future": "stuck_since",
    "before_registration": "stuck_since",
}
STEP_FIELDS = {
    "unknown_step": "kind",
    "outcome_required": "outcome",
    "participants_required": "participants",
    "in_future": "held_on",
    "before_registration": "held_on",
    "before_stuck": "held_on",
}
RESOLVE_FIELDS = {
    "resolution_required": "resolution",
    "in_future": "on",
    "before_registration": "on",
    "before_stuck": "on",
}


def _working_on(request: AuthenticatedRequest, pk: int) -> CaseAccess:
    return case_access_for(request.user, pk, need="work_on_case")


def _escalation(access: CaseAccess, escalation_id: int) -> Escalation:
    return get_object_or_404(
        Escalation.objects.prefetch_related("steps"), case=access.case, pk=escalation_id
    )


def _escalation_worked_on(
    request: AuthenticatedRequest, pk: int, escalation_id: int
) -> tuple[CaseAccess, Escalation]:
    """The escalation a form page works on, for one who may work on its case; showing
    it (a GET) reads the case's data, so that read is logged."""
    access = _working_on(request, pk)
    escalation = _escalation(access, escalation_id)
    if request.method == "GET":
        case_read_record(access=access, user=request.user, obj=escalation, request=request)
    return access, escalation


def _to_escalation(access: CaseAccess, escalation: Escalation) -> HttpResponse:
    return redirect(case_page_url(access.case.pk, f"escalation-{escalation.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def escalation_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record that the case is stuck: where, and what the team itself tried."""
    access = _working_on(request, pk)
    form = EscalationOpenForm(
        request.POST if request.method == "POST" else None,
        initial={"stuck_since": timezone.localdate()},
    )
    return service_form_page(
        request,
        form,
        lambda data: escalation_open(
            case=access.case,
            stuck_since=data["stuck_since"],
            what_is_stuck=data["what_is_stuck"],
            team_attempts=data["team_attempts"],
            by=request.user,
        ),
        fields_by_code=OPEN_FIELDS,
        done=lambda escalation: success(
            request, ESCALATION_OPENED, _to_escalation(access, escalation)
        ),
        template="cases/escalation_form.html",
        context={"case": access.case, "form": form},
    )


def _stale_handler(
    access: CaseAccess, form: forms.Form, box: dict[str, Escalation]
) -> Callable[[], None]:
    """After a refusal because the escalation changed meanwhile: show it as it is now,
    keeping the user's input with the present revision."""

    def stale() -> None:
        box["escalation"] = _escalation(access, box["escalation"].pk)
        form.data = with_current_revision(form.data, box["escalation"].revision)
        show_stale(form)

    return stale


@login_required
@require_http_methods(["GET", "POST"])
def escalation_step(request: AuthenticatedRequest, pk: int, escalation_id: int) -> HttpResponse:
    """A consultation of colleagues, the programme team or ITAT-R, or a doorbraakoverleg,
    with what it produced."""
    access, escalation = _escalation_worked_on(request, pk, escalation_id)
    form = EscalationStepForm(
        request.POST if request.method == "POST" else None,
        initial={"revision": escalation.revision, "held_on": timezone.localdate()},
    )
    box = {"escalation": escalation}
    return service_form_page(
        request,
        form,
        lambda data: escalation_record_step(
            escalation=escalation,
            kind=data["kind"],
            held_on=data["held_on"],
            participants=data["participants"],
            outcome=data["outcome"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=STEP_FIELDS,
        done=lambda _step: success(
            request, ESCALATION_STEP_RECORDED, _to_escalation(access, escalation)
        ),
        on_stale=_stale_handler(access, form, box),
        template="cases/escalation_step_form.html",
        context=lambda: {"case": access.case, "escalation": box["escalation"], "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_resolve_page(
    request: AuthenticatedRequest, pk: int, escalation_id: int
) -> HttpResponse:
    """The case is no longer stuck: what resolved it."""
    access, escalation = _escalation_worked_on(request, pk, escalation_id)
    form = EscalationResolveForm(
        request.POST if request.method == "POST" else None,
        initial={"revision": escalation.revision, "on": timezone.localdate()},
    )
    box = {"escalation": escalation}
    return service_form_page(
        request,
        form,
        lambda data: escalation_resolve(
            escalation=escalation,
            on=data["on"],
            resolution=data["resolution"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=RESOLVE_FIELDS,
        done=lambda _result: success(
            request, ESCALATION_RESOLVED, _to_escalation(access, escalation)
        ),
        on_stale=_stale_handler(access, form, box),
        template="cases/escalation_resolve_form.html",
        context=lambda: {"case": access.case, "escalation": box["escalation"], "form": form},
    )
