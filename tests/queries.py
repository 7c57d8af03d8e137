"""The one query-count assertion of the test suite (in the manner of Zulip's
``assert_database_query_count``): a count that fails prints the queries, numbered.

``assert_query_count(expected, what=...)`` checks a known count, named by its parts at
the call site (``assert_counted`` the same for queries captured earlier);
``count_queries()`` and ``assert_same_query_count`` check that a page or selector asks
the same number of queries at two data sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def numbered(queries: CaptureQueriesContext) -> str:
    """The captured SQL, one numbered query a line."""
    return "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(queries.captured_queries, 1))


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    """Capture the queries of the block, to compare (``len``) or to print (``numbered``)."""
    with CaptureQueriesContext(connection) as queries:
        yield queries


@contextmanager
def assert_query_count(
    expected: int, *, what: str = "the block"
) -> Iterator[CaptureQueriesContext]:
    """Fail, printing every query, when the block asks another number than ``expected``."""
    with count_queries() as queries:
        yield queries
    assert_counted(queries, expected, what=what)


def assert_counted(queries: CaptureQueriesContext, expected: int, *, what: str) -> None:
    """As ``assert_query_count``, for queries captured earlier with ``count_queries``."""
    if len(queries) != expected:
        pytest.fail(f"{what}: {len(queries)} queries, expected {expected}:\n{numbered(queries)}")


def assert_same_query_count(
    small: CaptureQueriesContext, large: CaptureQueriesContext, *, what: str
) -> None:
    """Fail, printing both sets of queries, when ``large`` asked more or fewer than ``small``."""
    if len(small) != len(large):
        pytest.fail(
            f"{what}: {len(small)} queries with the small data, {len(large)} with the large.\n"
            f"small:\n{numbered(small)}\n\nlarge:\n{numbered(large)}"
        )
