"""A full page of every list a sync client reads asks as many queries as a page of one
object: the nested lists, external ids, access records and joins are one query per page
each, never one per object (a client's first sync reads pages of 500, the most a page
holds; benchmarks/sync.py measures them at 10,000 cases)."""

from __future__ import annotations

import pytest

from api.base import StablePagination
from benchmarks.sync import READ_RESOURCES
from sampledata.generator import generate_data
from tests.api.conftest import api_client_with, sync_client_user, token_for
from tests.factories import EscalationFactory, EscalationStepFactory
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

FULL_PAGE = StablePagination.max_page_size
# The reference lists a client reads before the cases (sync_client/mirror.py).
REFERENCE_RESOURCES = ("organisations", "regisseurs", "caseload-reviews")


def test_a_full_page_asks_as_many_queries_as_a_page_of_one():
    # The generator first: it switches the feed triggers off and on again, which
    # PostgreSQL refuses once the transaction holds pending deferred checks.
    generate_data(cases=8, seed=23)
    api = api_client_with(token_for(sync_client_user()))
    for escalation in EscalationFactory.create_batch(2):  # the generator records none
        EscalationStepFactory(escalation=escalation)
    for resource in (*REFERENCE_RESOURCES, *READ_RESOURCES):
        url = f"/api/v1/{resource}/"
        # The token's first use of the minute writes its last use: not a page's own query.
        api.get(url, {"page_size": 1})
        with count_queries() as one:
            single = api.get(url, {"page_size": 1}).json()["results"]
        with count_queries() as full:
            page = api.get(url, {"page_size": FULL_PAGE}).json()["results"]
        assert len(single) == 1
        assert len(page) > 1, f"{resource}: the data has one object, nothing to compare"
        assert_same_query_count(one, full, what=f"{url} (1 and {len(page)} objects)")
