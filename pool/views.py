"""The pool pages: pool management, absences, caseload reviews, three-way talks, the
team rhythm and a manager's figures. Thin: who may see what and the data come from
pool.selectors, every change from pool.services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.services_roles import PoolRoleOutcome
from audit.services import access_record
from kernel.locking import show_stale, with_current_revision
from kernel.views import service_form_page, success

from . import services
from .forms import (
    AbsenceEditForm,
    AbsenceEndForm,
    AbsenceForm,
    AttendanceForm,
    CaseloadReviewForm,
    EndMembershipForm,
    PoolDecisionForm,
    RegisseurAddForm,
    RegisseurEditForm,
    TeamActivityForm,
    ThreeWayTalkForm,
)
from .models import Absence, Regisseur, TeamActivity
from .permissions import (
    may_manage_pool,
    may_record_caseload_review,
    may_record_pool_decision,
    may_record_three_way_talk,
    may_see_caseload_reviews,
    may_see_organisation_caseload,
    may_see_pool_decisions,
    may_see_three_way_talks,
)
from .selectors import (
    absences_of,
    attendance_of,
    caseload_reviews_visible_to,
    caseload_snapshot_shown,
    pool_decisions,
    pool_overview,
    pool_rules,
    pool_size,
    regisseur_caseload,
    regisseur_open_case_count,
    regisseurs_active,
    regisseurs_for_management,
    team_activities_with_attendance,
    team_rhythm_status,
    three_way_talks_visible_to,
)

# The pool list is paged: a pool of hundreds (as in the benchmark) stays one quick page.
REGISSEURS_PER_PAGE = 50
ONLY_PROGRAMME_TEAM = _("Alleen het programmateam (OOV) beheert de regisseurspool.")
ONLY_REVIEW_READERS = _(
    "Caseloadbesprekingen zijn alleen in te zien door het programmateam en de regisseur zelf."
)
ONLY_TALK_READERS = _(
    "Driegesprekken zijn alleen in te zien door het programmateam, de regisseur zelf en "
    "zijn of haar leidinggevende."
)
ONLY_DECISION_READERS = _(
    "Het register van besluiten van het Directeurenoverleg is van het programmateam."
)
ONLY_MANAGER = _("Deze pagina is voor leidinggevenden van een moederorganisatie.")

REGISSEUR_ADDED = _("%(name)s is toegevoegd aan de regisseurspool.")
REGISSEUR_ROLE_PENDING = _(
    "%(name)s krijgt de rol regisseur zodra een tweede lid van het programmateam de "
    "aanvraag goedkeurt (Rolaanvragen): tot dan ziet %(name)s geen casussen."
)
REGISSEUR_ROLE_GRANTED = _("%(name)s heeft nu de rol regisseur.")
REGISSEUR_CHANGED = _("De gegevens van %(name)s zijn opgeslagen.")
MEMBERSHIP_ENDED = _("Het lidmaatschap van %(name)s eindigt op %(day)s.")
ABSENCE_ADDED = _("De afwezigheid is vastgelegd.")
ABSENCE_CHANGED = _("De afwezigheid is gewijzigd.")
ABSENCE_ENDED = _("De afwezigheid eindigt op %(day)s.")
REVIEW_RECORDED = _("De caseloadbespreking is vastgelegd, met een momentopname van de caseload.")
TALK_RECORDED = _("Het driegesprek is vastgelegd.")
ACTIVITY_RECORDED = _("De teamactiviteit is vastgelegd.")
ATTENDANCE_RECORDED = _("De aanwezigheid is bijgewerkt.")
DECISION_RECORDED = _("Het besluit is vastgelegd in het register.")

REVIEW_READ_PURPOSE = "Caseloadbespreking ingezien."
TALK_READ_PURPOSE = "Driegesprek ingezien."

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def _today() -> datetime.date:
    return timezone.localdate()


def _day(day: datetime.date) -> str:
    return f"{day:%d-%m-%Y}"


def _require_programme_team(user: Any) -> None:
    if not may_manage_pool(user):
        raise PermissionDenied(ONLY_PROGRAMME_TEAM)


# --- pool management ----------------------------------------------------------------


@login_required
@require_GET
def regisseur_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_programme_team(request.user)
    today = _today()
    size = pool_size(on=today)
    shown = regisseurs_for_management(
        on=today, size=size, page=request.GET.get("pagina"), per_page=REGISSEURS_PER_PAGE
    )
    return render(
        request,
        "pool/regisseur_list.html",
        {
            "regisseurs": shown.lines,
            "page": shown.page,
            "today": today,
            "rules": pool_rules(size=size),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def regisseur_add(request: AuthenticatedRequest) -> HttpResponse:
    _require_programme_team(request.user)
    form = RegisseurAddForm(request.POST or None, initial={"active_from": _today()})
    return service_form_page(
        request,
        form,
        lambda data: services.regisseur_add_with_role(
            user=data["user"],
            organisation=data["organisation"],
            fte=data["fte"],
            active_from=data["active_from"],
            active_until=data["active_until"],
            region_restriction=data["region_restriction"],
            remark=data["remark"],
            manager=data["manager"],
            by=request.user,
        ),
        done=lambda added: _regisseur_added(request, added),
        template="pool/regisseur_add.html",
        context={"form": form},
    )


def _regisseur_added(request: AuthenticatedRequest, added: services.RegisseurAdded) -> HttpResponse:
    """Say that the regisseur is in the pool, and where the regisseur role stands."""
    name = {"name": added.regisseur.user}
    messages.success(request, REGISSEUR_ADDED % name)
    if added.role == PoolRoleOutcome.PENDING:
        messages.warning(request, REGISSEUR_ROLE_PENDING % name)
    elif added.role == PoolRoleOutcome.GRANTED:
        messages.success(request, REGISSEUR_ROLE_GRANTED % name)
    return redirect("pool:regisseur_detail", pk=added.regisseur.pk)


def _regisseur(pk: int) -> Regisseur:
    return get_object_or_404(
        Regisseur.objects.select_related("user", "organisation", "region_restriction", "manager"),
        pk=pk,
    )


@login_required
@require_GET
def regisseur_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_programme_team(request.user)
    regisseur = _regisseur(pk)
    today = _today()
    return render(
        request,
        "pool/regisseur_detail.html",
        {
            "regisseur": regisseur,
            "today": today,
            "active": regisseur.is_active_on(today),
            "caseload": regisseur_caseload(regisseur=regisseur),
            "absences": absences_of(regisseur=regisseur),
            "reviews": caseload_reviews_visible_to(request.user).filter(regisseur=regisseur)[:5],
            "talks": three_way_talks_visible_to(request.user).filter(regisseur=regisseur)[:5],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def regisseur_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change FTE, region, manager and remark; refuses to overwrite someone else's
    change made since the form was loaded (its revision)."""
    _require_programme_team(request.user)
    regisseur = _regisseur(pk)
    form = RegisseurEditForm(request.POST or None, initial=RegisseurEditForm.initial_for(regisseur))
    current: Regisseur | None = None

    def stale() -> None:
        nonlocal current
        # Show what is stored now; saving again knowingly replaces it.
        current = regisseur  # read in this request, after the other change
        form.data = with_current_revision(form.data, current.revision)
        show_stale(form)

    return service_form_page(
        request,
        form,
        lambda data: services.regisseur_update(
            regisseur=regisseur,
            fte=data["fte"],
            region_restriction=data["region_restriction"],
            manager=data["manager"],
            remark=data["remark"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        done=lambda saved: success(
            request,
            REGISSEUR_CHANGED % {"name": saved.user},
            redirect("pool:regisseur_detail", pk=saved.pk),
        ),
        on_stale=stale,
        template="pool/regisseur_edit.html",
        context=lambda: {"regisseur": regisseur, "form": form, "current": current},
    )


@login_required
@require_http_methods(["GET", "POST"])
def regisseur_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """End a membership; while the regisseur holds open cases, point to the bulk hand-over."""
    _require_programme_team(request.user)
    regisseur = _regisseur(pk)
    form = EndMembershipForm(request.POST or None, initial={"last_day": _today()})
    return service_form_page(
        request,
        form,
        lambda data: services.regisseur_end_membership(
            regisseur=regisseur, on=data["last_day"], by=request.user
        ),
        done=lambda _result: success(
            request,
            MEMBERSHIP_ENDED % {"name": regisseur.user, "day": _day(form.cleaned_data["last_day"])},
            redirect("pool:regisseur_detail", pk=regisseur.pk),
        ),
        template="pool/regisseur_end.html",
        context=lambda: {
            "regisseur": regisseur,
            "form": form,
            "open_cases": regisseur_open_case_count(regisseur=regisseur),
        },
    )


# --- absences -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def absence_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_programme_team(request.user)
    regisseur = _regisseur(pk)
    form = AbsenceForm(request.POST or None, regisseur=regisseur, on=_today())
    return service_form_page(
        request,
        form,
        lambda data: services.absence_create(
            regisseur=regisseur,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            stand_in=data["stand_in"],
            by=request.user,
        ),
        done=lambda _result: success(
            request, ABSENCE_ADDED, redirect("pool:regisseur_detail", pk=regisseur.pk)
        ),
        template="pool/absence_form.html",
        context={"regisseur": regisseur, "form": form, "absence": None},
    )


def _absence(pk: int) -> Absence:
    return get_object_or_404(
        Absence.objects.select_related("regisseur__user", "stand_in__user"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def absence_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_programme_team(request.user)
    absence = _absence(pk)
    regisseur = absence.regisseur
    form = AbsenceEditForm(
        request.POST or None,
        regisseur=regisseur,
        on=_today(),
        initial=AbsenceEditForm.initial_for(absence),
    )
    current: Absence | None = None

    def stale() -> None:
        nonlocal current
        current = _absence(pk)
        form.data = with_current_revision(form.data, current.revision)
        show_stale(form)

    return service_form_page(
        request,
        form,
        lambda data: services.absence_update(
            absence=absence,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            stand_in=data["stand_in"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        done=lambda _result: success(
            request, ABSENCE_CHANGED, redirect("pool:regisseur_detail", pk=regisseur.pk)
        ),
        on_stale=stale,
        template="pool/absence_form.html",
        context=lambda: {
            "regisseur": regisseur,
            "form": form,
            "absence": absence,
            "current": current,
            "end_form": AbsenceEndForm(
                initial={"ends_on": _today(), "revision": (current or absence).revision}
            ),
        },
    )


@login_required
@require_POST
def absence_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The regisseur is back early: a new last day within the absence."""
    _require_programme_team(request.user)
    absence = _absence(pk)
    form = AbsenceEndForm(request.POST)
    stale = False

    def changed_meanwhile() -> None:
        nonlocal stale
        stale = True

    return service_form_page(
        request,
        form,
        lambda data: services.absence_end_early(
            absence=absence,
            on=data["ends_on"],
            by=request.user,
            expected_revision=data["revision"],
        ),
        done=lambda _result: success(
            request,
            ABSENCE_ENDED % {"day": _day(form.cleaned_data["ends_on"])},
            redirect("pool:regisseur_detail", pk=absence.regisseur_id),
        ),
        on_stale=changed_meanwhile,
        template="pool/absence_form.html",
        context=lambda: _absence_end_context(pk, form, stale=stale),
    )


def _absence_end_context(pk: int, form: AbsenceEndForm, *, stale: bool) -> dict[str, Any]:
    # The absence as it is stored now, also after a refusal.
    fresh = _absence(pk)
    if stale:
        form.data = with_current_revision(form.data, fresh.revision)
        show_stale(form)
    return {
        "regisseur": fresh.regisseur,
        "form": AbsenceEditForm(
            regisseur=fresh.regisseur, on=_today(), initial=AbsenceEditForm.initial_for(fresh)
        ),
        "absence": fresh,
        "current": fresh if stale else None,
        "end_form": form,
    }


# --- caseload reviews -----------------------------------------------------------------


@login_required
@require_GET
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_caseload_reviews(request.user):
        raise PermissionDenied(ONLY_REVIEW_READERS)
    return render(
        request,
        "pool/review_list.html",
        {
            "reviews": caseload_reviews_visible_to(request.user),
            "may_record": may_record_caseload_review(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request: AuthenticatedRequest) -> HttpResponse:
    if not may_record_caseload_review(request.user):
        raise PermissionDenied(ONLY_PROGRAMME_TEAM)
    return _talk_add_page(
        request,
        CaseloadReviewForm,
        lambda data: services.caseload_review_create(
            regisseur=data["regisseur"],
            held_on=data["held_on"],
            held_by=request.user,
            progress=data["progress"],
            content=data["content"],
            registration=data["registration"],
            requirements=data["requirements"],
            assignments=data["assignments"],
        ),
        recorded=REVIEW_RECORDED,
        detail="pool:review_detail",
        template="pool/review_add.html",
    )


@login_required
@require_GET
def review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not may_see_caseload_reviews(request.user):
        raise PermissionDenied(ONLY_REVIEW_READERS)
    # Someone else's review answers 404: its existence does not leak.
    review = get_object_or_404(caseload_reviews_visible_to(request.user), pk=pk)
    access_record(user=request.user, obj=review, request=request, purpose=REVIEW_READ_PURPOSE)
    return render(
        request,
        "pool/review_detail.html",
        {"review": review, "snapshot": caseload_snapshot_shown(review.caseload_snapshot)},
    )


# --- three-way talks ------------------------------------------------------------------


@login_required
@require_GET
def talk_list(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_three_way_talks(request.user):
        raise PermissionDenied(ONLY_TALK_READERS)
    return render(
        request,
        "pool/talk_list.html",
        {
            "talks": three_way_talks_visible_to(request.user),
            "may_record": may_record_three_way_talk(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def talk_add(request: AuthenticatedRequest) -> HttpResponse:
    if not may_record_three_way_talk(request.user):
        raise PermissionDenied(ONLY_PROGRAMME_TEAM)
    return _talk_add_page(
        request,
        ThreeWayTalkForm,
        lambda data: services.three_way_talk_create(
            regisseur=data["regisseur"],
            held_on=data["held_on"],
            held_by=request.user,
            manager=data["manager"],
            notes=data["notes"],
            agreements=data["agreements"],
        ),
        recorded=TALK_RECORDED,
        detail="pool:talk_detail",
        template="pool/talk_add.html",
    )


def _talk_add_page(
    request: AuthenticatedRequest,
    form_class: type[CaseloadReviewForm | ThreeWayTalkForm],
    create: Callable[[dict[str, Any]], models.Model],
    *,
    recorded: str | _StrPromise,
    detail: str,
    template: str,
) -> HttpResponse:
    """The page recording a caseload review or a three-way talk: held today unless
    said otherwise, with the regisseur the link names (from his or her page)."""
    today = _today()
    form = form_class(
        request.POST or None,
        on=today,
        initial={"held_on": today, "regisseur": request.GET.get("regisseur")},
    )
    return service_form_page(
        request,
        form,
        create,
        done=lambda talk: success(request, recorded, redirect(detail, pk=talk.pk)),
        template=template,
        context={"form": form},
    )


@login_required
@require_GET
def talk_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not may_see_three_way_talks(request.user):
        raise PermissionDenied(ONLY_TALK_READERS)
    talk = get_object_or_404(three_way_talks_visible_to(request.user), pk=pk)
    access_record(user=request.user, obj=talk, request=request, purpose=TALK_READ_PURPOSE)
    return render(request, "pool/talk_detail.html", {"talk": talk})


# --- team rhythm ------------------------------------------------------------------------


@login_required
@require_GET
def team_activity_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_programme_team(request.user)
    return render(
        request,
        "pool/team_activity_list.html",
        {
            "activities": team_activities_with_attendance(),
            "rhythm": team_rhythm_status(on=_today()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_activity_add(request: AuthenticatedRequest) -> HttpResponse:
    _require_programme_team(request.user)
    today = _today()
    form = TeamActivityForm(request.POST or None, on=today, initial={"held_on": today})

    def record(data: dict[str, Any]) -> TeamActivity:
        present = set(data["present"])
        # Everyone in the pool that day is on the list: ticked present, else absent.
        attendance = {r: r in present for r in regisseurs_active(on=data["held_on"])}
        attendance.update(dict.fromkeys(present, True))
        return services.team_activity_create(
            kind=data["kind"],
            held_on=data["held_on"],
            topic=data["topic"],
            series_name=data["series_name"],
            series_number=data["series_number"],
            series_size=data["series_size"],
            notes=data["notes"],
            attendance=attendance,
            by=request.user,
        )

    return service_form_page(
        request,
        form,
        record,
        done=lambda activity: success(
            request, ACTIVITY_RECORDED, redirect("pool:team_activity_detail", pk=activity.pk)
        ),
        template="pool/team_activity_add.html",
        context={"form": form},
    )


@login_required
@require_GET
def team_activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_programme_team(request.user)
    activity = get_object_or_404(TeamActivity, pk=pk)
    return render(
        request,
        "pool/team_activity_detail.html",
        {"activity": activity, "lines": attendance_of(activity=activity)},
    )


@login_required
@require_POST
def attendance_set(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one regisseur present or absent; with htmx only his line is replaced."""
    _require_programme_team(request.user)
    activity = get_object_or_404(TeamActivity, pk=pk)
    form = AttendanceForm(request.POST)

    def record(data: dict[str, Any]) -> object:
        return services.attendance_record(
            activity=activity, regisseur=data["regisseur"], present=data["present"], by=request.user
        )

    if getattr(request, "htmx", False):
        # The line is the answer either way: as recorded, or with the refusal.
        def line_page() -> dict[str, Any]:
            line = next(
                (
                    line
                    for line in attendance_of(activity=activity)
                    if form.is_valid() and line.regisseur.pk == form.cleaned_data["regisseur"].pk
                ),
                None,
            )
            return {"activity": activity, "line": line, "errors": form.errors}

        return service_form_page(
            request,
            form,
            record,
            done=lambda _result: render(request, "pool/_attendance_line.html", line_page()),
            template="pool/_attendance_line.html",
            context=line_page,
        )
    return service_form_page(
        request,
        form,
        record,
        done=lambda _result: success(
            request,
            ATTENDANCE_RECORDED,
            redirect("pool:team_activity_detail", pk=activity.pk),
        ),
        template="pool/team_activity_detail.html",
        context=lambda: {
            "activity": activity,
            "lines": attendance_of(activity=activity),
            "errors": form.errors,
        },
    )


# --- a manager's figures ------------------------------------------------------------------


@login_required
@require_GET
def manager_figures(request: AuthenticatedRequest) -> HttpResponse:
    """Caseload figures of the own organisation's regisseurs: counts only, no case content."""
    user = request.user
    if not may_see_organisation_caseload(user):
        raise PermissionDenied(ONLY_MANAGER)
    today = _today()
    return render(
        request,
        "pool/manager_figures.html",
        {
            "overview": pool_overview(on=today, organisation=user.organisation),
            "organisation": user.organisation,
        },
    )


# --- the decisions of the Directeurenoverleg ----------------------------------------------


@login_required
@require_GET
def decision_list(request: AuthenticatedRequest) -> HttpResponse:
    if not may_see_pool_decisions(request.user):
        raise PermissionDenied(ONLY_DECISION_READERS)
    return render(
        request,
        "pool/decision_list.html",
        {
            "decisions": pool_decisions(),
            "rules": pool_rules(size=pool_size(on=_today())),
            "may_record": may_record_pool_decision(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_add(request: AuthenticatedRequest) -> HttpResponse:
    if not may_record_pool_decision(request.user):
        raise PermissionDenied(ONLY_DECISION_READERS)
    form = PoolDecisionForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda data: services.pool_decision_record(
            decided_on=data["decided_on"],
            subject=data["subject"],
            text=data["text"],
            rule=data["rule"],
            by=request.user,
        ),
        done=lambda decision: success(request, DECISION_RECORDED, redirect("pool:decision_list")),
        template="pool/decision_add.html",
        context={"form": form},
    )
