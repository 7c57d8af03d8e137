"""Every change to a tracked record is kept: who, when, old and new values."""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pytest

from audit.history import change_history
from pool.models import Regisseur
from tests.factories import RegisseurFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_history_records_who_changed_which_field_from_what_to_what():
    editor = UserFactory()
    with pghistory.context(user=editor.pk):
        regisseur = RegisseurFactory(fte=Decimal("0.5"), remark="")
    with pghistory.context(user=editor.pk):
        Regisseur.objects.filter(pk=regisseur.pk).update(fte=Decimal("0.8"))
        regisseur.refresh_from_db()
        regisseur.remark = "Gedetacheerd vanuit JBRA"
        regisseur.save()

    history = change_history(regisseur)
    assert [change.label for change in history] == ["insert", "update", "update"]
    created, fte_change, remark_change = history
    assert created.changes["fte"] == (None, 0.5)
    assert fte_change.changes == {"fte": (0.5, 0.8)}
    assert remark_change.changes == {"remark": ("", "Gedetacheerd vanuit JBRA")}
    assert {change.user_id for change in history} == {editor.pk}
    assert history[0].at <= history[1].at <= history[2].at


def test_a_bulk_update_outside_any_request_is_still_recorded():
    regisseur = RegisseurFactory(fte=Decimal("1.0"))
    Regisseur.objects.filter(pk=regisseur.pk).update(fte=Decimal("0.6"))
    last = change_history(regisseur)[-1]
    assert last.changes == {"fte": (1.0, 0.6)}
    assert last.user_id is None
