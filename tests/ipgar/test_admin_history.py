"""The admin's history pages do not tell whether a record exists: for a staff user
who may not read a model, an existing and an unknown id answer alike (404, the same
page); for one who may, an unknown id is a 404 too, not a redirect with a message.

Every model registered in the admin is walked, so a model added later is checked
without a change here (``records`` fails if it cannot find a row of it).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from axes.models import AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, SolarSchedule

from accounts.roles import Role
from audit.admin import HistoryHidesExistenceMixin
from cases.models import (
    EmergencyAccess,
    Evaluation,
    ExitProcedure,
    ItatAdvice,
    ShareRecord,
)
from tests.conftest import sign_in
from tests.factories import AssessmentFactory, InterventionFactory, UserFactory
from tests.permissions.world import build_world

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 23)
MISSING_PK = 987_654_321


def _rest_of_the_registry(world) -> None:
    """Rows of the registered models the permission matrix's world does not hold."""
    case, meeting = world.own["case"], world.own["meeting"]
    plan_version = world.own["plan_version"]
    someone = world.users[Role.PROGRAMME_TEAM.value]
    now = timezone.now()
    ClockedSchedule.objects.create(clocked_time=now)
    CrontabSchedule.objects.create()
    SolarSchedule.objects.create(
        event="sunrise", latitude=Decimal("52.37"), longitude=Decimal("4.89")
    )
    for log in (AxesAccessLog, AccessFailureLog):
        log.objects.create(user_agent="probe", http_accept="text/html", path_info="/inloggen/")
    InterventionFactory(plan_version=plan_version)
    AssessmentFactory(case=case, assessor=someone)
    ItatAdvice.objects.create(
        plan_version=plan_version,
        subject=ItatAdvice.Subject.PLAN,
        given_on=ON,
        recommendation=ItatAdvice.Recommendation.POSITIVE,
        advice="Akkoord.",
        recorded_by=someone,
    )
    Evaluation.objects.create(
        case=case, kind="maandelijks", held_on=ON, findings="Stabiel.", recorded_by=someone
    )
    ExitProcedure.objects.create(
        case=case, ground="risico_zorg_weg", opened_on=ON, opened_by=someone
    )
    EmergencyAccess.objects.create(
        case=case,
        user=world.users[Role.REGISSEUR.value],
        reason="Acute zorg om de veiligheid van de persoon.",
        opened_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )
    ShareRecord.objects.create(
        case=case,
        shared_object_type="meeting",
        meeting=meeting,
        shared_with="Huisarts",
        ground="Zwaarwegend belang.",
        shared_by=someone,
        shared_at=now,
    )


@pytest.fixture
def records() -> dict[type[models.Model], models.Model]:
    """One existing row of every model registered in the admin."""
    world = build_world()
    _rest_of_the_registry(world)
    found = {}
    for model in admin.site._registry:
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"give tests/ipgar/test_admin_history.py a {model._meta.label}"
        assert not model._default_manager.filter(pk=MISSING_PK).exists()
        found[model] = row
    return found


def history_url(model: type[models.Model], pk: object) -> str:
    return f"/beheer/{model._meta.app_label}/{model._meta.model_name}/{pk}/history/"


def page_shape(response, url: str) -> str:
    """The page without what differs between any two requests (its own address, the
    CSP nonce, the CSRF token)."""
    body = response.content.decode().replace(url, "<url>")
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    return re.sub(r'(csrfmiddlewaretoken" value=)"[^"]*"', r'\1""', body)


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def may_read(user, model: type[models.Model]) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def outsiders() -> Iterator[tuple[str, object]]:
    """Staff users who may open the admin but not every model in it."""
    yield "staff without a role", UserFactory(username="staff-no-role", is_staff=True)
    admin_user = UserFactory(username="staff-admin", is_staff=True)
    admin_user.groups.add(Group.objects.get(name=Role.FUNCTIONAL_ADMIN.value))
    yield "functional administrator", admin_user


def test_every_admin_history_view_hides_whether_a_record_exists(records):
    checked = 0
    for who, user in outsiders():
        client = client_for(user)
        for model, row in records.items():
            if may_read(user, model):
                continue
            existing_url, missing_url = history_url(model, row.pk), history_url(model, MISSING_PK)
            existing, missing = client.get(existing_url), client.get(missing_url)
            label = f"{who}: {model._meta.label}"
            assert (existing.status_code, missing.status_code) == (404, 404), label
            assert page_shape(existing, existing_url) == page_shape(missing, missing_url), label
            checked += 1
    # Every registered model was refused to the staff user without a role.
    assert checked >= len(records)


def test_an_unknown_id_is_a_404_also_for_who_may_read_the_model(records):
    client = client_for(UserFactory(username="superuser", is_staff=True, is_superuser=True))
    for model, row in records.items():
        label = model._meta.label
        assert client.get(history_url(model, row.pk)).status_code == 200, label
        assert client.get(history_url(model, MISSING_PK)).status_code == 404, label
        assert client.get(history_url(model, "geen-nummer")).status_code == 404, label


def test_every_registered_admin_has_the_rule():
    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, HistoryHidesExistenceMixin)
    ]
    assert missing == []
