"""The sign-in page is Dutch and guards the app."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_dutch_sign_in_page(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/inloggen/?next=/")
    assert "<h1>Inloggen</h1>" in response.content.decode()
    assert 'lang="nl"' in response.content.decode()


def test_wrong_password_shows_a_dutch_error_and_keeps_the_username(client):
    get_user_model().objects.create_user("anna", password="juist-wachtwoord-123")
    response = client.post("/inloggen/", {"username": "anna", "password": "fout"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gebruikersnaam of wachtwoord onjuist." in html
    assert 'value="anna"' in html
