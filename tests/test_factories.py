"""The case states of tests/factories.py hold what the services would have written."""

from __future__ import annotations

import pytest

from cases.access import users_with_case_access
from cases.models import CaseStatus, PlanStatus
from tests.factories import SIGNED_ON, CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_case_built_field_by_field_writes_nothing_else():
    case = CaseFactory()
    assert not case.assignments.exists()
    assert users_with_case_access(case) == set()


def test_a_started_case_has_its_assignments_and_its_directors_permissions():
    author = UserFactory()
    case = CaseFactory(started=True, by=author)
    assert (case.status, case.notification_signed_on) == (CaseStatus.IN_REGIE, SIGNED_ON)
    assert case.assignments.count() == 2  # the regisseur and the buddy
    assert users_with_case_access(case) == {case.regisseur.user_id, case.buddy.user_id}


def test_a_case_with_a_plan_has_its_first_version_adopted():
    case = CaseFactory(started=True, with_plan=True)
    (version,) = case.plan_versions.all()
    assert (version.number, version.status) == (1, PlanStatus.ADOPTED)
    assert version.interventions.count() == 1
