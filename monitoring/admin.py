"""Admin pages of the monitoring app: read-only.

Monitor runs and notifications change only through the monitoring services (the
worker renders a run, the daily job and the services notify), so the admin only
looks things up: a run's status, error and render time, a notification's e-mail
status. Who may open them is decided by the model permissions of their role; no
role is given them by default (the functional administrator manages users and
settings, not the monitor). The PDF is not linked here: it is served only by the
monitor page's download, after its permission check and with an access record.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.admin import HistoryHidesExistenceMixin

from .models import Monitor, Notification


class ReadOnlyAdmin(HistoryHidesExistenceMixin, admin.ModelAdmin):
    """No add, change or delete: writes go through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Monitor)
class MonitorAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "period_code",
        "version",
        "status",
        "requested_by",
        "requested_at",
        "generated_at",
    )
    list_filter = ("kind", "status", "period_code")
    list_select_related = ("requested_by",)
    fields = (
        "kind",
        "period_code",
        "version",
        "run_id",
        "status",
        "error",
        "requested_by",
        "requested_at",
        "started_at",
        "generated_at",
        "render_seconds",
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "due_on", "created_at", "read_at", "email_status")
    list_filter = ("kind", "email_status")
    list_select_related = ("user",)
    search_fields = ("user__username", "item_key")
    date_hierarchy = "created_at"
