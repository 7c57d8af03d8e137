"""PTO-R's meeting pages: the list, a new meeting, the meeting page with a form per
step (each posted to its own address and shown again on the meeting page when
refused), and the adopted minutes as a PDF. Case items show case numbers only; the
meeting page and the minutes read exit proposals (case content): each read is logged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from audit.models import AccessLog
from audit.services import access_record_many
from cases.models import ExitProcedure
from kernel.views import service_form_page, success

from . import services
from .forms import (
    AttendanceForm,
    ItemCarryForm,
    ItemDecideForm,
    ItemForm,
    ItemTextsForm,
    NewMeetingForm,
    ReactionForm,
    RevisionForm,
)
from .models import AgendaItem, Meeting, MeetingStatus, Presence
from .pdf import minutes_pdf
from .permissions import may_decide_in_meeting, may_prepare_meetings, may_see_meetings
from .selectors import (
    later_meetings_to_carry_to,
    meeting_with_agenda,
    meetings,
    meetings_whose_minutes_wait,
    quorum,
)

ONLY_PTO_R_AND_PROGRAMME_TEAM = _(
    "Alleen het programmateam en de leden van het PTO-R zien de vergaderingen van het PTO-R."
)
MEETING_READ_PURPOSE = "Uitstroomvoorstel ingezien in de vergadering van het PTO-R."
MINUTES_READ_PURPOSE = "Vastgesteld verslag van het PTO-R gedownload."

MEETING_PREPARED = _("De vergadering van %(date)s is aangemaakt.")
ITEM_ADDED = _("Het agendapunt is toegevoegd.")
CASE_ITEMS_ADDED = _("%(count)s uitstroomvoorstellen staan op de agenda.")
AGENDA_ADOPTED = _("De agenda is vastgesteld.")
ATTENDANCE_RECORDED = _("De aanwezigheid is vastgelegd.")
REACTION_RECORDED = _("De reactie per mail is vastgelegd.")
ITEM_RECORDED = _("Besluit, conclusies en vervolg zijn vastgelegd.")
EXIT_APPROVED = _("Het PTO-R heeft besloten tot uitstroom: %(case)s.")
EXIT_REJECTED = _("Het PTO-R is niet akkoord met uitstroom: %(case)s loopt door.")
ITEM_CARRIED = _("Het agendapunt is doorgeschoven naar de vergadering van %(date)s.")
MINUTES_ADOPTED = _("Het verslag van de vergadering van %(date)s is vastgesteld.")
MEETING_CLOSED = _(
    "De vergadering is gesloten; het verslag wordt in de volgende vergadering vastgesteld."
)

MEETING_FIELDS = {
    "unknown_form": "form",
    "previous_not_earlier": "previous",
    "previous_taken": "previous",
}
ITEM_FIELDS = {"title_required": "title", "kind_case": "kind", "unknown_kind": "kind"}
REACTION_FIELDS = {"reaction_required": "reaction", "not_absent": "attendance"}
DECIDE_FIELDS = {
    "unknown_decision": "decision",
    "reasoning_required": "reasoning",
    "decision_before_advice": "reasoning",
}
CARRY_FIELDS = {"not_later_concept": "to", "case_to_online": "to"}


def _readers_only(request: AuthenticatedRequest) -> None:
    if not may_see_meetings(request.user):
        raise PermissionDenied(ONLY_PTO_R_AND_PROGRAMME_TEAM)


def _preparers_only(request: AuthenticatedRequest) -> None:
    if not may_prepare_meetings(request.user):
        raise PermissionDenied(services.ONLY_PROGRAMME_TEAM)


def _day(meeting: Meeting) -> str:
    return f"{meeting.date:%d-%m-%Y}"


@login_required
@require_GET
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    _readers_only(request)
    return render(
        request,
        "ptor/meeting_list.html",
        {"meetings": meetings(), "may_prepare": may_prepare_meetings(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthenticatedRequest) -> HttpResponse:
    _preparers_only(request)
    form = NewMeetingForm(request.POST or None, previous=meetings_whose_minutes_wait())
    return service_form_page(
        request,
        form,
        lambda data: services.meeting_prepare(
            date=data["date"], form=data["form"], previous=data["previous"], by=request.user
        ),
        fields_by_code=MEETING_FIELDS,
        done=lambda meeting: success(
            request,
            MEETING_PREPARED % {"date": _day(meeting)},
            redirect("ptor:meeting_detail", pk=meeting.pk),
        ),
        template="ptor/meeting_new.html",
        context={"form": form},
    )


# --- the meeting page -----------------------------------------------------------------


def _load(pk: int) -> Meeting:
    meeting = meeting_with_agenda(pk).first()
    if meeting is None:
        raise Http404
    return meeting


def _next_meeting(meeting: Meeting) -> Meeting | None:
    try:
        return meeting.next_meeting
    except Meeting.DoesNotExist:
        return None


def _page(
    request: AuthenticatedRequest, meeting: Meeting, posted: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    """The meeting page's context: the agenda, attendance and quorum, and the forms of
    the steps open to the user now (``posted``: the one sent, with its errors)."""
    posted = posted or {}
    items = list(meeting.items.all())
    attendances = list(meeting.attendances.all())
    prepares = may_prepare_meetings(request.user)
    decides = may_decide_in_meeting(request.user)
    status = meeting.status
    running = status == MeetingStatus.AGENDA_ADOPTED
    minutes_open = status in (MeetingStatus.AGENDA_ADOPTED, MeetingStatus.HELD)
    later = list(later_meetings_to_carry_to(meeting)) if prepares and running else []

    shown: set[str] = set()

    def bound(key: str, make: Callable[[], forms.Form]) -> forms.Form:
        shown.add(key)
        return posted.get(key) or make()

    def item_forms(item: AgendaItem) -> dict[str, forms.Form]:
        forms_of: dict[str, forms.Form] = {}
        if prepares and minutes_open:
            forms_of["texts"] = bound(
                f"texts-{item.pk}",
                lambda: ItemTextsForm(
                    prefix=f"texts{item.pk}",
                    case=item.is_case,
                    initial={
                        "revision": item.revision,
                        "decision": item.decision,
                        "conclusions": item.conclusions,
                        "follow_up": item.follow_up,
                    },
                ),
            )
        if running and not item.is_dealt_with:
            if decides and item.is_case and not meeting.is_online:
                forms_of["decide"] = bound(
                    f"decide-{item.pk}",
                    lambda: ItemDecideForm(
                        prefix=f"decide{item.pk}", initial={"revision": item.revision}
                    ),
                )
            if prepares and later:
                forms_of["carry"] = bound(
                    f"carry-{item.pk}",
                    lambda: ItemCarryForm(
                        prefix=f"carry{item.pk}", later=later, initial={"revision": item.revision}
                    ),
                )
        return forms_of

    rows = [{"item": item, "forms": item_forms(item)} for item in items]

    context: dict[str, Any] = {
        "meeting": meeting,
        "rows": rows,
        "attendances": attendances,
        "present": [a for a in attendances if a.presence == Presence.PRESENT],
        "absent": [a for a in attendances if a.presence == Presence.ABSENT],
        "quorum": quorum(attendances),
        "next_meeting": _next_meeting(meeting),
        "may_prepare": prepares,
        "may_decide": decides,
        "has_case_items": any(item.is_case for item in items),
    }
    if prepares and status == MeetingStatus.CONCEPT:
        context["item_form"] = bound("item", ItemForm)
        if not meeting.is_online:
            context["cases_form"] = bound(
                "cases",
                lambda: RevisionForm(prefix="cases", initial={"revision": meeting.revision}),
            )
        context["adopt_form"] = bound(
            "adopt", lambda: RevisionForm(prefix="adopt", initial={"revision": meeting.revision})
        )
    if prepares and running:
        context["attendance_form"] = bound(
            "attendance", lambda: AttendanceForm(prefix="attendance", attendances=attendances)
        )
        context["close_form"] = bound(
            "close", lambda: RevisionForm(prefix="close", initial={"revision": meeting.revision})
        )
        if meeting.previous is not None and meeting.previous.status == MeetingStatus.HELD:
            context["minutes_form"] = bound(
                "minutes",
                lambda: RevisionForm(prefix="minutes", initial={"revision": meeting.revision}),
            )
    if prepares and minutes_open and context["absent"]:
        context["reaction_form"] = bound(
            "reaction",
            lambda: ReactionForm(
                prefix="reaction", absent=meeting.attendances.filter(presence=Presence.ABSENT)
            ),
        )
    # A refusal of a step whose form is not on the page (any more) shows above the agenda.
    context["refusals"] = [
        error
        for key, form in posted.items()
        if key not in shown
        for error in form.non_field_errors()
    ]
    procedures: list[Model] = [item.exit_procedure for item in items if item.exit_procedure]
    if procedures:
        # The team's judgement and the advice are case content: the read is logged.
        access_record_many(
            user=request.user, objects=procedures, request=request, purpose=MEETING_READ_PURPOSE
        )
    return context


@login_required
@require_GET
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _readers_only(request)
    return render(request, "ptor/meeting_detail.html", _page(request, _load(pk)))


def _step(
    request: AuthenticatedRequest,
    meeting: Meeting,
    *,
    key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    message: Callable[[Any], Any],
    fields_by_code: dict[str, str] | None = None,
) -> HttpResponse:
    """One step on the meeting page: the service on success (back to the page with
    the message), else the page again with ``form`` and its refusal."""
    return service_form_page(
        request,
        form,
        call,
        fields_by_code=fields_by_code,
        done=lambda result: success(
            request, message(result), redirect("ptor:meeting_detail", pk=meeting.pk)
        ),
        on_stale=None,
        template="ptor/meeting_detail.html",
        context=lambda: _page(request, _load(meeting.pk), {key: form}),
    )


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("exit_procedure__case"), pk=item_id, meeting=meeting
    )


@login_required
@require_POST
def item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = ItemForm(request.POST)
    return _step(
        request,
        meeting,
        key="item",
        form=form,
        call=lambda data: services.item_add(
            meeting=meeting, kind=data["kind"], title=data["title"], by=request.user
        ),
        message=lambda item: ITEM_ADDED,
        fields_by_code=ITEM_FIELDS,
    )


@login_required
@require_POST
def case_items_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RevisionForm(request.POST, prefix="cases")
    return _step(
        request,
        meeting,
        key="cases",
        form=form,
        call=lambda data: services.case_items_add(meeting=meeting, by=request.user),
        message=lambda items: CASE_ITEMS_ADDED % {"count": len(items)},
    )


@login_required
@require_POST
def agenda_adopt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RevisionForm(request.POST, prefix="adopt")
    return _step(
        request,
        meeting,
        key="adopt",
        form=form,
        call=lambda data: services.agenda_adopt(
            meeting=meeting, by=request.user, expected_revision=data["revision"]
        ),
        message=lambda result: AGENDA_ADOPTED,
    )


@login_required
@require_POST
def attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = AttendanceForm(
        request.POST,
        prefix="attendance",
        attendances=list(meeting.attendances.select_related("member", "organisation")),
    )
    return _step(
        request,
        meeting,
        key="attendance",
        form=form,
        call=lambda data: services.attendance_record(
            meeting=meeting, presences=form.presences(), by=request.user
        ),
        message=lambda rows: ATTENDANCE_RECORDED,
    )


@login_required
@require_POST
def reaction(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = ReactionForm(
        request.POST,
        prefix="reaction",
        absent=meeting.attendances.filter(presence=Presence.ABSENT),
    )
    return _step(
        request,
        meeting,
        key="reaction",
        form=form,
        call=lambda data: services.reaction_record(
            attendance=data["attendance"],
            reaction=data["reaction"],
            received_on=data["received_on"],
            by=request.user,
        ),
        message=lambda result: REACTION_RECORDED,
        fields_by_code=REACTION_FIELDS,
    )


@login_required
@require_POST
def item_texts(request: AuthenticatedRequest, pk: int, item_id: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    item = _item(meeting, item_id)
    form = ItemTextsForm(request.POST, prefix=f"texts{item.pk}", case=item.is_case)
    return _step(
        request,
        meeting,
        key=f"texts-{item.pk}",
        form=form,
        call=lambda data: services.item_record(
            item=item,
            decision=data.get("decision", item.decision),
            conclusions=data["conclusions"],
            follow_up=data["follow_up"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        message=lambda result: ITEM_RECORDED,
        fields_by_code={"case_decision": "decision"},
    )


@login_required
@require_POST
def item_decide(request: AuthenticatedRequest, pk: int, item_id: int) -> HttpResponse:
    _readers_only(request)
    if not may_decide_in_meeting(request.user):
        raise PermissionDenied(services.ONLY_PTO_R_DECIDES)
    meeting = get_object_or_404(Meeting, pk=pk)
    item = _item(meeting, item_id)
    form = ItemDecideForm(request.POST, prefix=f"decide{item.pk}")

    def message(result: AgendaItem) -> Any:
        approved = result.exit_decision == ExitProcedure.Decision.APPROVED
        text = EXIT_APPROVED if approved else EXIT_REJECTED
        return text % {"case": item.title}

    return _step(
        request,
        meeting,
        key=f"decide-{item.pk}",
        form=form,
        call=lambda data: services.item_decide_exit(
            item=item,
            decision=data["decision"],
            reasoning=data["reasoning"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        message=message,
        fields_by_code=DECIDE_FIELDS,
    )


@login_required
@require_POST
def item_carry(request: AuthenticatedRequest, pk: int, item_id: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    item = _item(meeting, item_id)
    form = ItemCarryForm(
        request.POST, prefix=f"carry{item.pk}", later=list(later_meetings_to_carry_to(meeting))
    )
    return _step(
        request,
        meeting,
        key=f"carry-{item.pk}",
        form=form,
        call=lambda data: services.item_carry(
            item=item, to=data["to"], by=request.user, expected_revision=data["revision"]
        ),
        message=lambda carried: ITEM_CARRIED % {"date": _day(carried.meeting)},
        fields_by_code=CARRY_FIELDS,
    )


@login_required
@require_POST
def minutes_adopt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RevisionForm(request.POST, prefix="minutes")
    return _step(
        request,
        meeting,
        key="minutes",
        form=form,
        call=lambda data: services.minutes_adopt(
            meeting=meeting, by=request.user, expected_revision=data["revision"]
        ),
        message=lambda previous: MINUTES_ADOPTED % {"date": _day(previous)},
    )


@login_required
@require_POST
def meeting_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _preparers_only(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RevisionForm(request.POST, prefix="close")
    return _step(
        request,
        meeting,
        key="close",
        form=form,
        call=lambda data: services.meeting_close(
            meeting=meeting, by=request.user, expected_revision=data["revision"]
        ),
        message=lambda result: MEETING_CLOSED,
    )


@login_required
@require_GET
def minutes_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The adopted minutes as a PDF; none before they are adopted."""
    _readers_only(request)
    meeting = _load(pk)
    if meeting.status != MeetingStatus.MINUTES_ADOPTED:
        raise Http404
    items = list(meeting.items.all())
    procedures: list[Model] = [item.exit_procedure for item in items if item.exit_procedure]
    access_record_many(
        user=request.user,
        objects=procedures,
        action=AccessLog.Action.DOWNLOAD,
        request=request,
        purpose=MINUTES_READ_PURPOSE,
    )
    response = HttpResponse(minutes_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="verslag-pto-r-{meeting.date:%Y-%m-%d}.pdf"'
    )
    return response
