"""Forms that carry a record of the case further: ITAT-R's advice on an exit
proposal, withdrawing the proposal, the progress of an intervention (also in an
adopted plan) and an UVO action done.

Like the other workflow forms: the case is reached through cases/access.py (404
for a case one may not see, 403 without the right to work on it), the record
through the case (404 when it belongs to another case), the change is one service
call through kernel.forms.call_service, and the read of the record the page shows
is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import User
from kernel.locking import show_stale, with_current_revision
from kernel.views import service_form_page, success

from ..access import CaseAccess, case_access_for
from ..forms import ActionDoneForm, ExitWithdrawForm, InterventionProgressForm, PlanAdviceForm
from ..models import ExitProcedure, Intervention, MeetingAction
from ..selectors.case_page import case_page_url
from ..services.exits import exit_record_itat_advice, exit_withdraw
from ..services.meetings import action_mark_done
from ..services.plans import intervention_record_progress
from ..services.reads import case_read_record

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise

# Lazy translations: each is shown in the language of the request that receives it.
EXIT_ADVICE_RECORDED = _(
    "Het advies van het ITAT-R op het uitstroomvoorstel is vastgelegd. Het voorstel wacht nu "
    "op het besluit van PTO-R."
)
EXIT_WITHDRAWN = _("Het uitstroomvoorstel is ingetrokken.")
PROGRESS_RECORDED = _("De voortgang van de interventie is vastgelegd.")
ACTION_DONE_RECORDED = _("De actie is als afgerond vastgelegd.")

# Which form field a service's error code belongs on; other codes go above the form.
EXIT_ADVICE_FIELDS = {
    "unknown_recommendation": "recommendation",
    "advice_required": "advice",
    "date_before_opening": "given_on",
}
EXIT_WITHDRAW_FIELDS = {"reason_required": "reason", "date_before_opening": "on"}
PROGRESS_FIELDS = {"invalid": "status", "required": "result"}
ACTION_DONE_FIELDS = {"in_future": "done_on", "before_meeting": "done_on"}


def _working_on(request: AuthenticatedRequest, pk: int) -> CaseAccess:
    return case_access_for(request.user, pk, need="work_on_case")


def _to_case(access: CaseAccess, anchor: str) -> HttpResponse:
    return redirect(case_page_url(access.case.pk, anchor))


def _procedure(access: CaseAccess, procedure_id: int) -> ExitProcedure:
    return get_object_or_404(
        ExitProcedure.objects.prefetch_related("itat_advices"),
        case=access.case,
        pk=procedure_id,
    )


def _read(request: AuthenticatedRequest, access: CaseAccess, obj: Any) -> None:
    """The page shows case content (the team's judgement, an intervention, an action):
    log the read, as every page that shows it does."""
    if request.method == "GET":
        case_read_record(access=access, user=request.user, obj=obj, request=request)


# --- the exit procedure ------------------------------------------------------------------


def _advise(procedure: ExitProcedure, data: dict[str, Any], by: User) -> object:
    return exit_record_itat_advice(
        procedure=procedure,
        given_on=data["given_on"],
        recommendation=data["recommendation"],
        advice=data["advice"],
        by=by,
        expected_revision=data["revision"],
    )


def _withdraw(procedure: ExitProcedure, data: dict[str, Any], by: User) -> object:
    return exit_withdraw(
        procedure=procedure,
        reason=data["reason"],
        on=data["on"],
        by=by,
        expected_revision=data["revision"],
    )


@dataclass(frozen=True)
class ExitStep:
    """One step on a running exit procedure: its form (with the procedure's revision
    and a date that starts at today), its service, and what the page says."""

    form_class: type[forms.Form]
    date_field: str
    service: Callable[[ExitProcedure, dict[str, Any], User], object]
    fields: dict[str, str]
    done: str | _StrPromise
    template: str


EXIT_STEPS = {
    "advies": ExitStep(
        PlanAdviceForm,
        "given_on",
        _advise,
        EXIT_ADVICE_FIELDS,
        EXIT_ADVICE_RECORDED,
        "cases/exit_advice_form.html",
    ),
    "intrekken": ExitStep(
        ExitWithdrawForm,
        "on",
        _withdraw,
        EXIT_WITHDRAW_FIELDS,
        EXIT_WITHDRAWN,
        "cases/exit_withdraw_form.html",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def exit_step(request: AuthenticatedRequest, pk: int, procedure_id: int, step: str) -> HttpResponse:
    """Record ITAT-R's advice on the exit proposal (it then waits for PTO-R), or
    withdraw the proposal (the move fell through, the team thinks again). A change
    made to the procedure meanwhile is shown, not overwritten."""
    access = _working_on(request, pk)
    procedure = _procedure(access, procedure_id)
    how = EXIT_STEPS[step]
    posted = request.method == "POST"
    form = how.form_class(
        request.POST if posted else None,
        initial={"revision": procedure.revision, how.date_field: timezone.localdate()},
    )
    _read(request, access, procedure)
    target = procedure

    def stale() -> None:
        nonlocal procedure
        procedure = _procedure(access, procedure.pk)
        form.data = with_current_revision(form.data, procedure.revision)
        show_stale(form)

    return service_form_page(
        request,
        form,
        lambda data: how.service(target, data, request.user),
        fields_by_code=how.fields,
        done=lambda _result: success(request, how.done, _to_case(access, f"exit-{target.pk}")),
        on_stale=stale,
        template=how.template,
        context=lambda: {"case": access.case, "procedure": procedure, "form": form},
    )


# --- an intervention's progress --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intervention_progress(
    request: AuthenticatedRequest, pk: int, intervention_id: int
) -> HttpResponse:
    """Status and result of an intervention: recorded on the plan that holds, also
    after adoption (what was agreed stays frozen)."""
    access = _working_on(request, pk)
    intervention = get_object_or_404(
        Intervention.objects.select_related("plan_version", "responsible_organisation"),
        plan_version__case=access.case,
        pk=intervention_id,
    )
    posted = request.method == "POST"
    form = InterventionProgressForm(
        request.POST if posted else None,
        initial={"status": intervention.status, "result": intervention.result},
    )
    _read(request, access, intervention)
    return service_form_page(
        request,
        form,
        lambda data: intervention_record_progress(
            intervention=intervention,
            status=data["status"],
            result=data["result"],
            by=request.user,
        ),
        fields_by_code=PROGRESS_FIELDS,
        done=lambda _result: success(
            request,
            PROGRESS_RECORDED,
            _to_case(access, f"plan-{intervention.plan_version_id}"),
        ),
        template="cases/intervention_progress_form.html",
        context={"case": access.case, "intervention": intervention, "form": form},
    )


# --- an UVO action done ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_done(request: AuthenticatedRequest, pk: int, action_id: int) -> HttpResponse:
    """Mark an action agreed in an UVO as done."""
    access = _working_on(request, pk)
    action = get_object_or_404(
        MeetingAction.objects.select_related("meeting", "owner_organisation"),
        meeting__case=access.case,
        pk=action_id,
    )
    posted = request.method == "POST"
    form = ActionDoneForm(
        request.POST if posted else None, initial={"done_on": timezone.localdate()}
    )
    _read(request, access, action)
    return service_form_page(
        request,
        form,
        lambda data: action_mark_done(action=action, done_on=data["done_on"], by=request.user),
        fields_by_code=ACTION_DONE_FIELDS,
        done=lambda _result: success(
            request, ACTION_DONE_RECORDED, _to_case(access, f"meeting-{action.meeting_id}")
        ),
        template="cases/action_done_form.html",
        context={"case": access.case, "action": action, "form": form},
    )
