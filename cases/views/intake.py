"""The start of a case, in the programme team's hands (docs/rules.md R-CASE-1, R-CASE-9):
the aanmelding with the "already known" check, closing a case the weighing does not take
in, assigning the first regisseur and buddy, and recording the notification letter.

The weighing in between is the existing form (``workflow.assessment_new``). Each page is a
thin face on one service (cases/services/intake.py, assignments.py); who may use it is
``may_run_intake``, on a case one may also work on (cases/access.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from audit.services import access_record_search
from kernel.errors import refusal_message
from kernel.locking import form_again_after_stale
from kernel.views import service_form_page, success
from pool.selectors import regisseurs_active

from ..access import case_access_for
from ..forms import (
    CaseAssignForm,
    CaseRegisterForm,
    NotificationForm,
    NotIncludedForm,
    candidate_labels,
)
from ..models import Case
from ..permissions import may_run_intake
from ..selectors.case_page import case_page_url
from ..selectors.intake import (
    assignment_candidates,
    cases_already_known,
    known_check_term,
    next_case_number,
)
from ..services.assessments import case_inclusion_check
from ..services.assignments import case_assign, case_assign_check
from ..services.intake import (
    case_close_not_included,
    case_close_not_included_check,
    case_register,
    case_sign_notification_check,
)
from ..services.notification_letter import case_sign_notification_with_letter

INTAKE_ONLY_PROGRAMME_TEAM = _(
    "Alleen het programmateam meldt casussen aan, wijst de eerste regisseur en buddy toe en "
    "legt de notificatiebrief vast."
)
CASE_REGISTERED = _("Casus %(number)s is aangemeld. Leg nu de weging vast.")
CASE_ASSIGNED = _("De regisseur en de buddy zijn toegewezen.")
NOTIFICATION_RECORDED = _("De notificatiebrief is vastgelegd: de casus is in fase 1.")
NOT_INCLUDED_RECORDED = _("De casus is afgesloten: niet opgenomen in de aanpak.")

REGISTER_FIELDS = {
    "number_required": "number",
    "number_taken": "number",
    "name_required": "last_name",
    "name_too_long": "last_name",
    "birth_after_registration": "date_of_birth",
    "bsn_format": "bsn",
    "bsn_eleven_check": "bsn",
    "referrer_not_kernpartner": "referred_by",
}
ASSIGN_FIELDS = {
    "reason_required": "reason",
    "date_too_early": "on",
    "buddy_is_regisseur": "buddy",
}
NOTIFICATION_FIELDS = {
    "signed_before_registration": "signed_on",
    "signer_too_long": "signed_by",
    # The letter's refusals by the documents service (documents/services.py).
    **dict.fromkeys(
        (
            "file_name_path",
            "file_name_invalid",
            "file_empty",
            "file_too_large",
            "file_type",
            "file_truncated",
            "file_infected",
            "scanner_unavailable",
        ),
        "letter",
    ),
}
NOT_INCLUDED_FIELDS = {"reason_required": "reason", "date_before_weighing": "on"}


def _require_intake(request: AuthenticatedRequest) -> None:
    if not may_run_intake(request.user):
        raise PermissionDenied(INTAKE_ONLY_PROGRAMME_TEAM)


def _intake_case(request: AuthenticatedRequest, pk: int) -> Case:
    """The case, for one who may work on it (404 / 403 as cases/access.py says) and
    runs the intake (403)."""
    case = case_access_for(request.user, pk, need="work_on_case").case
    _require_intake(request)
    return case


# --- aanmelding ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_register_page(request: AuthenticatedRequest) -> HttpResponse:
    """Register a case with its person, the referring kernpartner, the duiding and the
    voortraject. A person already known as a case is shown (number and whether it runs,
    linked only when the reader may see it); the user confirms and registers anyway."""
    _require_intake(request)
    today = timezone.localdate()
    posted = request.method == "POST"
    form = CaseRegisterForm(
        request.POST if posted else None,
        initial={"registered_on": today, "number": next_case_number(on=today)},
    )
    known: list[Any] = []
    if posted and form.is_valid():
        data = form.cleaned_data
        person = {
            "bsn": data["bsn"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "date_of_birth": data["date_of_birth"],
        }
        known = cases_already_known(reader=request.user, **person)
        # The check searched the person records by BSN or name: logged as a search.
        access_record_search(
            user=request.user,
            term=known_check_term(**person),
            result_count=len(known),
            request=request,
        )
        if known and not data["confirm_known"]:
            return render(
                request, "cases/register_form.html", {"form": form, "known": known}, status=200
            )

    return service_form_page(
        request,
        form,
        lambda data: case_register(
            number=data["number"],
            region=data["region"],
            registered_on=data["registered_on"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            address=data["address"],
            bsn=data["bsn"],
            referred_by=data["referred_by"],
            interpretation=data["interpretation"],
            preliminary_findings=data["preliminary_findings"],
            by=request.user,
        ),
        fields_by_code=REGISTER_FIELDS,
        done=lambda case: success(
            request, CASE_REGISTERED % {"number": case.number}, redirect("cases:detail", case.pk)
        ),
        template="cases/register_form.html",
        context={"form": form, "known": known},
    )


# --- closing a case the weighing does not take in ------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def not_included(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Close a registered case as not included, on a weighing that does not find both
    care problems and a safety risk, with the reasoning."""
    case = _intake_case(request, pk)
    posted = request.method == "POST"
    form = NotIncludedForm(
        request.POST if posted else None,
        initial={"revision": case.revision, "on": timezone.localdate()},
    )

    def stale() -> None:
        nonlocal case, form
        case = _intake_case(request, pk)
        form = form_again_after_stale(NotIncludedForm, request.POST, revision=case.revision)

    return service_form_page(
        request,
        form,
        lambda data: case_close_not_included(
            case=case,
            on=data["on"],
            reason=data["reason"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=NOT_INCLUDED_FIELDS,
        done=lambda _case: success(request, NOT_INCLUDED_RECORDED, redirect("cases:detail", pk)),
        on_stale=stale,
        template="cases/not_included_form.html",
        context=lambda: {
            "case": case,
            "form": form,
            "inclusion": case_inclusion_check(case),
            "refusal": refusal_message(lambda: case_close_not_included_check(case)),
        },
    )


# --- the first regisseur and buddy --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Choose the regisseur and buddy of a registered case the weighing took in. Beside
    each name: free places, region restriction and a current absence; going over the
    maximum caseload is allowed and comes back as a warning."""
    case = _intake_case(request, pk)
    today = timezone.localdate()
    posted = request.method == "POST"
    candidates = assignment_candidates(on=today)

    def assign_form(data: Any) -> CaseAssignForm:
        return CaseAssignForm(
            data,
            regisseurs=regisseurs_active(on=today),
            places=candidate_labels(candidates),
            initial={"revision": case.revision, "on": today},
        )

    form = assign_form(request.POST if posted else None)

    def stale() -> None:
        nonlocal case, form
        case = _intake_case(request, pk)
        form = form_again_after_stale(assign_form, request.POST, revision=case.revision)

    def assigned(result: Any) -> HttpResponse:
        messages.success(request, CASE_ASSIGNED)
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect(case_page_url(case.pk, "assignments"))

    return service_form_page(
        request,
        form,
        lambda data: case_assign(
            case=case,
            regisseur=data["regisseur"],
            buddy=data["buddy"],
            on=data["on"],
            reason=data["reason"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=ASSIGN_FIELDS,
        done=assigned,
        on_stale=stale,
        template="cases/assign_form.html",
        context=lambda: {
            "case": case,
            "form": form,
            "candidates": candidates,
            "refusal": refusal_message(lambda: case_assign_check(case)),
        },
    )


# --- the notification letter ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record that the mayor signed the notification letter, who and when: the case is
    formally in the approach, in phase 1, from that day."""
    case = _intake_case(request, pk)
    posted = request.method == "POST"
    form = NotificationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"revision": case.revision, "signed_on": timezone.localdate()},
    )

    def stale() -> None:
        nonlocal case, form
        case = _intake_case(request, pk)
        form = form_again_after_stale(
            lambda data: NotificationForm(data, request.FILES), request.POST, revision=case.revision
        )

    return service_form_page(
        request,
        form,
        lambda data: case_sign_notification_with_letter(
            case=case,
            signed_on=data["signed_on"],
            signed_by=data["signed_by"],
            letter=data["letter"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=NOTIFICATION_FIELDS,
        done=lambda _case: success(request, NOTIFICATION_RECORDED, redirect("cases:detail", pk)),
        on_stale=stale,
        template="cases/notification_form.html",
        context=lambda: {
            "case": case,
            "form": form,
            "refusal": refusal_message(lambda: case_sign_notification_check(case)),
        },
    )
