"""Tombstones for pseudonymised person records, in the transaction that erased them;
the change feed for bulk-generated synthetic data."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.dispatch import receiver

from cases.signals import data_generated, person_pseudonymised

from .feed import SYNCED_TABLES, SyncedTable

# The case an object belongs to, as api_record_change() derives it per row.
_CASE_OF = {
    "self": "t.id",
    "case_id": "t.case_id",
    "plan_version": "(SELECT p.case_id FROM cases_planversion p WHERE p.id = t.plan_version_id)",
    "meeting": "(SELECT m.case_id FROM cases_meeting m WHERE m.id = t.meeting_id)",
    "escalation": "(SELECT e.case_id FROM cases_escalation e WHERE e.id = t.escalation_id)",
    "none": "NULL::bigint",
}


def _created_events_sql(t: SyncedTable) -> str:
    """One 'created' event for every object of the table that has no event yet."""
    # Table names and expressions are constants of this module and api/feed.py.
    return (
        "INSERT INTO api_changeevent "  # noqa: S608
        "(resource, object_id, case_id, operation, xact_id, occurred_at) "
        f"SELECT %s, t.id, {_CASE_OF[t.case_source]}, 'created', "
        "pg_current_xact_id()::text::bigint, clock_timestamp() "
        f"FROM {t.table} t WHERE NOT EXISTS (SELECT 1 FROM api_changeevent e "
        "WHERE e.resource = %s AND e.object_id = t.id) ORDER BY t.id"
    )


@receiver(data_generated, dispatch_uid="api_generated_data_feed")
def record_generated_data(sender: Any, tables: list[str], **kwargs: Any) -> None:
    """The generator writes with the change-feed triggers off (sampledata/generator.py);
    the feed gets the objects it wrote in one statement per table, in its transaction."""
    with connection.cursor() as cursor:
        for t in SYNCED_TABLES:
            if t.table in tables:
                cursor.execute(_created_events_sql(t), [t.resource, t.resource])


@receiver(person_pseudonymised, dispatch_uid="api_person_pseudonymised_tombstone")
def record_pseudonymisation(sender: Any, person: Any, case: Any, **kwargs: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_emit_change('persons', %s, %s, 'pseudonymised', "
            "pg_current_xact_id()::text::bigint)",
            [person.pk, case.pk],
        )
