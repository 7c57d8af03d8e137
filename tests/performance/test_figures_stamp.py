"""The data stamp the figures are cached under: read once per read request, from a
statement prepared once per database connection, and still following every change."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from cases.middleware import FiguresStampMiddleware
from cases.models import Case
from cases.selectors.figures import STAMP_STATEMENT, figures_version
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
