"""The pool pages as their users meet them: the programme team manages the pool,
absences, caseload reviews, three-way talks and the team rhythm; a manager sees
his own organisation's figures; a regisseur his own reviews and talks."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import Promise

from accounts.models import User
from accounts.roles import Role
from audit.models import AccessLog
from cases.models import Case
from kernel.errors import STALE_RECORD
from kernel.locking import STALE_SHOWN_BELOW
from pool import services, views
from pool.models import Absence, Attendance, CaseloadReview, Regisseur, TeamActivity, ThreeWayTalk
from tests.cases.conftest import client_for, with_role
from tests.factories import OrganisationFactory, RegisseurFactory, UserFactory
from tests.queries import assert_same_query_count, count_queries

from .conftest import Pool2020, build_pool_2020

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def lead(db) -> User:
    return with_role(UserFactory(username="lead-oov"), Role.PROGRAMME_TEAM)


@pytest.fixture
def pool(db) -> Pool2020:
    return build_pool_2020()


def text(response) -> str:
    return response.content.decode()


def shows(response, message: str | Promise) -> bool:
    return html.escape(str(message)) in text(response)


def iso(day: datetime.date) -> str:
    return day.isoformat()


# --- the list of regisseurs ----------------------------------------------------------


def test_an_empty_pool_says_so_and_counts_no_fte(lead):
    body = text(client_for(lead).get(reverse("pool:regisseur_list")))
    assert "Er zijn nog geen regisseurs in de pool." in body
    assert "(nu 0,0 fte)" in body


def test_the_list_shows_each_regisseur_with_fte_capacity_and_over_capacity(lead, pool):
    page = client_for(lead).get(reverse("pool:regisseur_list"))
    assert page.status_code == 200
    body = text(page)
    for regisseur in pool.regisseurs.values():
        assert str(regisseur.user) in body
    # R-POOL-1: OM and RN hold 7 cases at 0.5 FTE (6 places), over capacity.
    assert body.count("(boven maximum)") == 2
    assert "Gedetacheerd vanuit JBRA" in body
    assert "Amstelland" in body


def test_the_list_names_a_current_absence_and_its_stand_in(lead, pool):
    absent, stand_in = pool.regisseurs["oov-1"], pool.regisseurs["oov-2"]
    services.absence_create(
        regisseur=absent,
        starts_on=TODAY - datetime.timedelta(days=2),
        ends_on=TODAY + datetime.timedelta(days=5),
        stand_in=stand_in,
        by=lead,
    )
    body = text(client_for(lead).get(reverse("pool:regisseur_list")))
    assert f"tot en met 28-11-2026, vervanger {stand_in.user}" in body


def _listed_rows(body: str) -> dict[int, list[str]]:
    """Each listed regisseur's id with the text of his row's cells."""
    rows = {}
    for row in re.findall(r"<tr class=\"ams-table__row[^\"]*\">(.*?)</tr>", body, flags=re.S):
        link = re.search(r'href="/pool/(\d+)/"', row)
        if link:
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            rows[int(link.group(1))] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    return rows


def test_the_list_is_paged_and_counts_only_open_cases_per_role(lead, pool, monkeypatch):
    monkeypatch.setattr(views, "REGISSEURS_PER_PAGE", 3)
    client = client_for(lead)
    case = Case.objects.filter(status="in_regie").order_by("pk")[0]
    Case.objects.filter(pk=case.pk).update(status="uitgestroomd", exited_on=TODAY)
    listed: dict[int, list[str]] = {}
    pages = 0
    while True:
        pages += 1
        body = text(client.get(reverse("pool:regisseur_list"), {"pagina": pages}))
        rows = _listed_rows(body)
        assert 0 < len(rows) <= 3
        assert not set(rows) & set(listed)  # nobody on two pages
        listed.update(rows)
        if 'rel="next"' not in body:
            break
    everyone = Regisseur.objects.count()
    assert len(listed) == everyone and pages == -(-everyone // 3)
    open_statuses = ("aangemeld", "in_regie")
    for regisseur in Regisseur.objects.all():
        cells = listed[regisseur.pk]
        own, buddy = cells[4].split()[0], cells[5]  # "Casussen in regie", "Buddy"
        assert (
            int(own) == Case.objects.filter(regisseur=regisseur, status__in=open_statuses).count()
        )
        assert int(buddy) == Case.objects.filter(buddy=regisseur, status__in=open_statuses).count()


def test_a_row_shows_fte_capacity_counts_manager_region_and_an_ended_membership(lead, pool):
    om, oov = pool.regisseurs["om"], pool.regisseurs["oov-1"]
    om.manager = UserFactory(first_name="Mila", last_name="Manager")
    om.active_until = TODAY - datetime.timedelta(days=1)
    om.save()
    rows = _listed_rows(text(client_for(lead).get(reverse("pool:regisseur_list"))))
    # Name, organisation, fte, capacity, own cases, buddy cases, region, manager,
    # active, absent: a half FTE in Dutch decimals, a whole one without.
    assert rows[om.pk][1:] == [
        "OM",
        "0,50",
        "6",
        "7 (boven maximum)",
        str(Case.objects.filter(buddy=om).count()),
        "–",
        "Mila Manager",
        "01-01-2020 – 22-11-2026 (beëindigd)",
        "–",
    ]
    assert rows[oov.pk][2:4] == ["1", "12"]
    assert rows[oov.pk][8] == "01-01-2020 –"


def test_a_row_shows_typed_text_as_text_and_its_marks_in_english(lead, pool):
    om = pool.regisseurs["om"]
    om.remark = "<b>Detachering</b> & meer"
    om.active_until = TODAY - datetime.timedelta(days=1)
    om.save()
    services.absence_create(
        regisseur=om,
        starts_on=TODAY - datetime.timedelta(days=1),
        ends_on=TODAY + datetime.timedelta(days=2),
        stand_in=pool.regisseurs["oov-2"],
        by=lead,
    )
    client = client_for(lead)
    dutch = text(client.get(reverse("pool:regisseur_list")))
    assert "&lt;b&gt;Detachering&lt;/b&gt; &amp; meer" in dutch
    assert "<b>Detachering" not in dutch
    english = _listed_rows(
        text(client.get(reverse("pool:regisseur_list"), HTTP_ACCEPT_LANGUAGE="en"))
    )
    assert english[om.pk][4].endswith("(above the maximum)")
    assert english[om.pk][8] == "01-01-2020 – 22-11-2026 (ended)"
    assert english[om.pk][9] == f"until 25-11-2026, stand-in {pool.regisseurs['oov-2'].user}"


def _list_queries(client: Client) -> CaptureQueriesContext:
    with count_queries() as queries:
        assert client.get(reverse("pool:regisseur_list")).status_code == 200
    return queries


def test_the_list_takes_the_same_queries_for_8_and_16_regisseurs(lead):
    first = build_pool_2020(copy=1)
    services.absence_create(
        regisseur=first.regisseurs["wpi"],
        starts_on=TODAY,
        ends_on=TODAY,
        stand_in=first.regisseurs["ggd"],
        by=lead,
    )
    client = client_for(lead)
    # A session's first request reads the signed-in user into the cache (accounts/signed_in.py).
    client.get(reverse("home"))
    small = _list_queries(client)
    second = build_pool_2020(copy=2)
    services.absence_create(
        regisseur=second.regisseurs["wpi"],
        starts_on=TODAY,
        ends_on=TODAY,
        stand_in=second.regisseurs["ggd"],
        by=lead,
    )
    large = _list_queries(client)
    assert Regisseur.objects.count() == 16
    assert_same_query_count(small, large, what="the pool list")


# --- adding, changing and ending a membership -------------------------------------------


@pytest.fixture
def wpi_manager(db) -> User:
    wpi = OrganisationFactory(code="wpi", name="WPI")
    return with_role(UserFactory(username="manager-wpi", organisation=wpi), Role.MANAGER)


def test_adding_a_regisseur_puts_him_in_the_list(lead, wpi_manager):
    newcomer = UserFactory(username="nieuw", last_name="Nieuwkomer", organisation=None)
    client = client_for(lead)
    response = client.post(
        reverse("pool:regisseur_add"),
        {
            "user": newcomer.pk,
            "organisation": wpi_manager.organisation_id,
            "fte": "0,5",
            "manager": wpi_manager.pk,
            "remark": "Start na inwerkperiode",
            "active_from": iso(TODAY),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "pool:regisseur_detail", args=[newcomer.regisseur.pk]
    )
    assert shows(response, views.REGISSEUR_ADDED % {"name": newcomer})
    body = text(client.get(reverse("pool:regisseur_list")))
    assert "Nieuwkomer" in body and "Start na inwerkperiode" in body
    assert newcomer.regisseur.capacity == 6


def test_a_partner_regisseur_below_half_an_fte_is_refused_with_what_was_typed_kept(
    lead, wpi_manager
):
    newcomer = UserFactory(username="nieuw", organisation=None)
    response = client_for(lead).post(
        reverse("pool:regisseur_add"),
        {
            "user": newcomer.pk,
            "organisation": wpi_manager.organisation_id,
            "fte": "0,3",
            "remark": "Gedetacheerd vanuit JBRA",
            "active_from": iso(TODAY),
        },
    )
    assert response.status_code == 409
    assert shows(response, services.FTE_BELOW_PARTNER_MINIMUM)
    assert 'value="Gedetacheerd vanuit JBRA"' in text(response)
    assert 'value="0,3"' in text(response)
    assert not Regisseur.objects.exists()


def test_an_fte_above_one_is_bad_input(lead, wpi_manager):
    newcomer = UserFactory(username="nieuw", organisation=None)
    response = client_for(lead).post(
        reverse("pool:regisseur_add"),
        {
            "user": newcomer.pk,
            "organisation": wpi_manager.organisation_id,
            "fte": "1,5",
            "active_from": iso(TODAY),
        },
    )
    assert response.status_code == 400
    assert shows(response, services.FTE_ABOVE_ONE)
    assert not Regisseur.objects.exists()


def _edit(client: Client, regisseur: Regisseur, **fields) -> dict:
    form = client.get(reverse("pool:regisseur_edit", args=[regisseur.pk])).context
    return {
        "revision": form["form"]["revision"].value(),
        "fte": "1",
        "remark": regisseur.remark,
        "manager": regisseur.manager_id or "",
        "region_restriction": regisseur.region_restriction_id or "",
        **fields,
    }


def test_changing_the_fte_changes_the_capacity_shown(lead, pool):
    regisseur = pool.regisseurs["oov-1"]
    client = client_for(lead)
    data = _edit(client, regisseur, fte="0,5", remark="Halve week ouderschapsverlof")
    response = client.post(reverse("pool:regisseur_edit", args=[regisseur.pk]), data, follow=True)
    body = text(response)
    assert "Halve week ouderschapsverlof" in body
    assert "10 casussen in regie van maximaal 6" in body
    regisseur.refresh_from_db()
    assert regisseur.fte == Decimal("0.5")


def test_a_change_made_meanwhile_is_shown_as_a_conflict_and_not_overwritten(lead, pool):
    regisseur = pool.regisseurs["oov-1"]
    client = client_for(lead)
    data = _edit(client, regisseur, fte="0,8", remark="Mijn wijziging")
    # A colleague saves first.
    services.regisseur_update(regisseur=regisseur, remark="Wijziging van een collega", by=lead)

    response = client.post(reverse("pool:regisseur_edit", args=[regisseur.pk]), data)

    assert response.status_code == 409
    assert shows(response, STALE_RECORD)
    assert "Wijziging van een collega" in text(response)  # what is stored now
    assert 'value="Mijn wijziging"' in text(response)  # what the user typed
    regisseur.refresh_from_db()
    assert (regisseur.remark, regisseur.fte) == ("Wijziging van een collega", Decimal("1"))

    # Saving again, knowingly, replaces the colleague's change.
    data["revision"] = response.context["form"]["revision"].value()
    client.post(reverse("pool:regisseur_edit", args=[regisseur.pk]), data)
    regisseur.refresh_from_db()
    assert (regisseur.remark, regisseur.fte) == ("Mijn wijziging", Decimal("0.8"))


def test_of_two_editors_of_a_regisseur_the_second_gets_the_stale_message(lead, pool):
    regisseur = pool.regisseurs["oov-1"]
    first = client_for(lead)
    second = client_for(with_role(UserFactory(username="lead-2"), Role.PROGRAMME_TEAM))
    url = reverse("pool:regisseur_edit", args=[regisseur.pk])
    first_data = _edit(first, regisseur, remark="Van de eerste")
    second_data = _edit(second, regisseur, fte="0,5", remark="Van de tweede")

    assert first.post(url, first_data).status_code == 302
    response = second.post(url, second_data)

    assert response.status_code == 409
    assert shows(response, STALE_RECORD)
    assert shows(response, STALE_SHOWN_BELOW)
    regisseur.refresh_from_db()
    assert (regisseur.remark, regisseur.fte) == ("Van de eerste", Decimal("1"))


def test_a_regisseur_with_open_cases_cannot_leave_and_is_pointed_to_the_hand_over(lead, pool):
    regisseur = pool.regisseurs["om"]
    client = client_for(lead)
    page = client.get(reverse("pool:regisseur_end", args=[regisseur.pk]))
    assert "nog 10 open casussen als regisseur of buddy" in text(page)
    assert reverse("cases:bulk_handover", kwargs={"regisseur_id": regisseur.pk}) in text(page)

    response = client.post(
        reverse("pool:regisseur_end", args=[regisseur.pk]), {"last_day": iso(TODAY)}
    )

    assert response.status_code == 409
    assert shows(response, services.MEMBERSHIP_HAS_OPEN_CASES)
    regisseur.refresh_from_db()
    assert regisseur.active_until is None


def test_ending_a_membership_without_cases_takes_him_out_of_the_pool(lead):
    regisseur = RegisseurFactory()
    response = client_for(lead).post(
        reverse("pool:regisseur_end", args=[regisseur.pk]), {"last_day": iso(TODAY)}, follow=True
    )
    assert shows(response, views.MEMBERSHIP_ENDED % {"name": regisseur.user, "day": "23-11-2026"})
    assert "(niet actief)" not in text(response)  # still in on his last day
    regisseur.refresh_from_db()
    assert regisseur.active_until == TODAY


# --- absences -------------------------------------------------------------------------


def test_an_absence_with_a_stand_in_shows_on_the_regisseurs_page(lead, pool):
    absent, stand_in = pool.regisseurs["wpi"], pool.regisseurs["ggd"]
    response = client_for(lead).post(
        reverse("pool:absence_add", args=[absent.pk]),
        {
            "starts_on": iso(TODAY),
            "ends_on": iso(TODAY + datetime.timedelta(days=14)),
            "reason": "Verlof",
            "stand_in": stand_in.pk,
        },
        follow=True,
    )
    body = text(response)
    assert shows(response, views.ABSENCE_ADDED)
    assert "07-12-2026" in body and "Verlof" in body and str(stand_in.user) in body


def test_an_absence_ending_before_it_starts_is_refused_and_nothing_is_written(lead, pool):
    absent = pool.regisseurs["wpi"]
    response = client_for(lead).post(
        reverse("pool:absence_add", args=[absent.pk]),
        {"starts_on": iso(TODAY), "ends_on": iso(TODAY - datetime.timedelta(days=1))},
    )
    assert response.status_code == 400
    assert shows(response, services.ABSENCE_PERIOD_REVERSED)
    assert not Absence.objects.exists()


def test_a_stand_in_who_is_away_himself_is_refused(lead, pool):
    absent, stand_in = pool.regisseurs["wpi"], pool.regisseurs["ggd"]
    services.absence_create(regisseur=stand_in, starts_on=TODAY, ends_on=TODAY, by=lead)
    response = client_for(lead).post(
        reverse("pool:absence_add", args=[absent.pk]),
        {"starts_on": iso(TODAY), "ends_on": iso(TODAY), "stand_in": stand_in.pk},
    )
    assert response.status_code == 409
    assert shows(response, services.STAND_IN_ABSENT)
    assert not Absence.objects.filter(regisseur=absent).exists()


@pytest.fixture
def absence(lead, pool) -> Absence:
    return services.absence_create(
        regisseur=pool.regisseurs["wpi"],
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=14),
        reason="Verlof",
        by=lead,
    )


def _loaded_revision(client: Client, absence: Absence) -> int:
    """The revision the absence's edit page carries in its hidden field."""
    return (
        client.get(reverse("pool:absence_edit", args=[absence.pk]))
        .context["form"]["revision"]
        .value()
    )


def test_changing_an_absence_someone_else_changed_meanwhile_is_a_conflict(lead, pool, absence):
    client = client_for(lead)
    loaded = _loaded_revision(client, absence)
    services.absence_update(absence=absence, reason="Ziek", by=lead)

    response = client.post(
        reverse("pool:absence_edit", args=[absence.pk]),
        {
            "revision": loaded,
            "starts_on": iso(TODAY),
            "ends_on": iso(TODAY + datetime.timedelta(days=3)),
            "reason": "Verlof, korter",
        },
    )

    assert response.status_code == 409
    assert shows(response, STALE_RECORD)
    assert "Ziek" in text(response) and 'value="Verlof, korter"' in text(response)
    absence.refresh_from_db()
    assert (absence.reason, absence.ends_on) == ("Ziek", TODAY + datetime.timedelta(days=14))


def test_of_two_editors_of_an_absence_the_second_gets_the_stale_message(lead, pool, absence):
    first = client_for(lead)
    second = client_for(with_role(UserFactory(username="lead-2"), Role.PROGRAMME_TEAM))
    url = reverse("pool:absence_edit", args=[absence.pk])
    fields = {"starts_on": iso(TODAY), "ends_on": iso(TODAY + datetime.timedelta(days=14))}
    first_loaded, second_loaded = (
        _loaded_revision(first, absence),
        _loaded_revision(second, absence),
    )

    saved = first.post(url, {**fields, "reason": "Ziek", "revision": first_loaded})
    assert saved.status_code == 302
    edited = second.post(url, {**fields, "reason": "Verlof, korter", "revision": second_loaded})
    ended = second.post(
        reverse("pool:absence_end", args=[absence.pk]),
        {"ends_on": iso(TODAY + datetime.timedelta(days=2)), "revision": second_loaded},
    )

    for response in (edited, ended):
        assert response.status_code == 409
        assert shows(response, STALE_RECORD) and shows(response, STALE_SHOWN_BELOW)
        assert "Ziek" in text(response)  # what is stored now
    absence.refresh_from_db()
    assert (absence.reason, absence.ends_on) == ("Ziek", TODAY + datetime.timedelta(days=14))


def test_changing_an_absence_gives_it_a_stand_in(lead, pool, absence):
    client = client_for(lead)
    loaded = _loaded_revision(client, absence)
    stand_in = pool.regisseurs["ggd"]
    response = client.post(
        reverse("pool:absence_edit", args=[absence.pk]),
        {
            "revision": loaded,
            "starts_on": iso(TODAY),
            "ends_on": iso(TODAY + datetime.timedelta(days=14)),
            "reason": "Verlof",
            "stand_in": stand_in.pk,
        },
        follow=True,
    )
    assert shows(response, views.ABSENCE_CHANGED)
    absence.refresh_from_db()
    assert absence.stand_in == stand_in


def test_ending_an_absence_early_shortens_it(lead, absence):
    client = client_for(lead)
    loaded = _loaded_revision(client, absence)
    back = TODAY + datetime.timedelta(days=2)
    response = client.post(
        reverse("pool:absence_end", args=[absence.pk]),
        {"revision": loaded, "ends_on": iso(back)},
        follow=True,
    )
    assert shows(response, views.ABSENCE_ENDED % {"day": "25-11-2026"})
    absence.refresh_from_db()
    assert absence.ends_on == back


def test_ending_an_absence_after_its_end_is_refused(lead, absence):
    client = client_for(lead)
    loaded = _loaded_revision(client, absence)
    response = client.post(
        reverse("pool:absence_end", args=[absence.pk]),
        {"revision": loaded, "ends_on": iso(TODAY + datetime.timedelta(days=30))},
    )
    assert response.status_code == 400
    assert shows(response, services.END_EARLY_OUTSIDE_ABSENCE)
    absence.refresh_from_db()
    assert absence.ends_on == TODAY + datetime.timedelta(days=14)


# --- caseload reviews -------------------------------------------------------------------


def _review(client: Client, regisseur: Regisseur, **fields):
    return client.post(
        reverse("pool:review_add"),
        {
            "regisseur": regisseur.pk,
            "held_on": iso(TODAY),
            "progress": "Goede voortgang in fase 2.",
            "requirements": "Registratie binnen een week na elke UVO.",
            **fields,
        },
        follow=True,
    )


def test_a_caseload_review_keeps_the_caseload_as_it_was(lead, pool):
    regisseur = pool.regisseurs["ggd"]  # 2 cases in regie, buddy of the first OOV regisseur
    own_numbers = sorted(regisseur.cases_as_regisseur.values_list("number", flat=True))
    response = _review(client_for(lead), regisseur)
    body = text(response)
    assert shows(response, views.REVIEW_RECORDED)
    assert "Registratie binnen een week na elke UVO." in body
    assert "2 casussen in regie van maximaal 6" in body
    for number in own_numbers:
        assert number in body

    # A case handed away afterwards stays in the review's snapshot.
    Case.objects.filter(number=own_numbers[0]).update(regisseur=pool.regisseurs["wpi"])
    review = CaseloadReview.objects.get()
    again = client_for(lead).get(reverse("pool:review_detail", args=[review.pk]))
    assert own_numbers[0] in text(again)
    assert "2 casussen in regie van maximaal 6" in text(again)
    # Each case with its status as a word, from the status the snapshot froze.
    assert text(again).count("In regie") >= len(own_numbers)


def test_a_review_of_someone_not_in_the_pool_that_day_is_refused(lead, pool):
    regisseur = pool.regisseurs["ggd"]
    response = _review(client_for(lead), regisseur, held_on="2019-06-01")
    assert response.status_code == 409
    assert shows(response, services.REGISSEUR_NOT_ACTIVE)
    assert "Goede voortgang in fase 2." in text(response)
    assert not CaseloadReview.objects.exists()


def test_a_regisseur_reads_his_own_reviews_only_and_each_read_is_logged(lead, pool):
    own, other = pool.regisseurs["ggd"], pool.regisseurs["wpi"]
    _review(client_for(lead), own)
    _review(client_for(lead), other)
    mine = CaseloadReview.objects.get(regisseur=own)
    theirs = CaseloadReview.objects.get(regisseur=other)
    client = client_for(with_role(own.user, Role.REGISSEUR))

    listing = text(client.get(reverse("pool:review_list")))
    assert reverse("pool:review_detail", args=[mine.pk]) in listing
    assert reverse("pool:review_detail", args=[theirs.pk]) not in listing
    before = AccessLog.objects.count()
    assert client.get(reverse("pool:review_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("pool:review_detail", args=[theirs.pk])).status_code == 404
    [record] = AccessLog.objects.order_by("id")[before:]
    assert (record.user, record.object_type, record.object_id) == (
        own.user,
        "pool.caseloadreview",
        str(mine.pk),
    )


# --- three-way talks --------------------------------------------------------------------


@pytest.fixture
def wpi_regisseur(pool, wpi_manager) -> Regisseur:
    regisseur = pool.regisseurs["wpi"]
    services.regisseur_update(regisseur=regisseur, manager=wpi_manager, by=UserFactory())
    return regisseur


def _talk(client: Client, regisseur: Regisseur, manager: User, **fields):
    return client.post(
        reverse("pool:talk_add"),
        {
            "regisseur": regisseur.pk,
            "held_on": iso(TODAY),
            "manager": manager.pk,
            "agreements": "Vanaf januari 1,0 fte.",
            **fields,
        },
        follow=True,
    )


def test_a_three_way_talk_is_recorded_and_shown(lead, wpi_regisseur, wpi_manager):
    response = _talk(client_for(lead), wpi_regisseur, wpi_manager)
    assert shows(response, views.TALK_RECORDED)
    assert "Vanaf januari 1,0 fte." in text(response)
    assert str(wpi_manager) in text(response)


def test_a_manager_of_another_organisation_is_refused(lead, pool, wpi_regisseur):
    om = pool.regisseurs["om"].organisation
    stranger = with_role(UserFactory(username="manager-om", organisation=om), Role.MANAGER)
    response = _talk(client_for(lead), wpi_regisseur, stranger)
    assert response.status_code == 409
    assert shows(response, services.MANAGER_NOT_OF_REGISSEUR)
    assert not ThreeWayTalk.objects.exists()


def test_a_manager_reads_the_talks_of_his_own_organisation_only(
    lead, pool, wpi_regisseur, wpi_manager
):
    _talk(client_for(lead), wpi_regisseur, wpi_manager)
    om = pool.regisseurs["om"]
    om_manager = with_role(
        UserFactory(username="manager-om", organisation=om.organisation), Role.MANAGER
    )
    _talk(client_for(lead), om, om_manager, agreements="Afspraken bij het OM.")
    ours = ThreeWayTalk.objects.get(regisseur=wpi_regisseur)
    theirs = ThreeWayTalk.objects.get(regisseur=om)

    client = client_for(wpi_manager)
    listing = text(client.get(reverse("pool:talk_list")))
    assert reverse("pool:talk_detail", args=[ours.pk]) in listing
    assert reverse("pool:talk_detail", args=[theirs.pk]) not in listing
    assert "Vanaf januari 1,0 fte." in text(client.get(reverse("pool:talk_detail", args=[ours.pk])))
    assert client.get(reverse("pool:talk_detail", args=[theirs.pk])).status_code == 404


# --- team rhythm --------------------------------------------------------------------


def test_an_intervision_outside_a_series_is_refused_and_nothing_is_written(lead, pool):
    response = client_for(lead).post(
        reverse("pool:team_activity_add"),
        {"kind": "intervisie", "held_on": iso(TODAY), "topic": "Casus-dilemma's"},
    )
    assert response.status_code == 400
    assert shows(response, services.SERIES_INCOMPLETE)
    assert html.escape("Casus-dilemma's") in text(response)
    assert not TeamActivity.objects.exists()


def test_an_intervision_with_attendance_shows_in_the_rhythm(lead, pool):
    present = [pool.regisseurs["oov-1"], pool.regisseurs["wpi"]]
    client = client_for(lead)
    response = client.post(
        reverse("pool:team_activity_add"),
        {
            "kind": "intervisie",
            "held_on": iso(TODAY),
            "series_name": "Intervisie 2026",
            "series_number": 3,
            "series_size": 10,
            "present": [r.pk for r in present],
        },
        follow=True,
    )
    assert shows(response, views.ACTIVITY_RECORDED)
    assert text(response).count(">aanwezig<") == 2
    assert text(response).count(">afwezig<") == 6

    rhythm = text(client.get(reverse("pool:team_activity_list")))
    assert "reeks Intervisie 2026: 1 van 10" in rhythm
    assert "volgende uiterlijk 18-01-2027" in rhythm  # eight weeks on


def test_attendance_changes_in_place_with_htmx(lead, pool):
    activity = services.team_activity_create(
        kind="teamoverleg",
        held_on=TODAY,
        attendance={pool.regisseurs["wpi"]: False},
        by=lead,
    )
    regisseur = pool.regisseurs["wpi"]
    response = client_for(lead).post(
        reverse("pool:attendance_set", args=[activity.pk]),
        {"regisseur": regisseur.pk, "present": "1"},
        headers={"HX-Request": "true"},
    )
    body = text(response)
    assert response.status_code == 200
    assert body.startswith("<tr") and f'id="attendance-{regisseur.pk}"' in body
    assert ">aanwezig<" in body and "<html" not in body
    assert Attendance.objects.get(activity=activity, regisseur=regisseur).present is True


def test_attendance_without_javascript_returns_to_the_list(lead, pool):
    activity = services.team_activity_create(kind="teamoverleg", held_on=TODAY, by=lead)
    regisseur = pool.regisseurs["ggd"]
    response = client_for(lead).post(
        reverse("pool:attendance_set", args=[activity.pk]),
        {"regisseur": regisseur.pk, "present": "0"},
        follow=True,
    )
    assert shows(response, views.ATTENDANCE_RECORDED)
    assert Attendance.objects.get(activity=activity, regisseur=regisseur).present is False


# --- a manager's figures ----------------------------------------------------------------


def test_a_manager_sees_the_figures_of_his_own_organisations_regisseurs_only(pool, wpi_manager):
    ours = pool.regisseurs["wpi"]
    wpi_manager.organisation = ours.organisation
    wpi_manager.save()
    second = RegisseurFactory(
        user=UserFactory(username="wpi-2", last_name="Tweede", organisation=ours.organisation),
        fte=Decimal("0.5"),
    )
    body = text(client_for(wpi_manager).get(reverse("pool:manager")))
    assert str(ours.user) in body and str(second.user) in body
    for key, regisseur in pool.regisseurs.items():
        if key != "wpi":
            assert str(regisseur.user) not in body
    # WPI: 1.0 + 0.5 FTE, 18 places, 5 cases (2 in regie + 3 new), 13 free.
    assert "1,5" in body and ">18<" in body and ">13<" in body
    # No case content: not a single case number.
    for number in Case.objects.values_list("number", flat=True):
        assert number not in body


def test_a_manager_without_organisation_is_refused(db):
    manager = with_role(UserFactory(username="los", organisation=None), Role.MANAGER)
    response = client_for(manager).get(reverse("pool:manager"))
    assert response.status_code == 403


def test_an_attendee_not_yet_in_the_pool_that_day_writes_nothing_at_all(lead, pool):
    newcomer = RegisseurFactory(active_from=TODAY)
    response = client_for(lead).post(
        reverse("pool:team_activity_add"),
        {
            "kind": "teamoverleg",
            "held_on": iso(TODAY - datetime.timedelta(days=1)),
            "topic": "Jaarplanning",
            "present": [newcomer.pk, pool.regisseurs["wpi"].pk],
        },
    )
    assert response.status_code == 409
    assert shows(response, services.ATTENDEE_NOT_ACTIVE)
    assert 'value="Jaarplanning"' in text(response)
    assert not TeamActivity.objects.exists()
    assert not Attendance.objects.exists()


def _manager_page_queries(client: Client) -> CaptureQueriesContext:
    with count_queries() as queries:
        assert client.get(reverse("pool:manager")).status_code == 200
    return queries


def test_the_managers_page_takes_the_same_queries_for_one_and_two_regisseurs(pool, wpi_manager):
    client = client_for(wpi_manager)
    # A session's first request reads the signed-in user into the cache (accounts/signed_in.py).
    client.get(reverse("home"))
    small = _manager_page_queries(client)
    RegisseurFactory(
        user=UserFactory(username="wpi-2", organisation=wpi_manager.organisation),
        fte=Decimal("0.5"),
    )
    assert_same_query_count(small, _manager_page_queries(client), what="the managers' page")
