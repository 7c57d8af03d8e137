"""The programme team's case list: filters by the query-string names the dashboard
links with, sorting, exited cases behind a toggle, saved selections per user, the CSV
export (recorded, formula-safe) and the menu's badges."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from audit.models import AccessLog
from cases.filters import WAITING_FOR_ITAT_R
from cases.models import CaseStatus, ExitGround, ExitProcedure, Phase, SavedCaseView
from cases.selectors.cases import regisseur_of
from cases.selectors.deadlines import next_deadline_per_case
from cases.selectors.lists import overdue_items_of
from cases.services.saved_views import SAVED_VIEW_NAME_TAKEN
from cases.views.lists import EXPORT_PURPOSE
from tests.factories import (
    CaseFactory,
    NotificationFactory,
    RegionFactory,
    RegisseurFactory,
    UserFactory,
)
from tests.queries import assert_same_query_count, count_queries

from .conftest import client_for, with_role

pytestmark = pytest.mark.django_db

OVERDUE_BADGE = re.compile(r"(\d+) verlopen")
ROW_NUMBER = re.compile(r'<th class="ams-table__cell" scope="row"><a [^>]*>([^<]+)</a>')


@pytest.fixture
def programme_team(today):
    return with_role(UserFactory(), Role.PROGRAMME_TEAM)


def listed(user, query: str = "") -> list[str]:
    response = client_for(user).get(f"{reverse('cases:list')}?{query}")
    assert response.status_code == 200
    return ROW_NUMBER.findall(response.content.decode())


def waiting_for_itat_r(case):
    return ExitProcedure.objects.create(
        case=case,
        ground=ExitGround.MOVED_NL,
        destination="Utrecht",
        opened_on=case.phase_since,
        opened_by=UserFactory(),
    )


def test_each_filter_narrows_the_list(programme_team):
    north = RegionFactory(code="noord")
    director = RegisseurFactory()
    in_phase_3 = CaseFactory(phase3=True, number="R-30000")
    in_north = CaseFactory(region=north, number="R-40000")
    directed = CaseFactory(regisseur=director, number="R-50000")
    registered = CaseFactory(registered=True, regisseur=None, buddy=None, number="R-60000")
    waiting = CaseFactory(phase3=True, number="R-70000")
    waiting_for_itat_r(waiting)

    assert listed(programme_team, f"fase={Phase.EXIT.value}") == [in_phase_3.number, waiting.number]
    assert listed(programme_team, f"regio={north.pk}") == [in_north.number]
    assert listed(programme_team, f"regisseur={director.pk}") == [directed.number]
    assert listed(programme_team, f"status={CaseStatus.REGISTERED}") == [registered.number]
    assert listed(programme_team, f"status={WAITING_FOR_ITAT_R}") == [waiting.number]
    # Signed and without a first UVO, every case in regie is overdue; a registered one not.
    assert registered.number not in listed(programme_team, "verlopen=1")
    assert in_north.number in listed(programme_team, "verlopen=1")


def test_exited_cases_show_only_behind_the_toggle(programme_team):
    open_case = CaseFactory(number="R-10000")
    exited = CaseFactory(exited=True, number="R-20000")

    assert listed(programme_team) == [open_case.number]
    assert listed(programme_team, "uitgestroomd=1") == [open_case.number, exited.number]
    assert listed(programme_team, f"status={CaseStatus.EXITED}") == [exited.number]


def test_columns_sort_both_ways_and_say_so(programme_team):
    early = CaseFactory(phase3=True, number="R-00100")
    late = CaseFactory(number="R-00200")

    assert listed(programme_team, "sorteer=fase") == [late.number, early.number]
    assert listed(programme_team, "sorteer=-nummer") == [late.number, early.number]
    page = client_for(programme_team).get(reverse("cases:list"), {"sorteer": "fase"})
    assert 'aria-sort="ascending"' in page.content.decode()
    assert "sorteer=-fase" in page.content.decode()


def test_a_selection_is_saved_for_its_owner_and_deleted_by_no_one_else(programme_team):
    client = client_for(programme_team)
    response = client.post(
        reverse("cases:saved_view_add"), {"name": "Mijn fase 3", "query": "fase=3&pagina=2&x=1"}
    )
    assert response.status_code == 302
    view = SavedCaseView.objects.get(user=programme_team)
    assert (view.name, view.query) == ("Mijn fase 3", "fase=3")
    assert response["Location"] == f"{reverse('cases:list')}?fase=3"
    assert "Mijn fase 3" in client.get(reverse("cases:list")).content.decode()

    again = client.post(reverse("cases:saved_view_add"), {"name": "mijn FASE 3", "query": ""})
    assert str(SAVED_VIEW_NAME_TAKEN) in client.get(again["Location"]).content.decode()
    assert SavedCaseView.objects.filter(user=programme_team).count() == 1

    colleague = client_for(with_role(UserFactory(), Role.PROGRAMME_TEAM))
    assert "Mijn fase 3" not in colleague.get(reverse("cases:list")).content.decode()
    remove = reverse("cases:saved_view_remove", args=[view.pk])
    assert colleague.post(remove).status_code == 404
    assert client.post(remove).status_code == 302
    assert not SavedCaseView.objects.exists()


def test_the_default_selections_are_offered(programme_team):
    page = client_for(programme_team).get(reverse("cases:list")).content.decode()
    for name, query in (("Wacht op ITAT-R", WAITING_FOR_ITAT_R), ("Fase 3", "fase=3")):
        assert name in page and query in page


def test_the_export_holds_the_selection_is_formula_safe_and_recorded(programme_team):
    tricky = RegionFactory(code="formule", name="=HYPERLINK(1)")
    shown = CaseFactory(region=tricky, phase3=True, number="R-00300")
    CaseFactory(number="R-00400")
    before = AccessLog.objects.count()

    response = client_for(programme_team).get(reverse("cases:export"), {"fase": "3"})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows[1:]] == [shown.number]
    assert rows[1][1] == "'=HYPERLINK(1)"
    [record] = AccessLog.objects.order_by("id")[before:]
    assert (record.action, record.case_number, record.purpose) == (
        AccessLog.Action.EXPORT,
        shown.number,
        EXPORT_PURPOSE,
    )


@pytest.mark.parametrize("role", [Role.REGISSEUR, Role.TEAM_MEMBER, Role.PTO_R])
def test_only_the_programme_team_exports(today, role):
    client = client_for(with_role(UserFactory(), role))
    assert client.get(reverse("cases:export")).status_code == 403


@pytest.mark.parametrize("role", [Role.TEAM_MEMBER, Role.PTO_R])
def test_only_the_programme_team_and_regisseurs_save_selections(today, role):
    client = client_for(with_role(UserFactory(), role))
    assert client.post(reverse("cases:saved_view_add"), {"name": "x"}).status_code == 403


# --- a regisseur's "mijn casussen" ------------------------------------------------------


@pytest.fixture
def director(today):
    return with_role(RegisseurFactory().user, Role.REGISSEUR)


def test_a_regisseur_filters_and_sorts_his_own_cases_within_their_sections(director):
    own = director.regisseur
    early = CaseFactory(regisseur=own, phase=Phase.EXECUTION, number="IPGA-2026-0901")
    late = CaseFactory(regisseur=own, phase=Phase.EXIT, number="IPGA-2026-0902")
    buddied = CaseFactory(buddy=own, phase=Phase.EXIT, number="IPGA-2026-0903")
    CaseFactory(phase=Phase.EXIT)  # another regisseur's case never shows
    client = client_for(director)

    def sections(query: str = "") -> dict[str, list[str]]:
        response = client.get(f"{reverse('cases:list')}?{query}")
        assert response.status_code == 200
        return {
            role: [case.number for case, _ in rows]
            for role, _, rows in response.context["sections"]
        }

    everything = sections()
    assert everything["regisseur"] == [early.number, late.number]
    assert everything["buddy"] == [buddied.number]
    phase_3 = sections(f"fase={Phase.EXIT.value}")
    assert phase_3["regisseur"] == [late.number] and phase_3["buddy"] == [buddied.number]
    assert sections("sorteer=-nummer")["regisseur"] == [late.number, early.number]
    page = client.get(f"{reverse('cases:list')}?fase=1").content.decode()
    assert "Geen casussen in deze selectie." in page
    # The pool's own filters are not offered on one's own list.
    form = client.get(reverse("cases:list")).context["filters"].form
    assert "fase" in form.fields
    assert not {"organisatie", "regisseur", "uitgestroomd"} & set(form.fields)


def test_a_regisseurs_rows_show_each_case_and_how_late_its_next_item_is(director, today):
    """Each row: the case number linking to its page, region, phase, status, regisseur,
    buddy and the next item due, with its date and how many days late it is."""
    buddy = RegisseurFactory()
    case = CaseFactory(
        regisseur=director.regisseur,
        buddy=buddy,
        phase=Phase.EXECUTION,
        since=today - datetime.timedelta(days=400),
    )
    due = next_deadline_per_case(on=today, case_ids=[case.pk])[case.pk]
    assert due.overdue and due.days_overdue > 1

    html = client_for(director).get(reverse("cases:list")).content.decode()
    link = reverse("cases:detail", args=[case.pk])
    row = html[html.index(f'<a class="ams-link" href="{link}">{case.number}</a>') :]
    cells = re.findall(r'<td class="ams-table__cell">(.*?)</td>', row[: row.index("</tr>")])
    assert cells == [
        case.region.name,
        "Fase 2",
        "In regie",
        escape(str(director)),
        escape(str(buddy.user)),
        f"{escape(str(due.kind.label))}: {due.due_on:%d-%m-%Y} "
        f'<span class="ams-badge ipgar-badge--overdue">{due.days_overdue} dagen te laat</span>',
    ]


def test_a_regisseur_saves_a_selection_of_his_own_list_and_exports_nothing(director):
    client = client_for(director)
    response = client.post(
        reverse("cases:saved_view_add"), {"name": "Mijn fase 3", "query": "fase=3"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('cases:list')}?fase=3"
    page = client.get(reverse("cases:list"))
    assert [view.name for view in page.context["saved_views"]] == ["Mijn fase 3"]
    assert page.context["export_url"] == ""
    assert "Deze selectie exporteren" not in page.content.decode()


def test_the_list_asks_the_same_queries_for_5_and_50_rows(programme_team):
    client = client_for(programme_team)
    query = f"{reverse('cases:list')}?verlopen=1&sorteer=-regisseur&status=in_regie"
    SavedCaseView.objects.create(user=programme_team, name="Eén", query="fase=2")
    CaseFactory.create_batch(5)
    client.get(query)
    with count_queries() as small:
        client.get(query)
    CaseFactory.create_batch(45)
    client.get(query)  # the overdue cases are cached per data stamp: fill it first
    with count_queries() as large:
        response = client.get(query)
    assert len(ROW_NUMBER.findall(response.content.decode())) == 50
    assert_same_query_count(small, large, what="the filtered, sorted case list")


def test_the_menu_counts_own_overdue_items_and_proposals_waiting(programme_team):
    director = with_role(RegisseurFactory().user, Role.REGISSEUR)
    CaseFactory.create_batch(2, regisseur=director.regisseur)
    waiting_for_itat_r(CaseFactory(phase3=True))

    mine = client_for(director).get(reverse("monitoring:notifications")).content.decode()
    assert "verlopen)" in mine
    theirs = client_for(programme_team).get(reverse("monitoring:notifications"))
    assert "1 wachten op ITAT-R" in theirs.content.decode()


def _overdue_badge(client, url: str) -> int:
    found = OVERDUE_BADGE.search(client.get(url).content.decode())
    assert found is not None, "no overdue badge in the menu"
    return int(found.group(1))


def test_a_regisseurs_overdue_badge_is_kept_until_case_data_changes():
    director = with_role(RegisseurFactory().user, Role.REGISSEUR)
    CaseFactory(regisseur=director.regisseur)
    client = client_for(director)
    client.get(reverse("home"))  # the session records its browser and address once
    # A page that keeps nothing of its own under the stamp: the search page.
    url = reverse("search")
    with count_queries() as first:
        before = _overdue_badge(client, url)
    with count_queries() as again:
        same = _overdue_badge(client, url)
    assert same == before
    # The second page takes the count from the cache: the badge's own queries are gone.
    with count_queries() as badge_queries:
        own = regisseur_of(director)
        assert own is not None
        overdue_items_of(own, on=timezone.localdate())
    assert len(first) - len(again) == len(badge_queries) > 0

    # A new case of the same regisseur changes the data: the next page counts again.
    CaseFactory(regisseur=director.regisseur)
    after = _overdue_badge(client, url)
    assert after > before


def test_the_unread_badge_follows_a_read_notification_at_once(programme_team):
    first, _ = NotificationFactory.create_batch(2, user=programme_team)
    client = client_for(programme_team)
    url = reverse("monitoring:notifications")
    assert "2 ongelezen" in client.get(url).content.decode()
    client.post(reverse("monitoring:notification_read", args=[first.pk]))
    assert "1 ongelezen" in client.get(url).content.decode()
