"""cases follows pool's signals (object permissions track absences and stand-ins) and
its own data_generated (the kept rhythm of generated cases)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver

from kernel.text import refuse_null_characters
from pool.signals import absence_changed

from .access import cases_access_sync
from .models import Case
from .signals import data_generated


@receiver(absence_changed, dispatch_uid="cases.stand_in_access_follows_absence")
def stand_in_access_follows_absence(sender: Any, absence: Any, **kwargs: Any) -> None:
    """Re-derive access on every open case of the absent regisseur (as regisseur or
    buddy): a new stand-in gains it for today if the absence runs today, a
    replaced stand-in loses it."""
    regisseur = absence.regisseur
    cases = (
        Case.objects.open()
        .filter(Q(regisseur=regisseur) | Q(buddy=regisseur))
        .select_related("regisseur", "buddy")
    )
    cases_access_sync(cases=cases)


# Every model, not only the cases app's: PostgreSQL refuses NUL in any text column.
pre_save.connect(refuse_null_characters, dispatch_uid="domain.refuse_null_characters")


@receiver(data_generated, dispatch_uid="cases_generated_rhythm")
def refresh_generated_rhythm(sender: Any, tables: list[str], **kwargs: Any) -> None:
    """The generator writes with the row triggers off (sampledata/generator.py), the
    ones that keep each case's rhythm (CaseRhythm) among them: it is recomputed for
    every case in one statement, in the generator's transaction. Only PostgreSQL's
    triggers can be switched off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT cases_rhythm_refresh_cases(ARRAY(SELECT id FROM cases_case))")
