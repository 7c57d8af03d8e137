"""Each access record names its ground, "on whose behalf" (NEN 7513): worked out by
cases.access.access_basis from the facts the permissions come from, and shown on
the access-log page and in its CSV export."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessLog
from cases.access import access_basis, case_access_for, read_basis
from cases.models import Case, CaseStatus
from tests.conftest import sign_in
from tests.factories import (
    TODAY,
    CaseFactory,
    PersonFactory,
    RegisseurFactory,
    UserFactory,
)
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
Basis = AccessLog.Basis
# The relations came in the query that read the case (cases.access.case_access_for).
NO_QUERY_OF_ITS_OWN = 0


def with_role(user, role: Role):
    user.groups.add(Group.objects.get(name=role.value))
    user._role_names = None
    return user


@pytest.fixture
def now(time_machine) -> datetime.datetime:
    moment = datetime.datetime.combine(TODAY, datetime.time(9, 0), tzinfo=AMSTERDAM)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def people(now) -> dict:
    """One open case and everyone around it, each on a different ground."""
    member = with_role(UserFactory(), Role.TEAM_MEMBER)
    emergency = with_role(RegisseurFactory().user, Role.REGISSEUR)
    case = CaseFactory(
        regisseur__user__roles=[Role.REGISSEUR],
        buddy__user__roles=[Role.REGISSEUR],
        stand_in=True,
        stand_in__starts_on=TODAY - datetime.timedelta(days=1),
        stand_in__ends_on=TODAY + datetime.timedelta(days=3),
        team=1,
        team__user=member,
        team__joined_on=TODAY - datetime.timedelta(days=7),
        under_emergency=emergency,
        under_emergency__opened_at=now - datetime.timedelta(hours=1),
        access_on=TODAY,
    )
    PersonFactory(case=case)
    stand_in = case.regisseur.absences.get().stand_in
    return {
        "case": case,
        "regisseur": case.regisseur.user,
        "buddy": case.buddy.user,
        "stand_in": with_role(stand_in.user, Role.REGISSEUR),
        "team_member": member,
        "programme_team": with_role(UserFactory(), Role.PROGRAMME_TEAM),
        "emergency": emergency,
        "sync_client": with_role(UserFactory(), Role.SYNC_CLIENT),
        "privacy_officer": with_role(UserFactory(), Role.PRIVACY_OFFICER),
        "pto_r": with_role(UserFactory(), Role.PTO_R),
        "other_regisseur": with_role(RegisseurFactory().user, Role.REGISSEUR),
    }


@pytest.mark.parametrize(
    ("who", "basis"),
    [
        ("regisseur", Basis.REGISSEUR),
        ("buddy", Basis.BUDDY),
        ("stand_in", Basis.STAND_IN),
        ("team_member", Basis.TEAM_MEMBER),
        ("programme_team", Basis.PROGRAMME_TEAM),
        ("emergency", Basis.EMERGENCY),
        ("sync_client", Basis.SYNC_CLIENT),
        ("privacy_officer", Basis.PRIVACY_OFFICER),
        ("pto_r", Basis.PTO_R),
        ("other_regisseur", Basis.OTHER),
    ],
)
def test_each_relation_to_the_case_is_its_own_ground(people, who, basis):
    assert access_basis(people[who], people["case"]) == basis


@pytest.mark.parametrize(
    "who",
    ["regisseur", "buddy", "stand_in", "team_member", "programme_team", "emergency"],
)
def test_a_case_read_through_case_access_for_brings_its_ground_along(people, who):
    """The audited read gets the relations with the case: the same ground, no query."""
    access = case_access_for(people[who], people["case"].pk)
    with assert_query_count(NO_QUERY_OF_ITS_OWN, what="the ground of a read"):
        basis = read_basis(people[who], access)
    assert basis == access_basis(people[who], people["case"])


def test_without_a_case_the_role_is_the_ground(people):
    assert access_basis(people["programme_team"], None) == Basis.PROGRAMME_TEAM
    assert access_basis(people["regisseur"], None) == Basis.OTHER


def test_an_ended_absence_or_a_left_member_is_no_ground_any_more(people, time_machine):
    time_machine.move_to(
        datetime.datetime.combine(
            TODAY + datetime.timedelta(days=10), datetime.time(9, 0), AMSTERDAM
        ),
        tick=False,
    )
    people["case"].team_members.update(left_on=TODAY)
    assert access_basis(people["stand_in"], people["case"]) == Basis.OTHER
    assert access_basis(people["team_member"], people["case"]) == Basis.OTHER


def test_the_directors_of_an_exited_case_read_it_on_no_ground_of_theirs(people):
    Case.objects.filter(pk=people["case"].pk).update(
        status=CaseStatus.EXITED, exited_on=TODAY - datetime.timedelta(days=1)
    )
    case = Case.objects.get(pk=people["case"].pk)
    assert access_basis(people["regisseur"], case) == Basis.OTHER
    assert access_basis(people["programme_team"], case) == Basis.PROGRAMME_TEAM


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.mark.parametrize(
    ("who", "basis", "emergency"),
    [
        ("buddy", Basis.BUDDY, False),
        ("stand_in", Basis.STAND_IN, False),
        ("programme_team", Basis.PROGRAMME_TEAM, False),
        ("emergency", Basis.EMERGENCY, True),
    ],
)
def test_reading_the_person_page_records_the_ground(people, who, basis, emergency):
    case = people["case"]
    before = AccessLog.objects.count()
    response = signed_in(people[who]).get(reverse("cases:person", args=[case.pk]))
    assert response.status_code == 200
    [record] = AccessLog.objects.order_by("id")[before:]
    assert (record.user, record.case_id, record.basis, record.emergency) == (
        people[who],
        case.pk,
        basis,
        emergency,
    )


def table_body(response) -> str:
    """The records on the page (the search form lists every ground as an option)."""
    assert response.status_code == 200
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_log_page_shows_the_ground_and_filters_on_it_and_the_export_carries_it(people):
    case = people["case"]
    signed_in(people["stand_in"]).get(reverse("cases:person", args=[case.pk]))
    signed_in(people["buddy"]).get(reverse("cases:person", args=[case.pk]))
    reader = signed_in(people["programme_team"])

    page = reader.get(reverse("audit:log"), {"case_number": case.number})
    assert '<th scope="col">Grond van toegang</th>' in page.content.decode()
    listed = table_body(page)
    assert "Vervanger bij afwezigheid" in listed and "Buddy van de casus" in listed

    only = table_body(
        reader.get(reverse("audit:log"), {"case_number": case.number, "basis": "stand_in"})
    )
    assert "Vervanger bij afwezigheid" in only and "Buddy van de casus" not in only
    wrong = reader.get(reverse("audit:log"), {"basis": "niemand"})
    assert wrong.status_code == 400

    export = reader.get(reverse("audit:log_export"), {"case_number": case.number})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {(row["username"], row["basis"]) for row in rows} == {
        (people["stand_in"].username, "stand_in"),
        (people["buddy"].username, "buddy"),
    }


def test_records_of_before_the_ground_was_kept_say_so(people):
    AccessLog.objects.create(
        user=people["regisseur"],
        username=people["regisseur"].username,
        action=AccessLog.Action.VIEW,
        object_type="cases.case",
        object_id=str(people["case"].pk),
        case_number=people["case"].number,
        at=timezone.now(),
    )
    page = signed_in(people["programme_team"]).get(
        reverse("audit:log"), {"case_number": people["case"].number}
    )
    assert "niet vastgelegd" in table_body(page)
