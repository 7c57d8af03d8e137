"""Pages above the single case: PTO-R's exit decisions, and the programme team's
hand-over of every case of a regisseur who leaves the pool."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from audit.services import access_record_many
from kernel.errors import STALE_RECORD
from kernel.locking import show_stale, with_current_revision
from kernel.views import form_page, service_form_page, success
from pool.models import Regisseur
from pool.permissions import may_manage_pool
from pool.selectors import pool_overview, regisseurs_active

from ..forms import BulkHandOverForm, ExitDecisionForm, caseload_labels
from ..models import Assignment, ExitProcedure
from ..permissions import may_decide_exits, may_follow_exit_proposals
from ..selectors.cases import exit_procedures_awaiting_decision
from ..services.assignments import pool_leave_with_hand_over, suggest_distribution
from ..services.exits import EXIT_DECISION_ONLY_PTO_R, exit_decide

EXIT_APPROVED = _("Uitstroom van casus %(case)s is besloten.")
EXIT_REJECTED = _("Uitstroom van casus %(case)s is niet akkoord: de casus loopt door.")
EXIT_PROPOSALS_READ_PURPOSE = "Uitstroomvoorstel ingezien voor het besluit van PTO-R."
BULK_HAND_OVER_ONLY_PROGRAMME_TEAM = _(
    "Alleen het programmateam draagt de casussen van een vertrekkende regisseur over."
)
BULK_HANDED_OVER = _(
    "%(regisseur)s verlaat de pool op %(on)s; %(count)s casussen zijn overgedragen."
)

DECISION_FIELDS = {
    "unknown_decision": "decision",
    "reasoning_required": "reasoning",
    "decision_before_advice": "decided_on",
}
BULK_FIELDS = {"reason_required": "reason", "leaver_not_active": "on"}


# --- PTO-R ----------------------------------------------------------------------------


def _decision_form(procedure: ExitProcedure, awaiting: Any) -> ExitDecisionForm:
    return ExitDecisionForm(
        awaiting=awaiting,
        auto_id=f"id_%s_{procedure.pk}",
        initial={
            "procedure": procedure.pk,
            "revision": procedure.revision,
            "decided_on": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exit_decisions(request: AuthenticatedRequest) -> HttpResponse:
    """Exit proposals ITAT-R advised on, each with PTO-R's decision form (no choice
    preset) and the plan version and advice it decides on. Only what PTO-R needs to
    decide: case number, region, ground, the team's judgement and the advice; no
    person record. The programme team reads the same list without the forms."""
    if not may_follow_exit_proposals(request.user):
        raise PermissionDenied(EXIT_DECISION_ONLY_PTO_R)
    if request.method == "POST" and not may_decide_exits(request.user):
        raise PermissionDenied(EXIT_DECISION_ONLY_PTO_R)
    awaiting = exit_procedures_awaiting_decision()
    if request.method != "POST":
        return form_page(
            request,
            "cases/exit_decisions.html",
            _exit_decisions_context(request, awaiting, None),
            status=200,
        )
    posted_id = request.POST.get("procedure", "")
    posted = ExitDecisionForm(
        request.POST,
        awaiting=awaiting,
        auto_id=f"id_%s_{posted_id}" if posted_id.isdigit() else "id_%s",
    )

    def decided(result: ExitProcedure) -> HttpResponse:
        procedure: ExitProcedure = posted.cleaned_data["procedure"]
        approved = result.decision == ExitProcedure.Decision.APPROVED
        text = EXIT_APPROVED if approved else EXIT_REJECTED
        return success(
            request, text % {"case": procedure.case.number}, redirect("cases:exit_decisions")
        )

    def stale() -> None:
        nonlocal posted
        procedure: ExitProcedure = posted.cleaned_data["procedure"]
        procedure.refresh_from_db(fields=["revision"])
        posted = ExitDecisionForm(
            with_current_revision(request.POST, procedure.revision),
            awaiting=awaiting,
            auto_id=f"id_%s_{procedure.pk}",
        )
        posted.is_valid()
        posted.add_error(None, STALE_RECORD)
        show_stale(posted)

    return service_form_page(
        request,
        posted,
        lambda data: exit_decide(
            procedure=data["procedure"],
            decision=data["decision"],
            decided_on=data["decided_on"],
            reasoning=data["reasoning"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=DECISION_FIELDS,
        done=decided,
        on_stale=stale,
        template="cases/exit_decisions.html",
        context=lambda: _exit_decisions_context(request, awaiting, posted),
    )


# --- a regisseur leaves the pool ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bulk_handover(request: AuthenticatedRequest, regisseur_id: int) -> HttpResponse:
    """Every open case of a leaving regisseur to a receiver: the proposal of
    ``suggest_distribution``, changeable, applied all or nothing."""
    if not may_manage_pool(request.user):
        raise PermissionDenied(BULK_HAND_OVER_ONLY_PROGRAMME_TEAM)
    leaving = get_object_or_404(Regisseur.objects.select_related("user"), pk=regisseur_id)
    today = timezone.localdate()
    suggestions = suggest_distribution(leaving=leaving, on=today)
    overview = pool_overview(on=today)
    form = BulkHandOverForm(
        request.POST if request.method == "POST" else None,
        suggestions=suggestions,
        regisseurs=regisseurs_active(on=today).exclude(pk=leaving.pk),
        places=caseload_labels(overview.rows),
        initial={"on": today},
    )

    def handed_over(results: Any) -> HttpResponse:
        messages.success(
            request,
            BULK_HANDED_OVER
            % {
                "regisseur": leaving,
                "on": f"{form.cleaned_data['on']:%d-%m-%Y}",
                "count": len(results),
            },
        )
        for result in results:
            for warning in result.warnings:
                messages.warning(request, warning)
        return redirect("cases:bulk_handover", regisseur_id=leaving.pk)

    return service_form_page(
        request,
        form,
        lambda data: pool_leave_with_hand_over(
            leaving=leaving,
            on=data["on"],
            distribution=form.distribution(Assignment.Role.REGISSEUR),
            buddy_distribution=form.distribution(Assignment.Role.BUDDY),
            new_buddies=form.new_buddies(),
            reason=data["reason"],
            by=request.user,
        ),
        fields_by_code=BULK_FIELDS,
        done=handed_over,
        template="cases/bulk_handover.html",
        context={"leaving": leaving, "form": form, "overview": overview},
    )


def _exit_decisions_context(
    request: AuthenticatedRequest, awaiting: Any, posted: ExitDecisionForm | None
) -> dict[str, Any]:
    procedures = list(awaiting)
    rows = []
    posted_found = False
    for procedure in procedures:
        if posted is not None and posted.data.get("procedure") == str(procedure.pk):
            rows.append((procedure, posted))
            posted_found = True
        else:
            rows.append((procedure, _decision_form(procedure, awaiting)))
    if procedures:
        # The team's judgement and the advice are case content: the read is logged.
        access_record_many(
            user=request.user,
            objects=list(procedures),
            request=request,
            purpose=EXIT_PROPOSALS_READ_PURPOSE,
        )
    return {
        "rows": rows,
        "stray_form": posted if posted is not None and not posted_found else None,
        "may_decide": may_decide_exits(request.user),
    }
