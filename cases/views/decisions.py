"""Pages above the single case: the exit proposals waiting for PTO-R, and the programme
team's hand-over of every case of a regisseur who leaves the pool."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from audit.services import access_record_many
from kernel.views import service_form_page
from pool.models import Regisseur
from pool.permissions import may_manage_pool
from pool.selectors import pool_overview, regisseurs_active

from ..forms import BulkHandOverForm, caseload_labels
from ..models import Assignment
from ..permissions import may_follow_exit_proposals
from ..selectors.cases import exit_procedures_awaiting_decision
from ..services.assignments import pool_leave_with_hand_over, suggest_distribution
from ..services.exits import EXIT_DECISION_ONLY_PTO_R

EXIT_PROPOSALS_READ_PURPOSE = "Uitstroomvoorstel ingezien voor het besluit van PTO-R."
BULK_HAND_OVER_ONLY_PROGRAMME_TEAM = _(
    "Alleen het programmateam draagt de casussen van een vertrekkende regisseur over."
)
BULK_HANDED_OVER = _(
    "%(regisseur)s verlaat de pool op %(on)s; %(count)s casussen zijn overgedragen."
)

BULK_FIELDS = {"reason_required": "reason", "leaver_not_active": "on"}


# --- PTO-R ----------------------------------------------------------------------------


@login_required
@require_GET
def exit_decisions(request: AuthenticatedRequest) -> HttpResponse:
    """Exit proposals ITAT-R advised on, waiting for PTO-R, with the plan version and
    advice each rests on. Only what PTO-R needs: case number, region, ground, the team's
    judgement and the advice; no person record. PTO-R decides them in its meetings
    (docs/adr/0020-pto-r-meetings.md), not here: this page leads there."""
    if not may_follow_exit_proposals(request.user):
        raise PermissionDenied(EXIT_DECISION_ONLY_PTO_R)
    procedures = list(exit_procedures_awaiting_decision())
    if procedures:
        # The team's judgement and the advice are case content: the read is logged.
        access_record_many(
            user=request.user,
            objects=list(procedures),
            request=request,
            purpose=EXIT_PROPOSALS_READ_PURPOSE,
        )
    return render(
        request,
        "cases/exit_decisions.html",
        {"procedures": procedures},
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
