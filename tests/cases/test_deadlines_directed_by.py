"""The deadline selector narrowed to what a user directs (``directed_by``) finds every
item that user is responsible for: the notifications page of a regisseur, stand-in or
manager computes only those cases and regisseurs instead of the whole approach, and
must not lose an item by it."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from cases.selectors.deadlines import deadlines
from monitoring.selectors import deadlines_due_for
from pool.models import Absence, Regisseur
from sampledata.generator import generate_data
from tests.factories import CaseFactory, RegisseurFactory, UserFactory

pytestmark = [pytest.mark.django_db]


def responsible(user_id: int, items) -> list:
    return [item for item in items if user_id in item.responsible_user_ids]


@pytest.mark.usefixtures("today")
def test_every_user_finds_the_same_items_directed_as_from_the_whole_approach():
    today = timezone.localdate()
    generate_data(cases=40, seed=51, today=today)
    # A stand-in, and a manager of a regisseur, beside the generated pool.
    CaseFactory(phase2=True, stand_in=True)
    regisseur = Regisseur.objects.filter(user__isnull=False).first()
    assert regisseur is not None
    Regisseur.objects.filter(pk=regisseur.pk).update(manager=UserFactory())
    assert Absence.objects.filter(
        starts_on__lte=today, ends_on__gte=today, stand_in__isnull=False
    ).exists()

    everything = deadlines(on=today, horizon_days=60)
    users = User.objects.filter(
        Q(regisseur__isnull=False) | Q(managed_regisseurs__isnull=False)
    ).distinct()
    found = 0
    for user in users:
        directed = deadlines(on=today, horizon_days=60, directed_by=user.pk)
        assert responsible(user.pk, directed) == responsible(user.pk, everything), user
        found += len(responsible(user.pk, directed))
    assert found > 50  # the comparison compared something


@pytest.mark.usefixtures("today")
def test_a_stand_in_is_reminded_of_the_absent_regisseurs_case():
    case = CaseFactory(phase2=True, stand_in=True)
    stand_in = Absence.objects.get(regisseur=case.regisseur).stand_in
    assert stand_in is not None and stand_in.user is not None
    CaseFactory(phase2=True, regisseur=RegisseurFactory())  # somebody else's case
    due = deadlines_due_for(stand_in.user, on=timezone.localdate())
    # His own caseload review and three-way talk are his too; of the cases only the one.
    assert {item.case_id for item in due if item.case_id is not None} == {case.pk}
    # The day after the absence the regisseur holds his case again.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not [item for item in deadlines_due_for(stand_in.user, on=tomorrow) if item.case_id]
