"""The regisseur's forms on one case: log an UVO, write and adopt the plan of
approach, change the phase, propose an exit, record a weighing or an evaluation,
hand the case over.

Every form is a thin face on one service: the view reaches the case through
cases/access.py (404 for a case one may not see, 403 without the right to work on
it), calls the service, and shows a refusal on the form with the input kept.
Records with a revision counter carry it in a hidden field; a write on a record
that changed since the page was loaded is refused and the conflict is shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from kernel.locking import form_again_after_stale, show_stale, with_current_revision
from kernel.views import form_page, service_form_page, success
from pool.selectors import pool_overview, regisseurs_active

from ..access import CaseAccess, case_access_for, user_may
from ..forms import (
    MEETING_ADD_ROW,
    ActionFormSet,
    AssessmentForm,
    AttendeeFormSet,
    EvaluationForm,
    ExitProposeForm,
    HandOverForm,
    InterventionAddForm,
    InterventionFormSet,
    MeetingForm,
    PhaseChangeForm,
    PlanAdoptForm,
    PlanAdviceForm,
    PlanCompareForm,
    PlanEditForm,
    PlanNewFromForm,
    PlanTextForm,
    caseload_labels,
    formset_with_extra_row,
    kept_rows,
    organisations_to_choose,
)
from ..models import Case, PlanVersion
from ..selectors.case_page import case_page_url
from ..selectors.cases import attendees_proposed, meeting_next_kind
from ..selectors.plans import (
    live_plan_versions,
    plan_version_of,
    plan_versions_compare,
    plan_versions_of,
    plan_versions_outline,
)
from ..services.assessments import AssessmentInput, assessment_record
from ..services.assignments import case_change_buddy, case_hand_over
from ..services.evaluations import evaluation_record
from ..services.exits import exit_propose
from ..services.meetings import ActionInput, AttendeeInput, meeting_log
from ..services.phases import case_change_phase
from ..services.plans import (
    PLAN_ADOPTED_IMMUTABLE,
    InterventionInput,
    intervention_add,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
    plan_version_new_from,
    plan_version_update,
)
from ..services.reads import case_read_record

MEETING_LOGGED = _("Het overleg van %(on)s is vastgelegd.")
PLAN_VERSION_CREATED = _("Versie %(number)s van het plan van aanpak is aangemaakt.")
PLAN_VERSION_COPIED = _(
    "Versie %(number)s is aangemaakt als kopie van versie %(base)s, met alle interventies. "
    "Werk de tekst en de interventies bij."
)
PLAN_TEXT_SAVED = _("De tekst van versie %(number)s is opgeslagen.")
INTERVENTION_ADDED = _("De interventie is toegevoegd aan versie %(number)s.")
PLAN_ADVICE_RECORDED = _("Het advies van het ITAT-R op versie %(number)s is vastgelegd.")
PLAN_ADOPTED = _("Versie %(number)s van het plan van aanpak is vastgesteld.")
PHASE_CHANGED = _("De casus is nu in %(phase)s.")
EXIT_PROPOSED = _("Het uitstroomvoorstel is vastgelegd.")
ASSESSMENT_RECORDED = _("De weging is vastgelegd.")
EVALUATION_RECORDED = _("De evaluatie is vastgelegd.")
HANDED_OVER = _("De overdracht is vastgelegd.")

# The plan page holds several forms; the posted one names itself in ``stap``.
PLAN_STEPS = ("tekst", "interventie", "advies", "vaststellen")

# Which form field a service's error code belongs on; other codes go above the form.
MEETING_FIELDS = {
    "in_future": "held_on",
    "before_registration": "held_on",
    "before_first_uvo": "held_on",
    "first_uvo_late": "held_on",
    "first_uvo_exists": "kind",
    "first_uvo_missing": "kind",
    "first_uvo_incomplete": "kind",
    "part_not_first_uvo": "first_uvo_part",
    "first_uvo_part_one_missing": "first_uvo_part",
    "first_uvo_part_two_exists": "first_uvo_part",
    "first_uvo_single": "first_uvo_part",
    "part_two_early": "held_on",
    "part_one_late": "held_on",
}
PLAN_FIELDS = {"focus_required": "focus"}
PHASE_FIELDS = {
    "reason_required": "reason",
    "phase_unknown": "to_phase",
    "date_before_current_phase": "on",
}
EXIT_FIELDS = {
    "unknown_ground": "ground",
    "team_judgement_required": "team_judgement",
    "handover_organisation": "handover_organisation",
    "destination_required": "destination",
    "explanation_required": "ground_explanation",
}
ASSESSMENT_FIELDS = {"in_future": "assessed_on", "required": "reasoning", "invalid": "risk_level"}
EVALUATION_FIELDS = {
    "in_future": "held_on",
    "before_registration": "held_on",
    "exit_question": "exit_possible",
    "focus_required": "plan_focus",
}
HAND_OVER_FIELDS = {
    "reason_required": "reason",
    "date_too_early": "on",
    "same_regisseur": "to_regisseur",
    "buddy_needs_successor": "new_buddy",
    "buddy_is_regisseur": "new_buddy",
    "same_buddy": "new_buddy",
}


def _working_on(request: AuthenticatedRequest, pk: int) -> CaseAccess:
    return case_access_for(request.user, pk, need="work_on_case")


def _quiet(*parts: forms.Form | forms.BaseFormSet) -> None:
    """Show bound forms without errors: the user asked for one more row, and has not
    sent the form yet."""
    for part in parts:
        if isinstance(part, forms.BaseFormSet):
            _quiet(*part.forms)
            part._errors = []  # type: ignore[attr-defined]
            part._non_form_errors = ErrorList()  # type: ignore[attr-defined]
        else:
            part._errors = ErrorDict()  # type: ignore[attr-defined]
            part.cleaned_data = {}


def _to_case(case: Case, anchor: str = "") -> HttpResponse:
    return redirect(case_page_url(case.pk, anchor))


def _added_row(
    request: AuthenticatedRequest, formset_class: Any, prefix: str, **kwargs: Any
) -> Any:
    """The posted formset, with an empty row more when that is what was asked."""
    if request.POST.get(MEETING_ADD_ROW) == prefix:
        return formset_with_extra_row(formset_class, request.POST, prefix, **kwargs)
    return formset_class(request.POST, prefix=prefix, **kwargs)


# --- UVO ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Log an UVO with who attended, what was decided and the actions agreed."""
    case = _working_on(request, pk).case
    today = timezone.localdate()
    # Both formsets' rows choose from the same organisations: read once.
    organisations = organisations_to_choose()
    if request.method != "POST":
        kind, part = meeting_next_kind(case)
        form = MeetingForm(initial={"held_on": today, "kind": kind, "first_uvo_part": part})
        team = [
            {"name": name, "organisation": organisation}
            for name, organisation in attendees_proposed(case, on=today)
        ]
        attendees = AttendeeFormSet(prefix="deelnemers", initial=team, organisations=organisations)
        actions = ActionFormSet(prefix="acties", organisations=organisations)
        return form_page(
            request, "cases/meeting_form.html", _meeting_context(case, form, attendees, actions)
        )

    form = MeetingForm(request.POST)
    attendees = _added_row(request, AttendeeFormSet, "deelnemers", organisations=organisations)
    actions = _added_row(request, ActionFormSet, "acties", organisations=organisations)
    context = _meeting_context(case, form, attendees, actions)
    if request.POST.get(MEETING_ADD_ROW):
        _quiet(form, attendees, actions)
        return form_page(request, "cases/meeting_form.html", context, status=200)
    return service_form_page(
        request,
        form,
        lambda data: meeting_log(
            case=case,
            held_on=data["held_on"],
            kind=data["kind"],
            first_uvo_part=data["first_uvo_part"],
            person_attended=data["person_attended"],
            agenda=data["agenda"],
            development=data["development"],
            decisions=data["decisions"],
            exit_in_sight=data["exit_in_sight"],
            attendees=[
                AttendeeInput(name=row["name"], organisation=row["organisation"])
                for row in kept_rows(attendees)
            ],
            actions=[
                ActionInput(
                    description=row["description"],
                    owner_organisation=row["owner_organisation"],
                    due_on=row["due_on"],
                )
                for row in kept_rows(actions)
            ],
            by=request.user,
        ),
        also=(attendees, actions),
        fields_by_code=MEETING_FIELDS,
        done=lambda meeting: success(
            request,
            MEETING_LOGGED % {"on": f"{meeting.held_on:%d-%m-%Y}"},
            _to_case(case, f"meeting-{meeting.pk}"),
        ),
        template="cases/meeting_form.html",
        context=context,
    )


def _meeting_context(case: Case, form: MeetingForm, attendees: Any, actions: Any) -> dict[str, Any]:
    return {
        "case": case,
        "form": form,
        "attendees": attendees,
        "actions": actions,
        "add_row": MEETING_ADD_ROW,
    }


# --- the plan of approach -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A new version of the plan: the first written whole with its interventions,
    every later one as a copy of the latest with its own focus and explanation."""
    case = _working_on(request, pk).case
    versions = plan_versions_outline(case)
    _in_force, in_progress = live_plan_versions(versions)
    if in_progress is not None:
        return redirect("cases:plan_version", pk=case.pk, version_id=in_progress.pk)
    base = versions[-1] if versions else None  # the latest
    if base is None:
        return _plan_first(request, case)

    form = PlanNewFromForm(request.POST if request.method == "POST" else None)
    return service_form_page(
        request,
        form,
        lambda data: plan_version_new_from(
            case=case, focus=data["focus"], explanation=data["explanation"], by=request.user
        ),
        fields_by_code=PLAN_FIELDS,
        done=lambda version: success(
            request,
            PLAN_VERSION_COPIED % {"number": version.number, "base": base.number},
            redirect("cases:plan_version", pk=case.pk, version_id=version.pk),
        ),
        template="cases/plan_new.html",
        context={"case": case, "form": form, "base": base},
    )


def _plan_first(request: AuthenticatedRequest, case: Case) -> HttpResponse:
    posted = request.method == "POST"
    form = PlanTextForm(request.POST if posted else None)
    interventions = (
        _added_row(request, InterventionFormSet, "interventies")
        if posted
        else InterventionFormSet(prefix="interventies")
    )
    context = {
        "case": case,
        "form": form,
        "interventions": interventions,
        "add_row": MEETING_ADD_ROW,
    }
    if posted and request.POST.get(MEETING_ADD_ROW):
        _quiet(form, interventions)
        return form_page(request, "cases/plan_new.html", context, status=200)
    return service_form_page(
        request,
        form,
        lambda text: plan_version_create(
            case=case,
            concerns=text["concerns"],
            goals=text["goals"],
            course=text["course"],
            joint_task=text["joint_task"],
            focus=text["focus"],
            explanation=text["explanation"],
            interventions=[
                InterventionInput(
                    description=row["description"],
                    pillar=row["pillar"],
                    responsible_organisation=row["responsible_organisation"],
                    deadline=row["deadline"],
                )
                for row in kept_rows(interventions)
            ],
            by=request.user,
        ),
        also=(interventions,),
        fields_by_code=PLAN_FIELDS,
        done=lambda version: success(
            request,
            PLAN_VERSION_CREATED % {"number": version.number},
            redirect("cases:plan_version", pk=case.pk, version_id=version.pk),
        ),
        template="cases/plan_new.html",
        context=context,
    )


def _plan_forms(version: PlanVersion, data: Any = None, step: str = "") -> dict[str, forms.Form]:
    """The forms of the plan page, the posted one bound to ``data``."""
    today = timezone.localdate()
    revision = {"revision": version.revision}
    text = {name: getattr(version, name) for name in PlanTextForm.base_fields}
    return {
        "tekst": PlanEditForm(data if step == "tekst" else None, initial={**text, **revision}),
        "interventie": InterventionAddForm(
            data if step == "interventie" else None, initial=revision
        ),
        "advies": PlanAdviceForm(
            data if step == "advies" else None, initial={**revision, "given_on": today}
        ),
        "vaststellen": PlanAdoptForm(
            data if step == "vaststellen" else None, initial={**revision, "adopted_on": today}
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_version(request: AuthenticatedRequest, pk: int, version_id: int) -> HttpResponse:
    """One version of the plan. While it is in progress: edit its text, add an
    intervention, record the ITAT-R advice, adopt it."""
    access = case_access_for(request.user, pk, need="view_case")
    case = access.case
    version = plan_version_of(case, version_id)
    if version is None:
        raise Http404
    may_work = access.allows("work_on_case") and case.is_open and not version.is_adopted
    # Progress is recorded on the plan that holds and the version in progress
    # (intervention_record_progress), also after adoption.
    may_record_progress = (
        access.allows("work_on_case")
        and case.is_open
        and version in live_plan_versions(plan_versions_of(case))
    )
    step = request.POST.get("stap", "") if request.method == "POST" else ""
    if request.method == "POST":
        _working_on(request, pk)  # 403 for who only reads the case
        if not may_work:
            messages.error(request, PLAN_ADOPTED_IMMUTABLE)
            return redirect("cases:plan_version", pk=case.pk, version_id=version.pk)
        if step not in PLAN_STEPS:
            raise Http404
    else:
        case_read_record(access=access, user=request.user, obj=version, request=request)

    plan_forms = _plan_forms(version, request.POST, step)
    shown = target = version

    def page() -> dict[str, Any]:
        return {
            "case": case,
            "version": shown,
            "may_work": may_work,
            "may_record_progress": may_record_progress,
            # Whoever works on the open case renders the version as a PDF for ITAT-R
            # (documents/permissions.py may_generate_documents).
            "may_make_pdf": access.allows("work_on_case") and case.is_open,
            "plan_forms": plan_forms,
        }

    if request.method != "POST":
        return form_page(request, "cases/plan_version.html", page(), status=200)
    form = plan_forms[step]

    def stale() -> None:
        nonlocal shown
        shown = plan_version_of(case, version_id) or shown
        form.data = with_current_revision(form.data, shown.revision)
        show_stale(form)

    return service_form_page(
        request,
        form,
        lambda _data: _plan_step(request, target, step, form),
        fields_by_code=PLAN_FIELDS,
        done=lambda _result: redirect("cases:plan_version", pk=case.pk, version_id=target.pk),
        on_stale=stale,
        template="cases/plan_version.html",
        context=page,
    )


def _plan_step(
    request: AuthenticatedRequest, version: PlanVersion, step: str, form: forms.Form
) -> None:
    data, by = form.cleaned_data, request.user
    expected = data["revision"]
    if step == "tekst":
        plan_version_update(
            version=version,
            by=by,
            expected_revision=expected,
            **{name: data[name] for name in PlanTextForm.base_fields},
        )
        messages.success(request, PLAN_TEXT_SAVED % {"number": version.number})
    elif step == "interventie":
        intervention_add(
            version=version,
            description=data["description"],
            pillar=data["pillar"],
            responsible_organisation=data["responsible_organisation"],
            deadline=data["deadline"],
            by=by,
            expected_revision=expected,
        )
        messages.success(request, INTERVENTION_ADDED % {"number": version.number})
    elif step == "advies":
        plan_record_itat_advice(
            version=version,
            given_on=data["given_on"],
            recommendation=data["recommendation"],
            advice=data["advice"],
            by=by,
            expected_revision=expected,
        )
        messages.success(request, PLAN_ADVICE_RECORDED % {"number": version.number})
    else:
        plan_version_adopt(
            version=version, adopted_on=data["adopted_on"], by=by, expected_revision=expected
        )
        messages.success(request, PLAN_ADOPTED % {"number": version.number})


@login_required
@require_GET
def plan_compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What changed between two versions of the plan: text and interventions."""
    access = case_access_for(request.user, pk, need="view_case")
    case = access.case
    form = PlanCompareForm(request.GET or None, case=case)
    comparison = None
    if form.is_valid():
        comparison = plan_versions_compare(
            older=form.cleaned_data["older"], newer=form.cleaned_data["newer"]
        )
        for version in (comparison.older, comparison.newer):
            case_read_record(access=access, user=request.user, obj=version, request=request)
    return form_page(
        request, "cases/plan_compare.html", {"case": case, "form": form, "comparison": comparison}
    )


# --- phase, exit, weighing, evaluation ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def phase_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move the case one phase forward or back, with the reason."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = PhaseChangeForm(
        request.POST if posted else None,
        case=case,
        initial={"revision": case.revision, "on": timezone.localdate()},
    )

    def stale() -> None:
        nonlocal case, form
        case = _working_on(request, pk).case
        form = form_again_after_stale(
            lambda data: PhaseChangeForm(data, case=case), request.POST, revision=case.revision
        )

    return service_form_page(
        request,
        form,
        lambda data: case_change_phase(
            case=case,
            to_phase=data["to_phase"],
            reason=data["reason"],
            on=data["on"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=PHASE_FIELDS,
        done=lambda changed: success(
            request,
            PHASE_CHANGED % {"phase": changed.get_phase_display()},
            _to_case(case, "phases"),
        ),
        on_stale=stale,
        template="cases/phase_form.html",
        context=lambda: {"case": case, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exit_propose_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The team's joint judgement leads to an exit proposal."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = ExitProposeForm(request.POST if posted else None, initial={"on": timezone.localdate()})
    return service_form_page(
        request,
        form,
        lambda data: exit_propose(
            case=case,
            ground=data["ground"],
            team_judgement=data["team_judgement"],
            on=data["on"],
            by=request.user,
            handover_organisation=data["handover_organisation"],
            destination=data["destination"],
            ground_explanation=data["ground_explanation"],
        ),
        fields_by_code=EXIT_FIELDS,
        done=lambda _result: success(request, EXIT_PROPOSED, _to_case(case, "exits")),
        template="cases/exit_form.html",
        context={"case": case, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A weighing with the dynamic assessment framework."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = AssessmentForm(
        request.POST if posted else None, initial={"assessed_on": timezone.localdate()}
    )
    return service_form_page(
        request,
        form,
        lambda data: assessment_record(case=case, by=request.user, **data),
        fields_by_code=ASSESSMENT_FIELDS,
        done=lambda _result: success(request, ASSESSMENT_RECORDED, _to_case(case, "assessments")),
        template="cases/assessment_form.html",
        context={"case": case, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A monthly or two-yearly evaluation, with the weighing repeated."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = EvaluationForm(
        request.POST if posted else None, initial={"held_on": timezone.localdate()}
    )
    return service_form_page(
        request,
        form,
        lambda data: evaluation_record(
            case=case,
            kind=data["kind"],
            held_on=data["held_on"],
            findings=data["findings"],
            by=request.user,
            exit_possible=data["exit_possible"],
            assessment=AssessmentInput(
                care_criterion=data["care_criterion"],
                safety_criterion=data["safety_criterion"],
                risk_level=data["risk_level"],
                reasoning=data["reasoning"],
            ),
            plan_needs_update=data["plan_needs_update"],
            plan_focus=data["plan_focus"],
            plan_explanation=data["plan_explanation"],
        ),
        fields_by_code=EVALUATION_FIELDS,
        done=lambda _result: success(request, EVALUATION_RECORDED, _to_case(case, "evaluations")),
        template="cases/evaluation_form.html",
        context={"case": case, "form": form},
    )


# --- hand-over ------------------------------------------------------------------------


def regisseur_choice_form(form_class: Any, case: Case, data: Any = None) -> Any:
    """A form that picks regisseurs from today's active pool (a hand-over, another
    buddy), each shown with his free places, for ``case`` at its current revision."""
    today = timezone.localdate()
    return form_class(
        data,
        regisseurs=regisseurs_active(on=today),
        places=caseload_labels(pool_overview(on=today).rows),
        initial={"revision": case.revision, "on": today},
    )


def _hand_over_form(case: Case, data: Any = None) -> HandOverForm:
    form: HandOverForm = regisseur_choice_form(HandOverForm, case, data)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Hand the case over to another regisseur and/or give it another buddy. Going
    over the maximum caseload is allowed: it is shown as a warning."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = _hand_over_form(case, request.POST if posted else None)

    def hand(data: dict[str, Any]) -> Any:
        common = {
            "case": case,
            "reason": data["reason"],
            "on": data["on"],
            "by": request.user,
            "expected_revision": data["revision"],
        }
        if data["to_regisseur"] is not None:
            return case_hand_over(
                to_regisseur=data["to_regisseur"], new_buddy=data["new_buddy"], **common
            )
        return case_change_buddy(to_buddy=data["new_buddy"], **common)

    def handed(result: Any) -> HttpResponse:
        messages.success(request, HANDED_OVER)
        for warning in result.warnings:
            messages.warning(request, warning)
        if user_may(request.user, case, "view_case"):
            return _to_case(case, "assignments")
        return redirect("cases:list")

    def stale() -> None:
        nonlocal case, form
        case = _working_on(request, pk).case
        form = form_again_after_stale(
            lambda data: _hand_over_form(case, data), request.POST, revision=case.revision
        )

    return service_form_page(
        request,
        form,
        hand,
        fields_by_code=HAND_OVER_FIELDS,
        done=handed,
        on_stale=stale,
        template="cases/hand_over_form.html",
        context=lambda: {"case": case, "form": form},
    )
