"""Every change to a tracked record is kept: who, when, old and new values."""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from audit.history import HistoryMiddleware, change_history
from cases.selectors.figures import STAMP_STATEMENT, figures_version
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


def test_a_request_s_writes_carry_who_made_them_and_its_prepared_reads_go_without(rf):
    """The history middleware attaches the user and address to each change, but not to
    the run of a prepared read (kernel/prepared.py), which no trigger can see."""
    editor = UserFactory()
    regisseur = RegisseurFactory(remark="")

    def view(request):
        figures_version()  # a read prepared on the connection
        Regisseur.objects.filter(pk=regisseur.pk).update(remark="Gedetacheerd vanuit JBRA")
        return HttpResponse("ok")

    request = rf.post(f"/pool/regisseurs/{regisseur.pk}/")
    request.user = editor
    with CaptureQueriesContext(connection) as queries:
        HistoryMiddleware(view)(request)

    sent = [query["sql"] for query in queries.captured_queries]
    read = next(sql for sql in sent if STAMP_STATEMENT in sql)
    assert read.startswith("EXECUTE ")
    assert "set_config" not in read
    write = next(sql for sql in sent if 'UPDATE "pool_regisseur"' in sql)
    assert "pghistory.context_id" in write
    change = change_history(regisseur)[-1]
    assert change.changes == {"remark": ("", "Gedetacheerd vanuit JBRA")}
    assert change.user_id == editor.pk
