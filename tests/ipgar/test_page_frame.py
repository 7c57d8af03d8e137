"""The frame of every page (templates/base.html, written by ipgar/page_frame.py): what a
signed-in person and a visitor find around a page's content, in both languages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import sign_in
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", response.content.decode()))


def _signed_in(user, language: str = "nl") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sign_in(client, user)
    return client


def test_a_signed_in_person_has_his_name_menu_search_and_sign_out_around_the_page():
    user = UserFactory(first_name="<Piet>", last_name="de Vries", roles=[Role.PROGRAMME_TEAM])
    html = _page(_signed_in(user), reverse("monitoring:dashboard"))
    assert html.startswith('<!DOCTYPE html><html lang="nl">')
    skip = '<a class="ams-skip-link ams-visually-hidden" href="#main">Direct naar de inhoud</a>'
    assert skip in html
    # His own name, escaped, leads to his account.
    assert (
        f'<a class="ams-link ipgar-user" href="{reverse("account")}">&lt;Piet&gt; de Vries'
        '<span class="ams-visually-hidden">: mijn account</span></a>'
    ) in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    # Language, sign-out and search each post with the page's token.
    assert html.count(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token[1]}">') == 3
    assert (
        f'<form class="ipgar-inline-form" method="post" action="{reverse("logout")}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token[1]}">'
        '<button type="submit" class="ams-button ams-button--secondary">Uitloggen</button>'
    ) in html
    # The programme team may find a case by its person.
    assert f'action="{reverse("search")}" role="search">' in html
    assert (
        '<label class="ams-visually-hidden" for="header-search">'
        "Zoek een casus op nummer, naam of BSN</label>"
    ) in html
    assert 'placeholder="Nummer, naam of BSN"' in html
    # The menu marks the page shown, and only that one.
    assert (
        f'<a class="ipgar-nav__link" href="{reverse("monitoring:dashboard")}" '
        'aria-current="page">Dashboard</a>'
    ) in html
    assert html.count('aria-current="page"') == 1
    assert f'<a class="ipgar-nav__link" href="{reverse("pool:regisseur_list")}">Pool</a>' in html
    assert "Elke inzage in persoonsgegevens wordt vastgelegd." in html


def test_a_regisseur_searches_by_number_and_sees_his_unread_notifications_counted():
    user = UserFactory(roles=[Role.REGISSEUR])
    NotificationFactory.create_batch(2, user=user)
    html = _page(_signed_in(user), reverse("cases:list"))
    label = '<label class="ams-visually-hidden" for="header-search">Zoek een casus op nummer<'
    assert label in html
    assert 'placeholder="Casusnummer"' in html
    assert "naam of BSN" not in html
    assert (
        f'<a class="ipgar-nav__link" href="{reverse("monitoring:notifications")}">Meldingen '
        '<span class="ams-badge ipgar-nav__badge" title="2 ongelezen">'
        '<span aria-hidden="true">2</span><span class="ams-visually-hidden">(2 ongelezen)</span>'
        "</span></a>"
    ) in html
    assert f'href="{reverse("pool:regisseur_list")}"' not in html


def test_a_visitor_gets_the_language_switch_back_to_the_same_page_and_nothing_else():
    html = _page(Client(), reverse("login") + '?next=/casussen/"x')
    assert "ipgar-user" not in html
    assert "ipgar-nav" not in html
    assert "header-search" not in html
    assert "Uitloggen" not in html
    assert (
        f'<form class="ipgar-inline-form" method="post" action="{reverse("set_language")}">'
    ) in html
    # The page to return to, with its query.
    assert '<input type="hidden" name="next" value="/inloggen/?next=/casussen/%22x">' in html
    assert (
        '<input type="hidden" name="language" value="en">'
        '<button type="submit" class="ams-button ams-button--tertiary" lang="en">English</button>'
    ) in html


def test_the_frame_speaks_english_and_offers_dutch():
    user = UserFactory(roles=[Role.REGISSEUR])
    html = _page(_signed_in(user, "en"), reverse("cases:list"))
    assert html.startswith('<!DOCTYPE html><html lang="en">')
    assert 'href="#main">Skip to content</a>' in html
    assert "Find a case by number" in html
    assert ">Sign out</button>" in html
    assert (
        '<input type="hidden" name="language" value="nl">'
        '<button type="submit" class="ams-button ams-button--tertiary" lang="nl">Nederlands'
    ) in html
    assert '<h2 class="ams-visually-hidden">Colophon</h2>' in html
    assert "Direct naar de inhoud" not in html


def test_the_stylesheets_follow_the_static_files_settings():
    html = _page(Client(), reverse("login"))
    assert '<link rel="stylesheet" href="/static/css/ipgar.css">' in html
    with override_settings(STATIC_URL="/andere-plek/"):
        moved = _page(Client(), reverse("login"))
    assert '<link rel="stylesheet" href="/andere-plek/css/ipgar.css">' in moved
    assert '<script src="/andere-plek/vendor/htmx/htmx.min.js" defer></script>' in moved
    assert '<img class="ipgar-logo" src="/andere-plek/vendor/ads/logo/amsterdam-logo.svg"' in moved


def test_a_page_rendered_without_a_request_still_has_its_frame():
    html = render_to_string("home.html", {})
    assert 'href="#main">Direct naar de inhoud</a>' in html
    assert '<input type="hidden" name="next" value="">' in html
    assert "ipgar-user" not in html
    assert "<footer" in html
