"""The data stamp the figures are cached under: read once per read request, from a
statement prepared once per database connection, and still following every change; an
answer kept under it is fetched from the shared cache once per process."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from redis.exceptions import RedisError

from cases.middleware import FiguresStampMiddleware
from cases.models import Case
from cases.selectors import figures
from cases.selectors.figures import STAMP_STATEMENT, figures_version, kept_under_stamp
from tests.factories import CaseFactory
from tests.queries import count_queries


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "one_moment"), [("get", True), ("head", True), ("post", False)])
def test_a_read_request_asks_for_the_stamp_once_a_write_after_its_change(method, one_moment):
    case = CaseFactory()
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["before"] = figures_version()
        Case.objects.filter(pk=case.pk).update(revision=99)
        seen["after"] = figures_version()
        return HttpResponse()

    with count_queries() as queries:
        FiguresStampMiddleware(view)(getattr(RequestFactory(), method)("/"))
    stamps = [q for q in queries.captured_queries if STAMP_STATEMENT in q["sql"]]
    assert len(stamps) == (1 if one_moment else 2)
    assert (seen["before"] == seen["after"]) is one_moment
    # After the request the stamp follows the change.
    assert figures_version() != seen["before"]


@pytest.mark.django_db(transaction=True)
def test_the_prepared_stamp_survives_a_rollback_and_a_new_connection():
    first = figures_version()
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        # Prepared on the new connection, inside a transaction that is rolled back.
        assert figures_version() == first
        raise RuntimeError
    assert figures_version() == first
    CaseFactory()
    assert figures_version() != first


class _SharedCacheSpy:
    """The shared cache as kept_under_stamp sees it: counts the reads; ``down`` makes
    every command fail as an unreachable Redis does."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.reads = 0
        self.kept: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        self.reads += 1
        if self.down:
            raise RedisError("unreachable")
        return self.kept.get(key)

    def set(self, key: str, value: Any, timeout: int) -> None:
        if self.down:
            raise RedisError("unreachable")
        self.kept[key] = value


@pytest.mark.django_db
@pytest.mark.parametrize("down", [False, True], ids=["shared cache up", "shared cache down"])
def test_a_process_asks_the_shared_cache_once_per_stamp_and_follows_every_change(monkeypatch, down):
    shared = _SharedCacheSpy(down=down)
    monkeypatch.setattr(figures, "cache", shared)
    computed: list[int] = []

    def count_cases() -> int:
        computed.append(1)
        return Case.objects.count()

    CaseFactory()
    assert kept_under_stamp("test-count", (), count_cases) == 1
    assert kept_under_stamp("test-count", (), count_cases) == 1
    # The second answer came from the process's own copy: no second computation, no
    # second round trip to the shared cache (and none at all while it is down).
    assert (len(computed), shared.reads) == (1, 1)
    CaseFactory()
    # The data changed: a new stamp, a new key, the new answer at once.
    assert kept_under_stamp("test-count", (), count_cases) == 2
    assert len(computed) == 2
