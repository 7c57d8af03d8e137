"""The register of the Directeurenoverleg's decisions and the pool rules that name the
decision they rest on (docs/rules.md R-POOL-11)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from pool.models import PoolDecision, PoolRule
from pool.selectors import pool_rules, pool_size
from pool.services import pool_decision_record
from sampledata.demo import POOL_DECISIONS
from tests.cases.conftest import client_for, with_role
from tests.factories import PoolDecisionFactory, RegisseurFactory, UserFactory
from tests.queries import assert_query_count

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
MAY_2020 = datetime.date(2020, 5, 11)
LIST_URL = reverse("pool:decision_list")
ADD_URL = reverse("pool:decision_add")


@pytest.fixture(autouse=True)
def _frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def programme_team():
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


def test_a_decision_is_recorded_with_date_text_and_rule(programme_team):
    decision = pool_decision_record(
        decided_on=MAY_2020,
        subject=" Maximale caseload ",
        text="12 casussen per regisseur (per fte).",
        rule=PoolRule.CASES_PER_FTE,
        by=programme_team,
    )
    decision.refresh_from_db()
    assert decision.subject == "Maximale caseload"
    assert decision.recorded_by == programme_team
    assert decision.rule == PoolRule.CASES_PER_FTE


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decided_on": TODAY + datetime.timedelta(days=1)}, "decided_on"),
        ({"text": "  "}, "text"),
        ({"subject": ""}, "subject"),
        ({"rule": "iets"}, "rule"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(programme_team, data, field):
    values = {"decided_on": MAY_2020, "subject": "Omvang", "text": "5 - 6 fte", "rule": ""}
    with pytest.raises(ValidationError) as refused:
        pool_decision_record(**{**values, **data}, by=programme_team)
    assert field in refused.value.error_dict
    assert not PoolDecision.objects.exists()


def test_each_rule_names_its_latest_decision_in_two_queries():
    RegisseurFactory(fte=Decimal("1.0"), active_from=datetime.date(2020, 1, 1))
    PoolDecisionFactory(decided_on=datetime.date(2019, 3, 14))
    latest = PoolDecisionFactory(decided_on=MAY_2020)
    PoolDecisionFactory(rule="", subject="Gezamenlijke verantwoordelijkheid")
    with translation.override("nl"), assert_query_count(2, what="the pool rules"):
        rules = {line.rule: line for line in pool_rules(size=pool_size(on=TODAY))}
    assert rules[PoolRule.CASES_PER_FTE].decision == latest
    assert rules[PoolRule.CASES_PER_FTE].value == "12 casussen per fte"
    assert rules[PoolRule.PARTNER_MINIMUM_FTE].decision is None
    assert "minimaal 0,5 fte" in rules[PoolRule.PARTNER_MINIMUM_FTE].value
    assert rules[PoolRule.POOL_SIZE].value == "ca. 5–6 fte in de hele pool (nu 1,0 fte)"


def test_the_pool_page_names_the_decision_beside_the_number(programme_team):
    PoolDecisionFactory(decided_on=MAY_2020)
    page = client_for(programme_team).get(reverse("pool:regisseur_list")).content.decode()
    assert "12 casussen per fte — besluit Directeurenoverleg 11 mei 2020" in page
    assert "nog geen besluit in het register" in page  # the other two rules


def test_the_register_page_lists_and_adds_decisions(programme_team):
    client = client_for(programme_team)
    response = client.post(
        ADD_URL,
        {
            "decided_on": "2020-05-11",
            "subject": "Omvang van de regisseurspool",
            "text": "De inschatting is dat er in totaal ca. 5 - 6 fte nodig is.",
            "rule": PoolRule.POOL_SIZE,
        },
    )
    assert response.status_code == 302
    page = client.get(LIST_URL).content.decode()
    assert "Omvang van de regisseurspool" in page
    assert "ca. 5–6 fte in de hele pool (nu 0,0 fte) — besluit Directeurenoverleg 11 mei 2020" in (
        page
    )


def test_the_add_page_answers_400_with_the_error_next_to_the_field(programme_team):
    response = client_for(programme_team).post(
        ADD_URL, {"decided_on": "2099-01-01", "subject": "Omvang", "text": "6 fte", "rule": ""}
    )
    assert response.status_code == 400
    assert "Een besluit kan niet in de toekomst genomen zijn." in response.content.decode()
    assert not PoolDecision.objects.exists()


def test_the_english_page_names_the_decision_in_english(programme_team):
    PoolDecisionFactory(decided_on=MAY_2020)
    client = client_for(programme_team)
    client.cookies["django_language"] = "en"
    page = client.get(LIST_URL).content.decode()
    assert "12 cases per FTE — decision of the Directeurenoverleg 11 May 2020" in page


def test_the_demo_data_holds_the_decisions_of_11_may_2020():
    rules = {rule for _subject, _text, rule in POOL_DECISIONS if rule}
    assert rules == set(PoolRule.values)
