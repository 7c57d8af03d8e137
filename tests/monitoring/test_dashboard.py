"""The programme team's dashboard: the 2020 pool table (R-POOL-4), charts, worklists, filters."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from cases.models import ExitGround, ExitProcedure
from monitoring.views import dashboard as dashboard_view
from tests.conftest import sign_in
from tests.factories import (
    CaseFactory,
    ExitProcedureFactory,
    OrganisationFactory,
    RegisseurFactory,
)
from tests.monitoring.conftest import user_with_role
from tests.monitoring.test_charts import clipped_labels
from tests.pool.conftest import build_pool_2020
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

URL = reverse("monitoring:dashboard")


@pytest.fixture(autouse=True)
def seed_day():
    with time_machine.travel(datetime.datetime(2020, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def programme_team(client):
    user = user_with_role(Role.PROGRAMME_TEAM, username="pt-dashboard")
    sign_in(client, user)
    return client


def totals(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-total="([a-z-]+)">([^<]*)<', html))


def over_capacity_rows(html: str) -> list[str]:
    return re.findall(r'data-organisation="([^"]+)" data-over-capacity="true"', html)


def test_the_pool_table_is_the_2020_memos_with_totals_and_over_capacity_marked(programme_team):
    build_pool_2020()
    html = programme_team.get(URL).content.decode()
    assert totals(html) == {
        "fte": "6,0",
        "capacity": "72",
        "in-regie": "43",
        "new": "7",
        "buddy": "50",
        "free": "22",
    }
    assert sorted(over_capacity_rows(html)) == ["OM", "RN"]
    assert html.count("Over capaciteit</span>") == 2
    assert "2 regisseurs zitten boven de maximale caseload." in html
    assert "Gedetacheerd vanuit JBRA" in html and "alleen Amstelland" in html


def test_the_charts_are_inline_svg_with_the_figures(programme_team):
    build_pool_2020()
    html = programme_team.get(URL).content.decode()
    assert html.count('role="img"') == 4
    # Caseload against capacity, OM over it; 50 open cases, all in phase 2 in this pool.
    assert html.count(": 7 / 6 (over capaciteit)") == 2  # OM and RN
    assert "Fase 1: casussen 0; Fase 2: casussen 50; Fase 3: casussen 0" in html


def test_outflow_per_quarter_is_split_by_exit_ground(programme_team):
    pool = build_pool_2020()
    case = CaseFactory(
        exited=True,
        exited_on=pool.on,
        regisseur=pool.regisseurs["oov-1"],
        buddy=pool.regisseurs["wpi"],
        region=pool.regions["amsterdam"],
        since=datetime.date(2019, 9, 2),
    )
    ExitProcedureFactory(
        case=case,
        status=ExitProcedure.Status.APPROVED,
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        opened_on=datetime.date(2020, 5, 1),
        opened_by=pool.regisseurs["oov-1"].user,
        decided_on=datetime.date(2020, 6, 10),
    )
    html = programme_team.get(URL).content.decode()
    assert "2020 K2: instroom 7, uitstroom 1" in html  # the 7 new cases registered in May
    assert "2020 K2: Verhuisd naar een andere gemeente 1" in html


def test_worklists_show_overdue_caseload_reviews_and_talks(programme_team):
    build_pool_2020()
    html = programme_team.get(URL).content.decode()
    # Nobody had a caseload review since joining on 1 January: due 1 April, overdue.
    reviews = html.split('id="worklist-caseload"')[1].split("</section>")[0]
    assert "(8 items, 8 verlopen)" in reviews
    # Counted from joining the pool, and said as what it is: never held.
    assert reviews.count("nog nooit gehouden") == 8
    assert "dagen te laat" not in reviews
    talks = html.split('id="worklist-talks"')[1].split("</section>")[0]
    assert "(0 items)" in talks  # yearly: due 1 January 2021, beyond the horizon


def test_filter_by_organisation_narrows_the_pool_table(programme_team):
    build_pool_2020()
    html = programme_team.get(URL, {"organisatie": "om"}).content.decode()
    assert totals(html) == {
        "fte": "0,5",
        "capacity": "6",
        "in-regie": "7",
        "new": "0",
        "buddy": "3",  # buddy of the Amstelland regisseur's three cases
        "free": "-1",
    }
    assert over_capacity_rows(html) == ["OM"]
    assert 'option value="om" selected' in html  # the form keeps the choice


def test_the_organisation_filter_offers_those_that_supply_a_regisseur(programme_team):
    build_pool_2020()
    without = OrganisationFactory(code="zonder", name="Zonder regisseurs")

    def offered() -> list[str]:
        html = programme_team.get(URL).content.decode()
        select = html.split('name="organisatie"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]*)"', select)

    before = offered()
    assert before[0] == ""  # all organisations
    assert "om" in before
    assert "zonder" not in before
    RegisseurFactory(organisation=without)
    assert "zonder" in offered()  # read again on the next view


def test_with_htmx_only_the_results_region_is_sent(programme_team):
    build_pool_2020()
    response = programme_team.get(URL, {"regio": "amstelland"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<div id="dashboard-results"')
    assert "<html" not in html and "ipgar-filters" not in html
    assert "Fase 1: casussen 0; Fase 2: casussen 3; Fase 3: casussen 0" in html
    # Region narrows to cases: caseload reviews belong to regisseurs and drop out.
    assert "(0 items)" in html.split('id="worklist-caseload"')[1].split("</section>")[0]
    assert response["Vary"].count("HX-Request") == 1


def test_filter_by_phase_narrows_the_cases(programme_team):
    build_pool_2020()
    html = programme_team.get(URL, {"fase": "1"}).content.decode()
    assert "Fase 1: casussen 0; Fase 2: casussen 0; Fase 3: casussen 0" in html


def test_an_unknown_filter_value_is_ignored_not_an_error(programme_team):
    build_pool_2020()
    response = programme_team.get(URL, {"organisatie": "bestaat-niet", "fase": "9"})
    assert response.status_code == 200
    assert totals(response.content.decode())["capacity"] == "72"


@pytest.mark.parametrize("role", [Role.REGISSEUR, Role.PTO_R, Role.MANAGER, Role.TEAM_MEMBER])
def test_only_the_programme_team_sees_the_dashboard(client, role):
    user = user_with_role(role)
    sign_in(client, user)
    response = client.get(URL)
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_the_programme_team_lands_on_the_dashboard(programme_team):
    response = programme_team.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == URL


def test_query_count_does_not_grow_with_the_number_of_cases(programme_team):
    build_pool_2020(copy=1)
    programme_team.get(URL)  # warm up: session, content types
    with count_queries() as one_pool:
        programme_team.get(URL, {"fase": "2"})
    build_pool_2020(copy=2)  # twice the regisseurs and cases
    with count_queries() as two_pools:
        programme_team.get(URL, {"fase": "2"})
    assert totals(programme_team.get(URL).content.decode())["in-regie"] == "86"
    assert_same_query_count(one_pool, two_pools, what="the dashboard")


def cards(html: str) -> dict[str, tuple[str, str]]:
    """Each figure card: its key -> (link, figure)."""
    found = re.findall(
        r'<a class="ipgar-card" href="([^"]+)" data-card="([^"]+)">\s*'
        r'<span class="ipgar-card__value">(\d+)</span>',
        html,
    )
    return {key: (link.replace("&amp;", "&"), value) for link, key, value in found}


def test_the_figures_are_cards_that_open_the_filtered_case_list(programme_team):
    pool = build_pool_2020()
    cases = reverse("cases:list")
    shown = cards(programme_team.get(URL).content.decode())
    assert shown["open"] == (cases, "50")  # the memo's 43 in regie and 7 new
    assert [shown[f"fase-{n}"][0] for n in (1, 2, 3)] == [f"{cases}?fase={n}" for n in (1, 2, 3)]
    assert sum(int(shown[f"fase-{n}"][1]) for n in (1, 2, 3)) == 50
    assert shown["verlopen"][0] == f"{cases}?verlopen=1"
    assert shown["uitgestroomd"][0] == f"{cases}?uitgestroomd=1"

    # Under a filter the cards keep it (the case list takes the region's id).
    region = pool.regions["amstelland"]
    shown = cards(programme_team.get(URL, {"regio": "amstelland"}).content.decode())
    assert shown["fase-1"][0] == f"{cases}?regio={region.pk}&fase=1"
    assert shown["verlopen"][0] == f"{cases}?regio={region.pk}&verlopen=1"


def test_a_regisseur_in_the_pool_table_opens_his_cases(programme_team):
    pool = build_pool_2020()
    html = programme_team.get(URL).content.decode()
    om = pool.regisseurs["om"]
    assert f'href="{reverse("cases:list")}?regisseur={om.pk}">' in html


def test_worklist_items_open_the_form_that_settles_them_grouped_by_regisseur(programme_team):
    pool = build_pool_2020()
    html = programme_team.get(URL).content.decode()
    reviews = html.split('id="worklist-caseload"')[1].split("</section>")[0]
    om = pool.regisseurs["om"]
    name = om.user.get_full_name()
    # The regisseur's group, and in it the caseload review form prefilled for him.
    group = reviews.split(f'ipgar-worklist__owner">{name}</h4>')[1].split("</ul>")[0]
    assert f'href="{reverse("pool:review_add")}?regisseur={om.pk}"' in group
    form = programme_team.get(reverse("pool:review_add"), {"regisseur": om.pk}).content.decode()
    assert re.search(rf'<option value="{om.pk}" selected>', form)

    uvos = html.split('id="worklist-uvo"')[1].split("</section>")[0]
    assert re.search(r'href="/casussen/\d+/uvo/"', uvos)


@pytest.mark.parametrize(
    ("days", "grade"), [(0, 0), (1, 1), (13, 1), (14, 2), (91, 2), (92, 3), (729, 3)]
)
def test_overdue_is_graded(days, grade):
    assert dashboard_view.overdue_grade(days) == grade


def test_an_overdue_item_says_how_late_in_words_and_a_marker(programme_team):
    build_pool_2020()
    html = programme_team.get(URL).content.decode()
    reviews = html.split('id="worklist-caseload"')[1].split("</section>")[0]
    # 75 days: grade 2, two of three blocks filled, and the grade in words for a screen reader.
    item = reviews.split('class="ipgar-overdue ipgar-overdue--2"')[1].split("</li>")[0]
    assert item.count('<i class="is-on">') == 2
    assert "(minder dan 3 maanden te laat)" in item


def test_the_dashboards_charts_clip_no_label_and_its_forms_are_dutch(programme_team):
    build_pool_2020()
    html = programme_team.get(URL).content.decode()
    charts = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(charts) == 4
    for chart in charts:
        assert clipped_labels(chart) == []
    # Numbers and dates in Dutch form: 0,5 fte, dd-mm-jjjj; no ISO date anywhere.
    assert re.search(r">0,5<", html)
    assert not re.search(r">\s*0\.5\s*<", html)
    assert not re.search(
        r"\b20\d\d-\d\d-\d\d\b", re.sub(r'(href|value|datetime|data-[a-z-]+)="[^"]*"', "", html)
    )
    for due in re.findall(r"uiterlijk ([^<]+)<", html):
        assert re.fullmatch(r"\d\d-\d\d-\d{4}\s*", due), due
