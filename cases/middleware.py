"""The figures' data stamp read once per request that changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .selectors.figures import stamp_read_once

READ_METHODS = frozenset({"GET", "HEAD"})


class FiguresStampMiddleware:
    """A GET or HEAD asks the database for the data stamp (``figures_version``) once,
    however many of its parts keep figures under it (the menu's badges, the dashboard,
    what each listed case has due next). Other methods read it as they go, after their
    changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in READ_METHODS:
            return self.get_response(request)
        with stamp_read_once():
            return self.get_response(request)
