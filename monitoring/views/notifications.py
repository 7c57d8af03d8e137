"""The notifications list: every signed-in user sees and marks his or her own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kernel.views import service_form_page, success

from ..forms import NotificationPreferencesForm
from ..models import Notification
from ..permissions import may_receive_notifications
from ..selectors import (
    deadlines_due_for,
    notification_channels_of,
    notification_kinds_for,
    notification_page,
)
from ..services.notifications import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)

NOTIFICATIONS_PER_PAGE = 50
# The live list of what is due is long for the programme team at 10,000 cases: the
# page shows the first ones (earliest due first) and says how many there are.
DUE_SHOWN = 100
ONLY_RECIPIENTS = _("Alleen gebruikers met een rol krijgen meldingen.")
PREFERENCES_SAVED = _("Uw voorkeuren voor meldingen zijn opgeslagen.")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    shown = notification_page(
        request.user, request.GET.get("pagina"), per_page=NOTIFICATIONS_PER_PAGE
    )
    due = deadlines_due_for(request.user, on=timezone.localdate())
    return render(
        request,
        "monitoring/notification_list.html",
        {
            "page": shown.page,
            "notifications": shown.notifications,
            "unread": shown.unread,
            "due": due[:DUE_SHOWN],
            "due_count": len(due),
            "may_choose": may_receive_notifications(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    if not may_receive_notifications(request.user):
        raise PermissionDenied(ONLY_RECIPIENTS)
    kinds = notification_kinds_for(request.user)
    form = NotificationPreferencesForm(
        request.POST or None,
        kinds=kinds,
        initial_channels=notification_channels_of(request.user),
    )
    return service_form_page(
        request,
        form,
        lambda data: notification_preferences_set(user=request.user, channels=data),
        done=lambda _result: success(
            request, PREFERENCES_SAVED, redirect("monitoring:notification_preferences")
        ),
        template="monitoring/notification_preferences.html",
        context={"form": form},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    if request.POST.get("open") and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("monitoring:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return redirect("monitoring:notifications")
