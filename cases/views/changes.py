"""Changes along the way, by the regisseur of the case or the programme team: the
intervention team (members joining and leaving, with the basis of the information
sharing), another buddy, corrected person data, a move (which opens the exit
procedure at once, docs/rules.md R-EXIT-2) and the concept interventions of a plan
version not yet adopted.

Like the other workflow forms: the case is reached through cases/access.py (404 for
a case one may not see, 403 without the right to work on it), a record through the
case (404 when it belongs to another), the change is one service call through
``service_form_page``, and the read of person data the page shows is logged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from kernel.locking import show_stale, with_current_revision
from kernel.views import service_form_page, success

from ..access import CASE_PERMISSION_REFUSED, CaseAccess, case_access_for
from ..forms import (
    BuddyChangeForm,
    InterventionEditForm,
    InterventionRemoveForm,
    MoveForm,
    PersonEditForm,
    TeamLeaveForm,
    TeamMemberForm,
)
from ..models import Case, Intervention, Person, TeamMember
from ..permissions import users_who_may_join_case_teams
from ..selectors.case_page import case_page_url
from ..selectors.cases import person_of
from ..services.assignments import case_change_buddy
from ..services.exits import case_record_move
from ..services.intake import person_update
from ..services.plans import intervention_remove, intervention_update
from ..services.reads import case_read_record
from ..services.team import team_member_add, team_member_leave
from .workflow import regisseur_choice_form

TEAM_MEMBER_ADDED = _("%(name)s is toegevoegd aan het interventieteam.")
TEAM_MEMBER_LEFT = _("Het vertrek van %(name)s uit het interventieteam is vastgelegd.")
BUDDY_CHANGED = _("De nieuwe buddy is vastgelegd.")
PERSON_CORRECTED = _("De persoonsgegevens zijn gecorrigeerd.")
MOVE_RECORDED = _(
    "De verhuizing is vastgelegd: de uitstroomprocedure is gestart (grond: %(ground)s)."
)
INTERVENTION_CHANGED = _("De interventie is gewijzigd.")
INTERVENTION_REMOVED = _("De interventie is uit versie %(number)s verwijderd.")
PERSON_EDIT_PURPOSE = "Persoonsgegevens corrigeren"

# Which form field a service's error code belongs on; other codes go above the form.
TEAM_FIELDS = {
    "name_required": "name",
    "organisation_required": "organisation",
    "sharing_basis_required": "sharing_basis",
    "account_not_team_member": "user",
    "account_other_organisation": "user",
    "already_member": "user",
    "in_future": "joined_on",
    "before_registration": "joined_on",
}
TEAM_LEAVE_FIELDS = {"before_joined": "left_on", "in_future": "left_on"}
BUDDY_FIELDS = {
    "reason_required": "reason",
    "date_too_early": "on",
    "buddy_is_regisseur": "new_buddy",
    "same_buddy": "new_buddy",
}
PERSON_FIELDS = {
    "bsn_format": "bsn",
    "bsn_eleven_check": "bsn",
    "birth_after_registration": "date_of_birth",
}
MOVE_FIELDS = {
    "destination_required": "destination",
    "contact_required": "municipality_contact",
    "weighing_required": "information_weighing",
    "in_future": "moved_on",
    "before_registration": "moved_on",
}
INTERVENTION_FIELDS = {"required": "description"}


def _working_on(request: AuthenticatedRequest, pk: int) -> CaseAccess:
    return case_access_for(request.user, pk, need="work_on_case")


def _to_case(case: Case, anchor: str) -> HttpResponse:
    return redirect(case_page_url(case.pk, anchor))


def _stale(form: Any, revision: int) -> None:
    """The refused form again with the present revision (the refusal itself is already
    on the form: ``call_service`` put it there)."""
    form.data = with_current_revision(form.data, revision)
    show_stale(form)


# --- the intervention team ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The intervention team: who is and was in it, and a form to add a member."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = TeamMemberForm(
        request.POST if posted else None,
        accounts=users_who_may_join_case_teams(),
        initial={"joined_on": timezone.localdate()},
    )
    members = TeamMember.objects.filter(case=case).select_related("organisation", "user")
    return service_form_page(
        request,
        form,
        lambda data: team_member_add(case=case, **data, by=request.user),
        fields_by_code=TEAM_FIELDS,
        done=lambda member: success(
            request,
            TEAM_MEMBER_ADDED % {"name": member.name},
            redirect("cases:team", pk=case.pk),
        ),
        template="cases/team.html",
        context=lambda: {"case": case, "form": form, "members": list(members)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_leave(request: AuthenticatedRequest, pk: int, member_id: int) -> HttpResponse:
    """A member leaves the team: his or her account's access ends that day."""
    case = _working_on(request, pk).case
    member = get_object_or_404(
        TeamMember.objects.select_related("organisation"), case=case, pk=member_id
    )
    posted = request.method == "POST"
    form = TeamLeaveForm(
        request.POST if posted else None, initial={"left_on": timezone.localdate()}
    )
    return service_form_page(
        request,
        form,
        lambda data: team_member_leave(
            member=member, left_on=data["left_on"], by=request.user, case=case
        ),
        fields_by_code=TEAM_LEAVE_FIELDS,
        done=lambda left: success(
            request, TEAM_MEMBER_LEFT % {"name": left.name}, redirect("cases:team", pk=case.pk)
        ),
        template="cases/team_leave_form.html",
        context={"case": case, "member": member, "form": form},
    )


# --- another buddy -------------------------------------------------------------------------


def _buddy_form(case: Case, data: Any = None) -> BuddyChangeForm:
    form: BuddyChangeForm = regisseur_choice_form(BuddyChangeForm, case, data)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def buddy_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Give the case another buddy; the regisseur stays."""
    case = _working_on(request, pk).case
    form = _buddy_form(case, request.POST if request.method == "POST" else None)

    def stale() -> None:
        nonlocal case
        case = _working_on(request, pk).case
        _stale(form, case.revision)

    return service_form_page(
        request,
        form,
        lambda data: case_change_buddy(
            case=case,
            to_buddy=data["new_buddy"],
            reason=data["reason"],
            on=data["on"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=BUDDY_FIELDS,
        done=lambda _result: success(request, BUDDY_CHANGED, _to_case(case, "assignments")),
        on_stale=stale,
        template="cases/buddy_form.html",
        context=lambda: {"case": case, "form": form},
    )


# --- person data ---------------------------------------------------------------------------


def _person_initial(person: Person, revision: int) -> dict[str, Any]:
    fields = ("first_name", "last_name", "date_of_birth", "address", "bsn")
    return {"revision": revision, **{name: getattr(person, name) for name in fields}}


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Correct the person's data; the form shows it, so the read is logged, and the
    change is kept in the person's history with its author."""
    access = _working_on(request, pk)
    if not access.allows("view_person_data"):
        raise PermissionDenied(CASE_PERMISSION_REFUSED)
    case = access.case
    try:
        person = person_of(case)
    except Person.DoesNotExist:
        raise Http404 from None
    case_read_record(
        access=access, user=request.user, obj=person, request=request, purpose=PERSON_EDIT_PURPOSE
    )
    posted = request.method == "POST"
    form = PersonEditForm(
        request.POST if posted else None, initial=_person_initial(person, case.revision)
    )

    def stale() -> None:
        nonlocal case
        case = _working_on(request, pk).case
        _stale(form, case.revision)

    return service_form_page(
        request,
        form,
        lambda data: person_update(
            case=case,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            address=data["address"],
            bsn=data["bsn"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=PERSON_FIELDS,
        done=lambda _person: success(
            request, PERSON_CORRECTED, redirect("cases:person", pk=case.pk)
        ),
        on_stale=stale,
        template="cases/person_form.html",
        context=lambda: {"case": case, "form": form, "person": person},
    )


# --- a move ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The person moved to another municipality or abroad: the exit procedure
    starts at once, in any phase."""
    case = _working_on(request, pk).case
    posted = request.method == "POST"
    form = MoveForm(request.POST if posted else None, initial={"moved_on": timezone.localdate()})
    return service_form_page(
        request,
        form,
        lambda data: case_record_move(case=case, **data, by=request.user),
        fields_by_code=MOVE_FIELDS,
        done=lambda procedure: success(
            request,
            MOVE_RECORDED % {"ground": procedure.get_ground_display()},
            _to_case(case, "exits"),
        ),
        template="cases/move_form.html",
        context={"case": case, "form": form},
    )


# --- concept interventions ------------------------------------------------------------------


def _concept_intervention(case: Case, intervention_id: int) -> Intervention:
    """An intervention of one of ``case``'s versions (404 otherwise); the service
    refuses one of an adopted version."""
    return get_object_or_404(
        Intervention.objects.select_related("plan_version", "responsible_organisation"),
        plan_version__case=case,
        pk=intervention_id,
    )


def _to_version(intervention: Intervention) -> HttpResponse:
    version = intervention.plan_version
    return redirect("cases:plan_version", pk=version.case_id, version_id=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def intervention_edit(request: AuthenticatedRequest, pk: int, intervention_id: int) -> HttpResponse:
    """Change what was agreed about an intervention of a version not yet adopted."""
    case = _working_on(request, pk).case
    intervention = _concept_intervention(case, intervention_id)
    version = intervention.plan_version
    posted = request.method == "POST"
    form = InterventionEditForm(
        request.POST if posted else None,
        initial={
            "revision": version.revision,
            "description": intervention.description,
            "pillar": intervention.pillar,
            "responsible_organisation": intervention.responsible_organisation_id,
            "deadline": intervention.deadline,
        },
    )

    def stale() -> None:
        version.refresh_from_db()
        _stale(form, version.revision)

    return service_form_page(
        request,
        form,
        lambda data: intervention_update(
            intervention=intervention,
            description=data["description"],
            pillar=data["pillar"],
            responsible_organisation=data["responsible_organisation"],
            deadline=data["deadline"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        fields_by_code=INTERVENTION_FIELDS,
        done=lambda _result: success(request, INTERVENTION_CHANGED, _to_version(intervention)),
        on_stale=stale,
        template="cases/intervention_edit_form.html",
        context=lambda: {"case": case, "intervention": intervention, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_delete(
    request: AuthenticatedRequest, pk: int, intervention_id: int
) -> HttpResponse:
    """Take an intervention out of a version not yet adopted, after a confirmation."""
    case = _working_on(request, pk).case
    intervention = _concept_intervention(case, intervention_id)
    version = intervention.plan_version
    posted = request.method == "POST"
    form = InterventionRemoveForm(
        request.POST if posted else None, initial={"revision": version.revision}
    )

    def stale() -> None:
        version.refresh_from_db()
        _stale(form, version.revision)

    return service_form_page(
        request,
        form,
        lambda data: intervention_remove(
            intervention=intervention, by=request.user, expected_revision=data["revision"]
        ),
        done=lambda _result: success(
            request, INTERVENTION_REMOVED % {"number": version.number}, _to_version(intervention)
        ),
        on_stale=stale,
        template="cases/intervention_remove_form.html",
        context=lambda: {"case": case, "intervention": intervention, "form": form},
    )
