"""The access-log pages: who reads which records, search and its CSV export, and the
subject-access export, which is itself recorded."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.forms import PERIOD_REVERSED
from audit.models import AccessLog
from audit.services import (
    ACCESS_LOG_EXPORT_LABEL,
    ACCESS_LOG_OBJECT_TYPE,
    SUBJECT_ACCESS_PURPOSE,
    access_record,
)
from tests.conftest import sign_in
from tests.factories import CaseFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

LOG_URL = reverse("audit:log")
EXPORT_URL = reverse("audit:log_export")


def with_role(user, role: Role):
    user.groups.add(Group.objects.get(name=role.value))
    return user


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.fixture
def ggd():
    return OrganisationFactory(code="ggd", name="GGD")


@pytest.fixture
def wpi():
    return OrganisationFactory(code="wpi", name="WPI")


@pytest.fixture
def programme_team():
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


@pytest.fixture
def reads(ggd, wpi):
    """Two reads by GGD staff on one person, one by WPI staff on another."""
    ggd_reader = UserFactory(organisation=ggd)
    wpi_reader = UserFactory(organisation=wpi)
    watched, other = PersonFactory(), PersonFactory()
    access_record(user=ggd_reader, obj=watched.case)
    access_record(user=ggd_reader, obj=watched, purpose="UVO voorbereiden")
    access_record(user=wpi_reader, obj=other)
    return {"ggd_reader": ggd_reader, "wpi_reader": wpi_reader, "case": watched.case}


def usernames_on_page(response) -> set[str]:
    return {record.username for record in response.context["page"]}


def test_the_programme_team_reads_every_record(programme_team, reads):
    response = client_for(programme_team).get(LOG_URL)
    assert response.status_code == 200
    assert usernames_on_page(response) == {
        reads["ggd_reader"].username,
        reads["wpi_reader"].username,
    }


def test_a_privacy_officer_reads_only_the_records_of_own_organisations_staff(ggd, reads):
    officer = with_role(UserFactory(organisation=ggd), Role.PRIVACY_OFFICER)
    client = client_for(officer)
    response = client.get(LOG_URL)
    assert response.status_code == 200
    assert usernames_on_page(response) == {reads["ggd_reader"].username}
    assert reads["wpi_reader"].username not in response.content.decode()
    exported = csv_rows(client.get(EXPORT_URL))
    assert {row["username"] for row in exported} == {reads["ggd_reader"].username}


@pytest.mark.parametrize(
    "role",
    [Role.REGISSEUR, Role.TEAM_MEMBER, Role.PTO_R, Role.MANAGER, Role.FUNCTIONAL_ADMIN],
)
def test_nobody_else_opens_the_log(role, reads):
    client = client_for(with_role(UserFactory(), role))
    assert client.get(LOG_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_search_by_case_number_and_its_csv_export_hold_the_same_rows(programme_team, reads):
    client = client_for(programme_team)
    number = reads["case"].number
    page = client.get(LOG_URL, {"case_number": number})
    assert {r.case_number for r in page.context["page"]} == {number}
    assert len(page.context["page"].object_list) == 2
    assert f"case_number={number}" in page.content.decode()  # the export link keeps the filter

    exported = csv_rows(client.get(EXPORT_URL, {"case_number": number}))
    assert [row["object_type"] for row in exported] == ["cases.person", "cases.case"]
    assert {row["case_number"] for row in exported} == {number}


def test_an_export_of_the_log_is_itself_recorded_and_shows_in_the_next_export(
    programme_team, reads
):
    client = client_for(programme_team)
    before = AccessLog.objects.count()
    first = csv_rows(client.get(EXPORT_URL))
    assert AccessLog.objects.count() == before + 1
    record = AccessLog.objects.latest("id")
    assert (record.user, record.action, record.object_type) == (
        programme_team,
        AccessLog.Action.EXPORT,
        ACCESS_LOG_OBJECT_TYPE,
    )
    assert record.object_label == f"{ACCESS_LOG_EXPORT_LABEL} ({len(first)} regels)"
    assert record.path == EXPORT_URL
    second = csv_rows(client.get(EXPORT_URL))
    assert len(second) == len(first) + 1
    assert second[0]["username"] == programme_team.username
    assert second[0]["object_type"] == ACCESS_LOG_OBJECT_TYPE


def test_the_emergency_filter(programme_team, reads):
    access_record(user=reads["wpi_reader"], obj=CaseFactory(), emergency=True, purpose="crisis")
    client = client_for(programme_team)
    page = client.get(LOG_URL, {"emergency_only": "on"})
    assert [r.emergency for r in page.context["page"]] == [True]
    assert [
        row["emergency"] for row in csv_rows(client.get(EXPORT_URL, {"emergency_only": "on"}))
    ] == ["ja"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-12-01", "until": "2026-11-01"}, PERIOD_REVERSED),
        ({"since": "geen datum"}, "Voer een geldige datum in."),
    ],
)
def test_a_wrong_filter_is_a_form_error_that_keeps_the_input(programme_team, params, message):
    client = client_for(programme_team)
    response = client.get(LOG_URL, params)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    assert client.get(EXPORT_URL, params).status_code == 400


def test_the_log_is_paginated_by_fifty(programme_team):
    reader = UserFactory()
    case = CaseFactory()
    for _ in range(51):
        access_record(user=reader, obj=case)
    client = client_for(programme_team)
    assert len(client.get(LOG_URL).context["page"].object_list) == 50
    assert len(client.get(LOG_URL, {"pagina": 2}).context["page"].object_list) == 1


def test_the_log_page_takes_the_same_queries_for_3_and_30_records(programme_team, ggd):
    readers = [UserFactory(organisation=ggd), UserFactory(organisation=OrganisationFactory())]
    client = client_for(programme_team)
    # A session's first request reads the signed-in user into the cache (accounts/signed_in.py).
    client.get(reverse("home"))

    def add(count: int) -> None:
        for i in range(count):
            access_record(user=readers[i % 2], obj=CaseFactory())

    def log_page() -> CaptureQueriesContext:
        with count_queries() as queries:
            assert client.get(LOG_URL).status_code == 200
        return queries

    add(3)
    small = log_page()
    add(27)
    assert_same_query_count(small, log_page(), what="the access log page")


# --- subject-access export -------------------------------------------------------------


def test_the_programme_team_exports_one_persons_access_history_and_that_is_recorded(
    programme_team, reads
):
    case = reads["case"]
    url = reverse("audit:subject_access_export", args=[case.pk])
    before = AccessLog.objects.count()

    rows = csv_rows(client_for(programme_team).get(url))

    assert AccessLog.objects.count() == before + 1
    export = AccessLog.objects.latest("id")
    assert (export.user, export.action) == (programme_team, AccessLog.Action.EXPORT)
    assert (export.case_id, export.case_number) == (case.pk, case.number)
    assert export.purpose == SUBJECT_ACCESS_PURPOSE
    # Everything about this person, oldest first, ending with the export itself.
    assert [row["object_type"] for row in rows] == ["cases.case", "cases.person", "cases.case"]
    assert rows[-1]["action"] == AccessLog.Action.EXPORT
    assert {row["case_number"] for row in rows} == {case.number}


@pytest.mark.parametrize(
    "role",
    [Role.PRIVACY_OFFICER, Role.REGISSEUR, Role.TEAM_MEMBER, Role.PTO_R, Role.FUNCTIONAL_ADMIN],
)
def test_nobody_else_exports_a_persons_history(role, ggd, reads):
    user = with_role(UserFactory(organisation=ggd), role)
    before = AccessLog.objects.count()
    url = reverse("audit:subject_access_export", args=[reads["case"].pk])
    assert client_for(user).get(url).status_code == 403
    assert AccessLog.objects.count() == before
