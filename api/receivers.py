"""Tombstones for pseudonymised person records, in the transaction that erased them."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.dispatch import receiver

from cases.signals import person_pseudonymised


@receiver(person_pseudonymised, dispatch_uid="api_person_pseudonymised_tombstone")
def record_pseudonymisation(sender: Any, person: Any, case: Any, **kwargs: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_emit_change('persons', %s, %s, 'pseudonymised', "
            "pg_current_xact_id()::text::bigint)",
            [person.pk, case.pk],
        )
