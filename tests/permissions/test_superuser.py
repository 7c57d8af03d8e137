"""The superuser, decided once: Django's has_perm is True for an active superuser, the
pages ask capabilities over has_perm, and the menu asks the same predicates, so a
superuser sees exactly the menu links that answer 200."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ipgar.views import MENU, menu_for
from tests.conftest import sign_in

from .world import SUPERUSER, build_world

pytestmark = pytest.mark.django_db


def test_a_superusers_menu_links_are_exactly_the_menu_pages_that_answer():
    world = build_world()
    superuser = world.users[SUPERUSER]
    client = Client()
    sign_in(client, superuser)
    shown = {entry["key"] for entry in menu_for(superuser)}
    answers = {entry.key: client.get(reverse(entry.url_name)).status_code for entry in MENU}
    reachable = {key for key, status in answers.items() if status == 200}
    assert shown == reachable, answers
    # Every capability is the superuser's: the whole menu.
    assert shown == {entry.key for entry in MENU}


def test_a_superuser_without_an_organisation_has_no_organisation_figures():
    world = build_world()
    superuser = world.users[SUPERUSER]
    superuser.organisation = None
    superuser.save(update_fields=["organisation"])
    client = Client()
    sign_in(client, superuser)
    keys = {entry["key"] for entry in menu_for(superuser)}
    assert "caseload" not in keys
    assert client.get(reverse("pool:manager")).status_code == 403


def test_a_superuser_lands_on_the_dashboard():
    world = build_world()
    client = Client()
    sign_in(client, world.users[SUPERUSER])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:dashboard")
