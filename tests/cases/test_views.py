"""The case pages: who reaches which page (404 where a case is not one's to see,
403 where it is but the stronger right is missing), what each shows, and that
every read of person-level data leaves exactly one access record."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessLog
from cases.views import PERSON_PAGE_PURPOSE
from tests.factories import (
    CaseFactory,
    MeetingFactory,
    PlanVersionFactory,
    RegisseurFactory,
    UserFactory,
)
from tests.queries import assert_counted, assert_same_query_count, count_queries

from .conftest import OUTSIDERS, SEES_CASE, WORKS_ON_CASE, client_for, with_role

pytestmark = pytest.mark.django_db

PERSON_LAST_NAME = "Fictief"  # what start_case registers


def new_records(before: int) -> list[AccessLog]:
    return list(AccessLog.objects.order_by("id")[before:])


# --- the case page -------------------------------------------------------------------


@pytest.mark.parametrize("who", SEES_CASE)
def test_who_works_on_or_in_the_case_sees_its_page_and_one_read_is_recorded(crew, who):
    user = crew.of(who)
    before = AccessLog.objects.count()

    response = client_for(user).get(reverse("cases:detail", args=[crew.case.pk]))

    assert response.status_code == 200
    assert crew.case.number in response.content.decode()
    [record] = new_records(before)
    assert (record.user, record.action, record.emergency) == (user, AccessLog.Action.VIEW, False)
    assert (record.object_type, record.object_id) == ("cases.case", str(crew.case.pk))
    assert record.case_number == crew.case.number


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("page", ["cases:detail", "cases:person", "cases:share"])
def test_a_case_one_may_not_see_is_not_found_and_nothing_is_recorded(crew, who, page):
    before = AccessLog.objects.count()
    response = client_for(crew.of(who)).get(reverse(page, args=[crew.case.pk]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize("who", [*SEES_CASE, *OUTSIDERS])
def test_an_unknown_case_id_answers_the_same_404(crew, who):
    missing = crew.case.pk + 10_000
    assert client_for(crew.of(who)).get(reverse("cases:detail", args=[missing])).status_code == 404


def test_the_case_page_shows_phases_team_plan_meetings_and_assessments_but_no_person(crew, author):
    PlanVersionFactory(case=crew.case, concerns="Uitingen die geweld rechtvaardigen.")
    MeetingFactory(case=crew.case, decisions="Woonbegeleiding aanvragen bij WPI.")
    client = client_for(crew.team_member)
    url = reverse("cases:detail", args=[crew.case.pk])
    # Each section is a tab of its own (?tab=); together they show all of this.
    text = "".join(
        client.get(url, {"tab": tab}).content.decode() for tab in ("", "plan", "uvos", "team")
    )
    for shown in (
        "Uitingen die geweld rechtvaardigen.",
        "Woonbegeleiding aanvragen bij WPI.",
        "Professional GGD",
        "Fase 1",
        str(crew.regisseur),
        str(crew.buddy),
    ):
        assert shown in text
    assert PERSON_LAST_NAME not in text
    # A team member reads the case but not the person, nor may share from it.
    assert reverse("cases:person", args=[crew.case.pk]) not in text
    assert reverse("cases:share", args=[crew.case.pk]) not in text


def test_the_regisseur_is_offered_the_person_record_and_sharing(crew):
    text = client_for(crew.regisseur).get(reverse("cases:detail", args=[crew.case.pk]))
    assert reverse("cases:person", args=[crew.case.pk]) in text.content.decode()
    assert reverse("cases:share", args=[crew.case.pk]) in text.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(crew):
    response = Client().get(reverse("cases:detail", args=[crew.case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the person record ---------------------------------------------------------------


@pytest.mark.parametrize("who", WORKS_ON_CASE)
def test_directors_and_the_programme_team_read_the_person_and_the_read_is_recorded(crew, who):
    user = crew.of(who)
    before = AccessLog.objects.count()

    response = client_for(user).get(reverse("cases:person", args=[crew.case.pk]))

    assert response.status_code == 200
    assert PERSON_LAST_NAME in response.content.decode()
    [record] = new_records(before)
    assert record.user == user
    assert (record.object_type, record.object_id) == ("cases.person", str(crew.case.person.pk))
    assert record.case_id == crew.case.pk
    assert record.purpose == PERSON_PAGE_PURPOSE
    assert record.emergency is False


def test_a_team_member_is_refused_the_person_record_and_nothing_is_recorded(crew):
    before = AccessLog.objects.count()
    response = client_for(crew.team_member).get(reverse("cases:person", args=[crew.case.pk]))
    assert response.status_code == 403
    assert PERSON_LAST_NAME not in response.content.decode()
    assert AccessLog.objects.count() == before


# --- the case list -------------------------------------------------------------------


def listed_numbers(response) -> list[str]:
    """Every case on the list: a regisseur's sections, or the (filtered) page."""
    context = response.context
    if "sections" in context:
        rows = [row for _, _, rows in context["sections"] for row in rows]
        rows += context["emergency_rows"]
    else:
        rows = context["rows"]
    return [case.number for case, _ in rows]


def test_the_list_holds_exactly_the_cases_one_may_see_without_person_names(crew):
    everything = sorted(c.number for c in type(crew.case).objects.all())
    assert listed_numbers(client_for(crew.programme_team).get(reverse("cases:list"))) == (
        everything
    )
    for who in SEES_CASE[:-1]:  # the directors and the stand-in
        assert crew.case.number in listed_numbers(client_for(crew.of(who)).get("/casussen/"))
    response = client_for(crew.team_member).get(reverse("cases:list"))
    assert listed_numbers(response) == [crew.case.number]
    assert PERSON_LAST_NAME not in response.content.decode()
    for who in ("pto_r", "manager", "functional_admin", "privacy_officer", "other_regisseur"):
        assert listed_numbers(client_for(crew.of(who)).get(reverse("cases:list"))) == []


def test_reading_the_list_records_nothing(crew):
    before = AccessLog.objects.count()
    client_for(crew.regisseur).get(reverse("cases:list"))
    assert AccessLog.objects.count() == before


def _list_queries(client: Client) -> CaptureQueriesContext:
    with count_queries() as queries:
        response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    return queries


# What a signed-in page costs before its own work: the session, the user, its second-factor
# device and its roles with the permissions they hold (accounts/roles.py), every capability
# the page asks being answered from them (accounts/backends.py). All four come from the
# cache after the session's first request (accounts/signed_in.py; tests/accounts/
# test_signed_in_cache.py counts that first request).
SIGNED_IN_REQUEST = 0
ROLE_NAMES = 0
MODEL_PERMISSIONS = 0  # none of their own (docs/adr/0015-permissions-by-capability.md)
# The session is saved at most once a minute (accounts/middleware.py), so not within
# the frozen minute of these tests; a save would add 3 (savepoint, UPDATE, release).
SESSION_SAVED = 0
# What is due next, for all listed cases at once (cases/selectors/deadlines.py): the
# members of the programme team and PTO-R, the stand-ins of the day, the case-level
# items, the exit procedures.
# Intervention terms of the plan in force and open UVO actions are deadlines too. The
# answer is kept under the data stamp (one query): asked again while the data stayed
# the same, the selector's own queries are not asked.
NEXT_DEADLINES_STAMP = 1
NEXT_DEADLINES = 6  # with the stand-ins of the day, read once for every kind
FILTER_CHOICES = 3  # the programme team's filters: organisations, regions, regisseurs
MY_FILTER_CHOICES = 1  # a regisseur's filters on his own list: the regions
SAVED_SELECTIONS = 1  # the user's own saved selections of the list
PAGE_OF_CASES = 2  # the paginator's count, then the page with region, regisseur and buddy
# The main menu's badges (ipgar/views.py MENU): a regisseur's own overdue items (his
# membership, then the deadline selector's role members, stand-ins, case items, exit procedures,
# intervention terms, UVO actions and pool items), the programme team's exit proposals
# waiting for ITAT-R and for PTO-R; both the unread notifications. Those from case data
# are counted after a change to the data (as on these
# tests' page after new cases) and then taken from the cache while the data's stamp
# stays the same: the stamp a GET reads once (cases/middleware.py), for what each case
# has due next and the badges alike; the unread count is asked on every page.
OWN_OVERDUE_BADGE = 8
WAITING_FOR_ITAT_R_BADGE = 1
# The programme team opens "Uitstroomvoorstellen" too, with its count of proposals
# waiting for PTO-R.
WAITING_FOR_PTO_R_BADGE = 1
UNREAD_BADGE = 1
BADGES_FROM_CASE_DATA = {
    Role.REGISSEUR: OWN_OVERDUE_BADGE,
    Role.PROGRAMME_TEAM: WAITING_FOR_ITAT_R_BADGE + WAITING_FOR_PTO_R_BADGE,
}
# A regisseur's own list: his membership, the colleagues he stands in for, his cases
# (as regisseur, buddy, stand-in), and the cases he reaches through an emergency access.
MY_CASES = 4
COMMON = (
    SIGNED_IN_REQUEST
    + ROLE_NAMES
    + MODEL_PERMISSIONS
    + SESSION_SAVED
    + NEXT_DEADLINES_STAMP
    + NEXT_DEADLINES
)
LIST_QUERIES = {
    Role.REGISSEUR: COMMON
    + MY_CASES
    + MY_FILTER_CHOICES
    + SAVED_SELECTIONS
    + OWN_OVERDUE_BADGE
    + UNREAD_BADGE,
    Role.PROGRAMME_TEAM: COMMON
    + FILTER_CHOICES
    + SAVED_SELECTIONS
    + PAGE_OF_CASES
    + WAITING_FOR_ITAT_R_BADGE
    + WAITING_FOR_PTO_R_BADGE
    + UNREAD_BADGE,
}


@pytest.mark.parametrize("role", [Role.REGISSEUR, Role.PROGRAMME_TEAM])
def test_the_list_takes_the_same_queries_for_3_and_12_cases(today, role):
    me = RegisseurFactory()
    with_role(me.user, role)
    client = client_for(me.user)
    # A session's first request records its browser and address once (django-qsessions).
    client.get(reverse("home"))

    CaseFactory.create_batch(3, regisseur=me, access_on=True)
    small = _list_queries(client)
    CaseFactory.create_batch(9, regisseur=me, access_on=True)
    large = _list_queries(client)
    assert_same_query_count(small, large, what="the case list")
    assert_counted(large, LIST_QUERIES[role], what="the case list")
    assert_counted(
        _list_queries(client),
        LIST_QUERIES[role] - BADGES_FROM_CASE_DATA[role] - NEXT_DEADLINES,
        what="the case list again, its badges and what is due next from the cache",
    )


def test_the_list_is_paginated_by_fifty(today):
    programme_team = with_role(UserFactory(), Role.PROGRAMME_TEAM)
    CaseFactory.create_batch(51)
    client = client_for(programme_team)
    assert len(client.get(reverse("cases:list")).context["page"].object_list) == 50
    assert len(client.get(reverse("cases:list"), {"pagina": 2}).context["page"].object_list) == 1
