"""Admin pages of the pool, for the programme team and functional administrators.

Writes go through the pool services, so the rules hold here as everywhere: each
form runs the service's ``*_validate`` in ``clean()`` (the Dutch message appears
on the field it concerns) and ``save_model`` / ``save_formset`` call the service
itself. Caseload reviews and three-way talks are records of a meeting held:
added here, never changed or deleted; regisseurs leave the pool by ending their
membership, not by deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import HistoryHidesExistenceMixin

from . import services
from .models import (
    Absence,
    Attendance,
    CaseloadReview,
    Region,
    Regisseur,
    TeamActivity,
    ThreeWayTalk,
)


def _validate_into(form: forms.BaseForm, check: Callable[[], None]) -> None:
    """Run a service check and put its errors on the form fields they name."""
    try:
        check()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            shown_on = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(shown_on, errors)


def _adopt(obj: models.Model, saved: models.Model) -> None:
    """Let the admin's own instance stand for the row the service saved (for its
    log entry, message and redirect)."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _has_all(cleaned: dict[str, Any], *fields: str) -> bool:
    """False when a required field already failed its own validation."""
    return all(cleaned.get(field) is not None for field in fields)


@admin.register(Region)
class RegionAdmin(HistoryHidesExistenceMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


# --- regisseurs ---------------------------------------------------------------------


class RegisseurAdminForm(forms.ModelForm):
    class Meta:
        model = Regisseur
        fields = (
            "user",
            "organisation",
            "fte",
            "region_restriction",
            "remark",
            "manager",
            "active_from",
            "active_until",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user = cleaned.get("user") or (self.instance.user if self.instance.pk else None)
        if user is not None and _has_all(cleaned, "organisation", "fte", "active_from"):
            _validate_into(
                self,
                lambda: services.regisseur_validate(
                    user=user,
                    organisation=cleaned["organisation"],
                    fte=cleaned["fte"],
                    manager=cleaned.get("manager"),
                    active_from=cleaned["active_from"],
                    active_until=cleaned.get("active_until"),
                    regisseur=self.instance if self.instance.pk else None,
                ),
            )
        return cleaned


@admin.register(Regisseur)
class RegisseurAdmin(HistoryHidesExistenceMixin, admin.ModelAdmin):
    form = RegisseurAdminForm
    list_display = (
        "__str__",
        "organisation",
        "fte",
        "capacity",
        "region_restriction",
        "active_from",
        "active_until",
    )
    list_filter = ("organisation", "region_restriction")
    list_select_related = ("user", "organisation", "region_restriction")
    search_fields = ("user__first_name", "user__last_name", "user__username", "remark")
    fields = RegisseurAdminForm.Meta.fields

    @admin.display(description=_("casussen max"))
    def capacity(self, regisseur: Regisseur) -> int:
        return regisseur.capacity

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A membership belongs to one person; someone else gets his own.
        return ("user",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Regisseur, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "organisation": data["organisation"],
            "fte": data["fte"],
            "active_from": data["active_from"],
            "active_until": data.get("active_until"),
            "region_restriction": data.get("region_restriction"),
            "remark": data.get("remark", ""),
            "manager": data.get("manager"),
        }
        if change:
            saved = services.regisseur_update(regisseur=obj, **fields, by=request.user)
        else:
            saved = services.regisseur_create(user=data["user"], **fields, by=request.user)
        _adopt(obj, saved)


# --- absences -----------------------------------------------------------------------


class AbsenceAdminForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ("regisseur", "starts_on", "ends_on", "reason", "stand_in")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        regisseur = cleaned.get("regisseur") or (
            self.instance.regisseur if self.instance.pk else None
        )
        if regisseur is not None and _has_all(cleaned, "starts_on", "ends_on"):
            _validate_into(
                self,
                lambda: services.absence_validate(
                    regisseur=regisseur,
                    starts_on=cleaned["starts_on"],
                    ends_on=cleaned["ends_on"],
                    stand_in=cleaned.get("stand_in"),
                    absence=self.instance if self.instance.pk else None,
                ),
            )
        return cleaned


@admin.register(Absence)
class AbsenceAdmin(HistoryHidesExistenceMixin, admin.ModelAdmin):
    form = AbsenceAdminForm
    list_display = ("regisseur", "starts_on", "ends_on", "stand_in", "reason")
    list_filter = ("regisseur__organisation",)
    list_select_related = ("regisseur__user", "stand_in__user")
    search_fields = ("regisseur__user__first_name", "regisseur__user__last_name", "reason")
    date_hierarchy = "starts_on"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("regisseur",) if obj is not None else ()

    def save_model(self, request: Any, obj: Absence, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "reason": data.get("reason", ""),
            "stand_in": data.get("stand_in"),
        }
        if change:
            saved = services.absence_update(absence=obj, **fields, by=request.user)
        else:
            saved = services.absence_create(regisseur=data["regisseur"], **fields, by=request.user)
        _adopt(obj, saved)


# --- caseload reviews and three-way talks -------------------------------------------


class RecordOfMeetingAdmin(HistoryHidesExistenceMixin, admin.ModelAdmin):
    """A meeting held is added once and then only read."""

    list_display: tuple[str, ...] = ("regisseur", "held_on", "held_by")
    list_filter = ("regisseur__organisation",)
    search_fields = ("regisseur__user__first_name", "regisseur__user__last_name")
    date_hierarchy = "held_on"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"held_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseloadReviewAdminForm(forms.ModelForm):
    class Meta:
        model = CaseloadReview
        fields = (
            "regisseur",
            "held_on",
            "held_by",
            "progress",
            "content",
            "registration",
            "requirements",
            "assignments",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if _has_all(cleaned, "regisseur", "held_on", "held_by"):
            _validate_into(
                self,
                lambda: services.caseload_review_validate(
                    regisseur=cleaned["regisseur"],
                    held_on=cleaned["held_on"],
                    held_by=cleaned["held_by"],
                ),
            )
        return cleaned


@admin.register(CaseloadReview)
class CaseloadReviewAdmin(RecordOfMeetingAdmin):
    form = CaseloadReviewAdminForm
    list_select_related = ("regisseur__user", "held_by")
    readonly_fields = ("caseload_snapshot",)

    def save_model(self, request: Any, obj: CaseloadReview, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.caseload_review_create(
            regisseur=data["regisseur"],
            held_on=data["held_on"],
            held_by=data["held_by"],
            progress=data.get("progress", ""),
            content=data.get("content", ""),
            registration=data.get("registration", ""),
            requirements=data.get("requirements", ""),
            assignments=data.get("assignments", ""),
        )
        _adopt(obj, saved)


class ThreeWayTalkAdminForm(forms.ModelForm):
    class Meta:
        model = ThreeWayTalk
        fields = ("regisseur", "held_on", "held_by", "manager", "notes", "agreements")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if _has_all(cleaned, "regisseur", "held_on", "held_by", "manager"):
            _validate_into(
                self,
                lambda: services.three_way_talk_validate(
                    regisseur=cleaned["regisseur"],
                    held_on=cleaned["held_on"],
                    held_by=cleaned["held_by"],
                    manager=cleaned["manager"],
                ),
            )
        return cleaned


@admin.register(ThreeWayTalk)
class ThreeWayTalkAdmin(RecordOfMeetingAdmin):
    form = ThreeWayTalkAdminForm
    list_display = ("regisseur", "held_on", "held_by", "manager")
    list_select_related = ("regisseur__user", "held_by", "manager")

    def save_model(self, request: Any, obj: ThreeWayTalk, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.three_way_talk_create(
            regisseur=data["regisseur"],
            held_on=data["held_on"],
            held_by=data["held_by"],
            manager=data["manager"],
            notes=data.get("notes", ""),
            agreements=data.get("agreements", ""),
        )
        _adopt(obj, saved)


# --- team activities ----------------------------------------------------------------


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ("regisseur", "present")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A line on the list stays the same person's; only "present" changes.
            self.fields["regisseur"].disabled = True


class AttendanceFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        activity = self.instance
        if activity.held_on is None:  # the activity's own form reports the missing date
            return
        for form in self.forms:
            regisseur = getattr(form, "cleaned_data", {}).get("regisseur")
            if regisseur is not None and form.has_changed():
                _validate_into(
                    form,
                    partial(services.attendance_validate, activity=activity, regisseur=regisseur),
                )


class AttendanceInline(admin.TabularInline):
    model = Attendance
    form = AttendanceForm
    formset = AttendanceFormSet
    extra = 1
    can_delete = False


class TeamActivityAdminForm(forms.ModelForm):
    class Meta:
        model = TeamActivity
        fields = (
            "kind",
            "held_on",
            "topic",
            "series_name",
            "series_number",
            "series_size",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind"):
            _validate_into(
                self,
                lambda: services.team_activity_validate(
                    kind=cleaned["kind"],
                    series_name=cleaned.get("series_name", ""),
                    series_number=cleaned.get("series_number"),
                    series_size=cleaned.get("series_size"),
                    activity=self.instance,
                ),
            )
        return cleaned


@admin.register(TeamActivity)
class TeamActivityAdmin(HistoryHidesExistenceMixin, admin.ModelAdmin):
    form = TeamActivityAdminForm
    inlines = (AttendanceInline,)
    list_display = ("kind", "held_on", "topic", "series_name", "series_number", "series_size")
    list_filter = ("kind", "series_name")
    search_fields = ("topic", "series_name")
    date_hierarchy = "held_on"

    def save_model(self, request: Any, obj: TeamActivity, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "topic": data.get("topic", ""),
            "series_name": data.get("series_name", ""),
            "series_number": data.get("series_number"),
            "series_size": data.get("series_size"),
            "notes": data.get("notes", ""),
        }
        if change:
            saved = services.team_activity_update(activity=obj, **fields, by=request.user)
        else:
            saved = services.team_activity_create(**fields, by=request.user)
        _adopt(obj, saved)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        # Attendance goes through the service; the lists below feed the admin's log entry.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for line in formset.forms:
            if not line.has_changed():
                continue
            existed = line.instance.pk is not None
            attendance = services.attendance_record(
                activity=form.instance,
                regisseur=line.cleaned_data["regisseur"],
                present=line.cleaned_data["present"],
                by=request.user,
            )
            if existed:
                formset.changed_objects.append((attendance, line.changed_data))
            else:
                formset.new_objects.append(attendance)
