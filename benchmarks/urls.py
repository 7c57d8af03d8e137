"""The application's URLs plus the trivial view the benchmark measures as its floor."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from ipgar.urls import urlpatterns as app_urlpatterns

FLOOR_PATH = "_bench/floor"


def floor(request: HttpRequest) -> HttpResponse:
    """A trivial Django view: the full middleware stack, no template, no query."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in_floor(request: HttpRequest) -> HttpResponse:
    """The same for a signed-in user: what every page pays before its own work
    (the session, the user, the second factor, roles and permissions, the idle
    timeout's session write)."""
    request.user.get_all_permissions()  # as every page's role menu does
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path(FLOOR_PATH, floor, name="bench_floor"),
    path("_bench/signed-in", signed_in_floor, name="bench_signed_in_floor"),
    *app_urlpatterns,
]
