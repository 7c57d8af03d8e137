"""The header's case search: a number takes who may see the case to it and answers
everyone else as an unknown number does; the programme team also finds cases by
name and BSN; every search is in the access log with its term, and every name shown
is recorded as read."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit.models import AccessLog
from cases.models import Person
from cases.services.reads import SEARCH_RESULT_PURPOSE
from cases.views.search import NOTHING_FOUND, NOTHING_FOUND_BY_NUMBER
from tests.factories import CaseFactory, PersonFactory
from tests.queries import assert_same_query_count, count_queries

from .conftest import OUTSIDERS, SEES_CASE, client_for

pytestmark = pytest.mark.django_db

UNKNOWN_NUMBER = "R-99999"


def search(user, term: str):
    return client_for(user).post(reverse("search"), {"q": term})


def searches_after(before: int) -> list[AccessLog]:
    return list(AccessLog.objects.filter(action=AccessLog.Action.SEARCH).order_by("id")[before:])


@pytest.mark.parametrize("who", SEES_CASE)
def test_a_number_one_may_see_goes_to_the_case(crew, who):
    response = search(crew.of(who), f"  {crew.case.number.lower()} ")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[crew.case.pk])


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_number_one_may_not_see_answers_as_an_unknown_number(crew, who):
    user = crew.of(who)
    seen = search(user, crew.case.number)
    unknown = search(user, UNKNOWN_NUMBER)

    assert seen.status_code == unknown.status_code == 200
    shown = _without_tokens(seen.content.decode()).replace(crew.case.number, UNKNOWN_NUMBER)
    assert shown == _without_tokens(unknown.content.decode())
    assert str(NOTHING_FOUND_BY_NUMBER) in shown


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which differ per request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("who", ["other_regisseur", "pto_r"])
def test_a_hidden_number_and_an_unknown_one_ask_the_same_queries(crew, who):
    user = crew.of(who)
    client = client_for(user)
    client.post(reverse("search"), {"q": UNKNOWN_NUMBER})  # the session's first request
    with count_queries() as hidden:
        client.post(reverse("search"), {"q": crew.case.number})
    with count_queries() as unknown:
        client.post(reverse("search"), {"q": UNKNOWN_NUMBER})
    assert_same_query_count(hidden, unknown, what="searching a hidden and an unknown number")


def test_only_the_programme_team_finds_a_case_by_name(crew):
    person = Person.objects.get(case=crew.case)
    for who in ("regisseur", "team_member", "other_regisseur"):
        response = search(crew.of(who), person.last_name)
        assert response.status_code == 200
        assert crew.case.number not in response.content.decode()
        assert str(NOTHING_FOUND_BY_NUMBER) in response.content.decode()

    response = search(crew.programme_team, person.last_name[:-1])
    assert response.status_code == 200
    assert crew.case.number in response.content.decode()
    assert person.last_name in response.content.decode()


def test_the_programme_team_finds_a_case_by_bsn_exactly(crew):
    case = CaseFactory()
    PersonFactory(case=case, last_name="Zoekbaar", bsn="123456782")

    found = search(crew.programme_team, "123456782").content.decode()
    assert case.number in found and "Zoekbaar" in found
    nearly = search(crew.programme_team, "123456783").content.decode()
    assert case.number not in nearly
    assert str(NOTHING_FOUND) in nearly


def test_every_search_is_recorded_with_its_term_and_every_name_shown_as_a_read(crew):
    Person.objects.filter(case=crew.case).update(last_name="Eenmalig")
    person = Person.objects.get(case=crew.case)
    before_searches = AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count()
    before = AccessLog.objects.count()

    search(crew.programme_team, person.last_name)

    [record] = searches_after(before_searches)
    assert (record.user, record.search_term) == (crew.programme_team, person.last_name)
    assert record.path == reverse("search")  # the term is posted: never in the path
    assert person.last_name not in record.object_label
    [read] = [r for r in AccessLog.objects.order_by("id")[before:] if r.action == "view"]
    assert (read.object_type, read.object_id) == ("cases.person", str(person.pk))
    assert (read.case_number, read.purpose) == (crew.case.number, SEARCH_RESULT_PURPOSE)

    search(crew.other_regisseur, crew.case.number)
    [_, hidden] = searches_after(before_searches)
    assert (hidden.user, hidden.search_term) == (crew.other_regisseur, crew.case.number)


def test_the_log_shows_search_terms_to_the_programme_team_only(crew):
    search(crew.regisseur, UNKNOWN_NUMBER)

    log = client_for(crew.programme_team).get(reverse("audit:log"), {"action": "search"})
    assert UNKNOWN_NUMBER in log.content.decode()
    officer = crew.of("privacy_officer")
    officer.organisation = crew.regisseur.organisation
    officer.save()
    log = client_for(officer).get(reverse("audit:log"), {"action": "search"})
    assert log.status_code == 200
    assert UNKNOWN_NUMBER not in log.content.decode()


def test_an_empty_search_is_refused_input(crew):
    response = search(crew.regisseur, "   ")
    assert response.status_code == 400


def test_searching_by_name_asks_the_same_queries_for_few_and_many_results(crew):
    client = client_for(crew.programme_team)
    client.get(reverse("search"))
    for _ in range(2):
        PersonFactory(last_name="Gelijknamig")
    with count_queries() as few:
        client.post(reverse("search"), {"q": "Gelijknamig"})
    for _ in range(20):
        PersonFactory(last_name="Gelijknamig")
    with count_queries() as many:
        response = client.post(reverse("search"), {"q": "Gelijknamig"})
    assert response.content.decode().count('<th class="ams-table__cell" scope="row">') == 22
    assert_same_query_count(few, many, what="a search by name")
