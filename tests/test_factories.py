"""The case states of tests/factories.py hold what the services would have written."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pghistory.models
import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.roles import Role
from cases.access import users_with_case_access
from cases.models import CaseRhythm, CaseStatus, ExitStatus, Phase, PlanStatus
from tests import factories
from tests.factories import SIGNED_ON, CaseFactory, RegisseurFactory, UserFactory

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


# --- a factory for every model ----------------------------------------------------------


# Rows the database writes by trigger from other rows, never a test or the application:
# a factory would only make them disagree with what they summarise.
KEPT_BY_TRIGGERS = {CaseRhythm}


def _project_models() -> set[type[Model]]:
    """The models the project's own apps define; the history events (written by
    pghistory's triggers), the summaries kept by triggers and the proxies (over
    Django's and guardian's tables) are no rows of their own."""
    project = Path(settings.BASE_DIR)
    return {
        model
        for config in apps.get_app_configs()
        if Path(config.path).parent == project
        for model in config.get_models()
        if not model._meta.proxy
        and not issubclass(model, pghistory.models.Event)
        and model not in KEPT_BY_TRIGGERS
    }


def _model_of(candidate: Any) -> type[Model] | None:
    """The model a factory of tests/factories.py builds; None for anything else there."""
    if isinstance(candidate, type) and issubclass(candidate, DjangoModelFactory):
        factory_class: Any = candidate  # factory_boy is untyped (pyproject.toml)
        model: type[Model] | None = factory_class._meta.model
        return model
    return None


FACTORIES = sorted(
    (value for value in vars(factories).values() if _model_of(value) is not None),
    key=lambda f: f.__name__,
)


def test_every_project_model_has_a_factory():
    assert {"accounts", "audit", "pool", "cases", "monitoring", "api", "ptor"} <= {
        model._meta.app_label for model in _project_models()
    }
    missing = _project_models() - {_model_of(f) for f in FACTORIES}
    assert not missing, sorted(model._meta.label for model in missing)


@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_saves_a_valid_instance_in_one_call(model_factory):
    instance = model_factory()
    assert instance.pk is not None
    type(instance).objects.get(pk=instance.pk)
    instance.full_clean()


# --- a case in a given state ----------------------------------------------------------


def test_a_case_with_a_running_exit_is_in_phase_3_with_one_open_procedure():
    case = CaseFactory(exit_running=True, exit_procedure__status=ExitStatus.ADVISED)
    assert case.phase == Phase.EXIT
    (procedure,) = case.exit_procedures.running()
    assert procedure.status == ExitStatus.ADVISED


def test_a_case_with_a_team_a_stand_in_and_access_has_their_permissions():
    on = datetime.date(2026, 11, 23)
    case = CaseFactory(
        team=2,
        team__joined_on=on - datetime.timedelta(days=20),
        stand_in=True,
        stand_in__starts_on=on,
        stand_in__ends_on=on,
        access_on=on,
    )
    members = {member.user_id for member in case.team_members.all()}
    (absence,) = case.regisseur.absences.all()
    assert users_with_case_access(case) == {
        case.regisseur.user_id,
        case.buddy.user_id,
        absence.stand_in.user_id,
        *members,
    }
    assert len(members) == 2


def test_a_case_under_emergency_has_a_running_access_of_that_user():
    regisseur = RegisseurFactory(user__roles=[Role.REGISSEUR])
    case = CaseFactory(under_emergency=regisseur.user)
    (access,) = case.emergency_accesses.active_at(timezone.now())
    assert access.user == regisseur.user
