"""The application's URLs plus the trivial view the benchmark measures as its floor."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ipgar.urls import urlpatterns as app_urlpatterns

FLOOR_PATH = "_bench/floor"


def floor(request: HttpRequest) -> HttpResponse:
    """A trivial Django view: the full middleware stack, no template, no query."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH, floor, name="bench_floor"), *app_urlpatterns]
