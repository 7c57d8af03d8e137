"""Admin pages for case records: read-only.

Case content changes only through the domain services (the UI and the API),
where every rule holds and every change is recorded; the admin lets the
programme team and functional administrators look things up, with filters.
Who may open which page is decided by the model permissions of their role.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from audit.admin import HistoryHidesExistenceMixin
from audit.services import access_record

from .models import (
    Assessment,
    Assignment,
    Case,
    EmergencyAccess,
    Evaluation,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    PhaseTransition,
    PlanVersion,
    ShareRecord,
    TeamMember,
)


class ReadOnlyAdminMixin:
    """No add, change or delete: writes go through the services."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AuditedReadOnlyAdmin(HistoryHidesExistenceMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Opening a record's page is a read of person-level data: it is logged."""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None:
                access_record(user=request.user, obj=obj, request=request, purpose="beheer")
        return response


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("role", "regisseur", "started_on", "ended_on", "reason")


class PhaseTransitionInline(ReadOnlyInline):
    model = PhaseTransition
    fields = ("from_phase", "to_phase", "on", "by", "reason")


class TeamMemberInline(ReadOnlyInline):
    model = TeamMember
    fields = ("name", "organisation", "role", "joined_on", "left_on")


@admin.register(Case)
class CaseAdmin(AuditedReadOnlyAdmin):
    list_display = ("number", "region", "phase", "status", "regisseur", "buddy", "phase_since")
    list_filter = ("status", "phase", "region", "regisseur__organisation")
    search_fields = ("number",)
    list_select_related = ("region", "regisseur__user", "buddy__user")
    date_hierarchy = "registered_on"
    inlines = [AssignmentInline, PhaseTransitionInline, TeamMemberInline]


@admin.register(Person)
class PersonAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "pseudonymised_at")
    list_select_related = ("case",)
    search_fields = ("case__number",)
    list_filter = ("pseudonymised_at",)


class InterventionInline(ReadOnlyInline):
    model = Intervention
    fields = ("description", "pillar", "responsible_organisation", "deadline", "status", "result")


class ItatAdviceInline(ReadOnlyInline):
    model = ItatAdvice
    fk_name = "plan_version"
    fields = ("subject", "given_on", "recommendation", "advice")


@admin.register(PlanVersion)
class PlanVersionAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "number", "status", "adopted_on", "created_at")
    list_filter = ("status",)
    search_fields = ("case__number",)
    list_select_related = ("case",)
    inlines = [InterventionInline, ItatAdviceInline]


@admin.register(Intervention)
class InterventionAdmin(AuditedReadOnlyAdmin):
    list_display = ("plan_version", "pillar", "responsible_organisation", "deadline", "status")
    list_filter = ("status", "pillar", "responsible_organisation")
    list_select_related = ("plan_version__case", "responsible_organisation")
    search_fields = ("plan_version__case__number",)


@admin.register(ItatAdvice)
class ItatAdviceAdmin(AuditedReadOnlyAdmin):
    list_display = ("plan_version", "subject", "given_on", "recommendation")
    list_filter = ("subject", "recommendation")
    list_select_related = ("plan_version__case",)


class MeetingAttendeeInline(ReadOnlyInline):
    model = MeetingAttendee
    fields = ("name", "organisation")


class MeetingActionInline(ReadOnlyInline):
    model = MeetingAction
    fields = ("description", "owner_organisation", "due_on", "done_on")


@admin.register(Meeting)
class MeetingAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "kind", "held_on", "person_attended")
    list_filter = ("kind", "person_attended")
    search_fields = ("case__number",)
    list_select_related = ("case",)
    date_hierarchy = "held_on"
    inlines = [MeetingAttendeeInline, MeetingActionInline]


@admin.register(Assessment)
class AssessmentAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "assessed_on", "care_criterion", "safety_criterion", "risk_level")
    list_filter = ("risk_level", "care_criterion", "safety_criterion")
    search_fields = ("case__number",)
    list_select_related = ("case",)


@admin.register(Evaluation)
class EvaluationAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "kind", "held_on", "exit_possible")
    list_filter = ("kind",)
    search_fields = ("case__number",)
    list_select_related = ("case",)


@admin.register(ExitProcedure)
class ExitProcedureAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "ground", "status", "opened_on", "decision", "decided_on")
    list_filter = ("status", "ground", "decision")
    search_fields = ("case__number",)
    list_select_related = ("case",)


@admin.register(TeamMember)
class TeamMemberAdmin(AuditedReadOnlyAdmin):
    list_display = ("name", "case", "organisation", "role", "joined_on", "left_on")
    list_filter = ("organisation",)
    search_fields = ("case__number", "name")
    list_select_related = ("case", "organisation")


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "user", "opened_at", "expires_at", "reviewed_at")
    list_filter = ("reviewed_at",)
    search_fields = ("case__number", "user__username")
    list_select_related = ("case", "user")


@admin.register(ShareRecord)
class ShareRecordAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "shared_object_type", "shared_with", "shared_by", "shared_at")
    list_filter = ("shared_object_type",)
    search_fields = ("case__number",)
    list_select_related = ("case", "shared_by")
