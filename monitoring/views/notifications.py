"""The notifications list: every signed-in user sees and marks his or her own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from ..models import Notification
from ..selectors import notifications_of, unread_notification_count
from ..services.notifications import notification_mark_read, notifications_mark_all_read

NOTIFICATIONS_PER_PAGE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "monitoring/notification_list.html",
        {"page": page, "unread": unread_notification_count(request.user)},
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
