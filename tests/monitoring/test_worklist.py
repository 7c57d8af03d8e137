"""The dashboard's worklists: the most urgent items on the dashboard, every item
on the worklist page (paged, under the same filters), and the caseload chart of a
pool too big for one bar per regisseur."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case
from monitoring.views import dashboard as dashboard_view
from pool.selectors import pool_overview
from sampledata.generator import generate_data
from tests.conftest import sign_in
from tests.monitoring.conftest import user_with_role
from tests.pool.conftest import build_pool_2020
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("monitoring:dashboard")
WORKLIST = reverse("monitoring:worklist")
DAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_day():
    moment = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def programme_team(client):
    """A signing-in helper: the generator must write before anyone else in the
    test's transaction (it switches row triggers off, which PostgreSQL refuses
    while trigger events of earlier writes are pending)."""

    def signed_in(username: str = "pt-worklist"):
        sign_in(client, user_with_role(Role.PROGRAMME_TEAM, username=username))
        return client

    return signed_in


class _Rollback(Exception):
    pass


def section(html: str, key: str) -> str:
    return html.split(f'id="worklist-{key}"')[1].split("</section>")[0]


def item_count(html: str, key: str) -> int:
    match = re.search(r"\((\d+) items?", section(html, key))
    assert match is not None
    return int(match.group(1))


def longest_worklist(html: str) -> str:
    keys = re.findall(r'<section class="ams-mb-xl" id="worklist-([a-z_]+)"', html)
    return max(keys, key=lambda key: item_count(html, key))


@pytest.fixture
def small_pages(monkeypatch):
    """A few items on the dashboard and per page, so that a small data set pages."""
    monkeypatch.setattr(dashboard_view, "WORKLIST_PREVIEW", 3)
    monkeypatch.setattr(dashboard_view, "WORKLIST_PAGE_SIZE", 4)


def case_links(html: str) -> list[str]:
    """The link of each item: the form that settles it."""
    return re.findall(
        r'<li class="ams-unordered-list__item">\s*<a class="ams-link" href="([^"]+)"', html
    )


def case_id(link: str) -> int:
    match = re.match(r"/casussen/(\d+)/", link)
    assert match is not None, link
    return int(match.group(1))


def worklist_pages(client, query: str) -> list[str]:
    """Every case link on every page of a worklist, in order."""
    links: list[str] = []
    page = 1
    while True:
        response = client.get(f"{WORKLIST}?{query}&pagina={page}")
        assert response.status_code == 200
        html = response.content.decode()
        links += case_links(html.split('id="worklist-items"')[1].split("</ul>")[0])
        if 'rel="next"' not in html:
            return links
        page += 1


def test_the_dashboard_shows_the_most_urgent_items_and_links_to_all_of_them(
    programme_team, small_pages
):
    generate_data(cases=60, seed=31, today=DAY)
    client = programme_team()
    html = client.get(DASHBOARD).content.decode()
    key = longest_worklist(html)
    total = item_count(html, key)
    assert total > 2 * dashboard_view.WORKLIST_PAGE_SIZE  # so that paging is exercised
    preview = case_links(section(html, key))
    assert len(preview) == dashboard_view.WORKLIST_PREVIEW
    link = f'href="{WORKLIST}?lijst={key}">Alle {total} items van deze werklijst</a>'
    assert link in section(html, key)

    everything = worklist_pages(client, f"lijst={key}")
    assert len(everything) == total
    assert len(set(everything)) == total  # nothing twice across pages
    # The most urgent ones (the dashboard groups them by regisseur, the page does not).
    assert set(everything[: len(preview)]) == set(preview)


def test_the_worklist_page_keeps_the_dashboards_filters(programme_team, small_pages):
    generate_data(cases=60, seed=32, today=DAY)
    client = programme_team()
    html = client.get(DASHBOARD, {"fase": 2}).content.decode()
    key = longest_worklist(html)
    assert f'href="{WORKLIST}?lijst={key}&amp;fase=2"' in section(html, key)
    links = worklist_pages(client, f"lijst={key}&fase=2")
    assert len(links) == item_count(html, key)
    ids = {case_id(link) for link in links}
    assert set(Case.objects.filter(pk__in=ids).values_list("phase", flat=True)) == {2}
    # A region narrows the list to its cases.
    first = Case.objects.select_related("region").get(pk=min(ids))
    in_region = worklist_pages(client, f"lijst={key}&regio={first.region.code}")
    region_ids = {case_id(link) for link in in_region}
    assert 0 < len(region_ids) < len(worklist_pages(client, f"lijst={key}"))
    assert set(Case.objects.filter(pk__in=region_ids).values_list("region", flat=True)) == {
        first.region_id
    }
    page = client.get(WORKLIST, {"lijst": key, "fase": 2}).content.decode()
    assert f'href="{DASHBOARD}?fase=2">Terug naar het dashboard' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Kies een werklijst."),
        ({"lijst": "onbekend"}, "Deze werklijst bestaat niet."),
        ({"lijst": "uvo", "fase": "9"}, "Selecteer een geldige keuze."),
    ],
)
def test_a_wrong_worklist_or_filter_is_refused_with_a_dutch_message(programme_team, query, message):
    response = programme_team().get(WORKLIST, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_worklist_pages_query_count_does_not_grow_with_the_data(programme_team, small_pages):
    def measure(cases: int) -> tuple[CaptureQueriesContext, CaptureQueriesContext, int]:
        generate_data(cases=cases, seed=33, today=DAY)
        client = programme_team()
        client.get(DASHBOARD)  # the session's first request does its bookkeeping
        counts: list[CaptureQueriesContext] = []
        for _computed_then_cached in range(2):
            with count_queries() as queries:
                response = client.get(WORKLIST, {"lijst": "plan"})
            assert response.status_code == 200
            counts.append(queries)
        return counts[0], counts[1], len(worklist_pages(client, "lijst=plan"))

    try:
        with transaction.atomic():
            small = measure(15)
            raise _Rollback
    except _Rollback:
        pass
    large = measure(45)
    assert small[2] < large[2]  # more items at the larger size
    assert_same_query_count(small[0], large[0], what="the worklist, computed")
    assert_same_query_count(small[1], large[1], what="the worklist, cached")


def test_a_pool_too_big_to_read_per_regisseur_is_shown_per_organisation(
    programme_team, monkeypatch
):
    build_pool_2020()
    client = programme_team()
    html = client.get(DASHBOARD).content.decode()
    assert "<figcaption>Caseload tegen capaciteit per regisseur</figcaption>" in html
    assert 'id="pool-folded"' not in html

    monkeypatch.setattr(dashboard_view, "POOL_MAX_REGISSEURS_SHOWN", 4)
    Case.objects.filter(pk=Case.objects.order_by("pk")[0].pk).update(revision=99)  # new stamp
    html = client.get(DASHBOARD).content.decode()
    chart = html.split("<figcaption>Caseload tegen capaciteit per organisatie</figcaption>")[1]
    chart = chart.split("</figure>")[0]
    overview = pool_overview(on=DAY, new_since=DAY - datetime.timedelta(days=30))
    per_organisation: dict[str, list[int]] = {}
    for row in overview.rows:
        totals = per_organisation.setdefault(row.organisation, [0, 0])
        totals[0] += row.total_cases
        totals[1] += row.capacity
    assert len(per_organisation) < len(overview.rows)
    for organisation, (cases, capacity) in per_organisation.items():
        assert f">{organisation}</text>" in chart
        assert f"{cases} / {capacity}" in chart
    assert not any(row.name in chart for row in overview.rows)

    # The pool table too: a row per organisation with its sums, the totals unchanged,
    # no regisseur named, and the way to each regisseur's caseload.
    table = html.split('<table class="ams-table" id="pool-table" data-per="organisation">')[1]
    table = table.split("</table>")[0]
    for organisation, (cases, capacity) in per_organisation.items():
        row = table.split(f'<tr data-organisation="{organisation}">')[1].split("</tr>")[0]
        regisseurs = [r for r in overview.rows if r.organisation == organisation]
        cells = re.findall(r">(-?\d+)</td>", row)
        assert int(cells[0]) == len(regisseurs)
        assert int(cells[1]) == capacity
        assert int(cells[-1]) == capacity - cases  # free places
    assert f'data-total="regisseurs">{len(overview.rows)}<' in table
    assert not any(row.name in table for row in overview.rows)
    assert 'href="/pool/"' in html.split('id="pool-folded"')[1].split("</p>")[0]
