"""Change history of any tracked record (django-pghistory): who changed what, when,
with the old and the new value of every field that changed.

Triggers write the events in the same transaction as the change, so no code
path (service, admin, bulk update, a migration) escapes the history. The
request middleware, and ``pghistory.context`` in jobs, attach the user.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pghistory
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from pghistory import runtime as pghistory_runtime
from pghistory.middleware import HistoryMiddleware as PgHistoryMiddleware
from pghistory.models import MiddlewareEvents

from kernel.prepared import is_prepared_read

IGNORED_FIELDS = frozenset({"updated_at", "revision"})


def history_context(**metadata: Any) -> contextlib.AbstractContextManager[object]:
    """Attach metadata (who, which job) to the history events written inside.

    Services use this rather than ``pghistory.context``: history triggers exist
    on PostgreSQL only, and on the SQLite quick start there is nothing to attach
    the context to (pghistory's SQL injection would fail there).
    """
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return pghistory.context(**metadata)


def _inject_unless_prepared_read(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """pghistory's injection of the request's context into a statement, except into the
    run of a prepared read (kernel/prepared.py). pghistory passes a SELECT over, as no
    trigger fires on it, but cannot tell that an ``EXECUTE`` is one: every compiled query
    of a page went out behind two ``set_config`` calls and a JSON encoding of the context
    (about 0.6 ms of a case page's 6 ms of CPU)."""
    if isinstance(sql, str) and is_prepared_read(sql):
        return execute(sql, params, many, context)
    return pghistory_runtime._inject_history_context(execute, sql, params, many, context)


def _prepared_reads_passed_over(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """``get_response``, called inside pghistory's context with its statement wrapper
    (the last one on the connection) replaced by ``_inject_unless_prepared_read``.
    pghistory removes the last wrapper when its context ends: ours, then."""

    def respond(request: HttpRequest) -> HttpResponse:
        wrappers = connection.execute_wrappers
        if wrappers and wrappers[-1] is pghistory_runtime._inject_history_context:
            wrappers[-1] = _inject_unless_prepared_read
        return get_response(request)

    return respond


class HistoryMiddleware(PgHistoryMiddleware):
    """pghistory's request middleware (user and URL on every event), PostgreSQL only;
    prepared reads go out without the context (``_inject_unless_prepared_read``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(_prepared_reads_passed_over(get_response))  # type: ignore[no-untyped-call]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "postgresql":
            response: HttpResponse = self.get_response(request)
            return response
        # pghistory's middleware is not annotated.
        response = super().__call__(request)  # type: ignore[no-untyped-call]
        return response


@dataclass(frozen=True)
class Change:
    at: datetime.datetime
    user_id: int | None
    label: str  # "insert" or "update"
    changes: dict[str, tuple[Any, Any]]  # field -> (old, new); on insert old is None


def change_history(obj: models.Model) -> list[Change]:
    """Every recorded change of ``obj``, oldest first."""
    events = MiddlewareEvents.objects.tracks(obj).order_by("pgh_created_at", "pgh_id")
    history = []
    for event in events:
        if event.pgh_diff:
            changes = {
                field: (old_new[0], old_new[1])
                for field, old_new in event.pgh_diff.items()
                if field not in IGNORED_FIELDS
            }
        else:  # the first event: everything is new
            changes = {
                field: (None, value)
                for field, value in event.pgh_data.items()
                if field not in IGNORED_FIELDS and field != "id"
            }
        if not changes:
            continue
        context = event.pgh_context or {}
        history.append(
            Change(
                at=event.pgh_created_at,
                user_id=context.get("user"),
                label=event.pgh_label,
                changes=changes,
            )
        )
    return history
