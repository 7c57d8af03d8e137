"""A new password: changed while signed in, or reset through the link in a real e-mail
(read from the locmem outbox); the second factor stays, the access log has both."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from qsessions.models import Session

from accounts.services import backup_codes_replace, has_second_factor
from audit.models import AccessLog
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "nieuw-lang-wachtwoord-2026"
LINK = re.compile(r"https?://[^/\s]+(/wachtwoord-herstellen/[^\s]+/)")


def _change(client: Client, old: str = PASSWORD, new: str = NEW_PASSWORD, again: str = ""):
    return client.post(
        "/mijn-account/wachtwoord/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


# --- change --------------------------------------------------------------------------


def test_a_person_changes_their_password_and_stays_signed_in(client):
    user = UserFactory()
    sign_in(client, user)
    elsewhere = Client()
    sign_in(elsewhere, user)
    assert elsewhere.get("/mijn-account/").status_code == 200

    response = _change(client)
    assert response.status_code == 302 and response["Location"] == "/mijn-account/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # This session is still signed in and past the second factor; the other one is ended.
    assert client.get("/mijn-account/").status_code == 200
    assert elsewhere.get("/mijn-account/").status_code == 302
    assert Session.objects.filter(user=user).count() == 1
    [entry] = AccessLog.objects.filter(action=AccessLog.Action.PASSWORD_CHANGED)
    assert (entry.user, entry.object_id) == (user, str(user.pk))


@pytest.mark.parametrize(
    ("old", "new", "again", "field"),
    [
        ("fout-wachtwoord", NEW_PASSWORD, "", "old_password"),
        (PASSWORD, "kort", "", "new_password2"),  # Django's validators: too short
        (PASSWORD, "12345678901234", "", "new_password2"),  # numeric
        (PASSWORD, NEW_PASSWORD, "iets-anders-dan-dat", "new_password2"),
    ],
)
def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(client, old, new, again, field):
    user = UserFactory()
    sign_in(client, user)
    response = _change(client, old, new, again)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AccessLog.objects.filter(action=AccessLog.Action.PASSWORD_CHANGED).exists()


def test_the_change_page_needs_a_signed_in_person(client):
    response = client.get("/mijn-account/wachtwoord/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


# --- reset by e-mail -------------------------------------------------------------------


def _ask_reset(client: Client, email: str, capture) -> Any:
    with capture(execute=True):
        return client.post("/wachtwoord-vergeten/", {"email": email})


def _link_from_outbox() -> str:
    [message] = mail.outbox
    match = LINK.search(str(message.body))
    assert match, message.body
    return match.group(1)


def _set_new_password(client: Client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )


def test_a_reset_link_by_e_mail_sets_a_new_password_and_keeps_the_second_factor(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    signed_in_elsewhere = Client()
    sign_in(signed_in_elsewhere, user)

    asked = _ask_reset(client, user.email.upper(), django_capture_on_commit_callbacks)
    assert asked.status_code == 302 and asked["Location"] == "/wachtwoord-vergeten/verstuurd/"
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert user.username in message.body

    done = _set_new_password(client, _link_from_outbox())
    assert done.status_code == 302 and done["Location"] == "/inloggen/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert has_second_factor(user)
    # Every session the old password opened is ended.
    assert not Session.objects.filter(user=user).exists()
    assert signed_in_elsewhere.get("/mijn-account/").status_code == 302
    [entry] = AccessLog.objects.filter(action=AccessLog.Action.PASSWORD_RESET)
    assert entry.user == user

    # Nobody is signed in by the reset: the new password leads to the second factor.
    fresh = Client()
    signed = fresh.post("/inloggen/", {"username": user.username, "password": NEW_PASSWORD})
    assert signed.status_code == 302
    assert fresh.get("/mijn-account/")["Location"].startswith("/tweestaps/")


def test_a_reset_link_works_once(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    _ask_reset(client, user.email, django_capture_on_commit_callbacks)
    link = _link_from_outbox()
    _set_new_password(client, link)
    again = Client().get(link, follow=True)
    assert again.status_code == 200
    assert again.context["validlink"] is False
    assert "Deze link werkt niet meer" in again.content.decode()


def test_a_reset_link_expires(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    _ask_reset(client, user.email, django_capture_on_commit_callbacks)
    link = _link_from_outbox()
    # A day past the limit (Django's token counts in naive local time; time-machine
    # moves UTC, so an hour's margin would not do).
    later = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)
    with time_machine.travel(later):
        expired = client.get(link, follow=True)
    assert expired.context["validlink"] is False
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    known = _ask_reset(client, user.email, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    unknown = _ask_reset(Client(), "niemand@example.org", django_capture_on_commit_callbacks)
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []
    page_known = client.get(known["Location"]).content.decode()
    page_unknown = Client().get(unknown["Location"]).content.decode()
    # The pages differ only in their CSRF tokens.
    strip = re.compile(r'value="[^"]{40,}"')
    assert strip.sub("", page_known) == strip.sub("", page_unknown)


def test_no_reset_for_a_deactivated_account_or_one_without_a_password(
    client, django_capture_on_commit_callbacks
):
    inactive = UserFactory(is_active=False)
    _ask_reset(client, inactive.email, django_capture_on_commit_callbacks)
    # A sync client has no usable password: it never signs in to the web pages.
    machine = UserFactory()
    machine.set_unusable_password()
    machine.save()
    _ask_reset(client, machine.email, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_malformed_address_is_bad_input(client):
    response = client.post("/wachtwoord-vergeten/", {"email": "geen-adres"})
    assert response.status_code == 400
    assert response.context["form"].errors["email"]


def test_the_sign_in_page_links_to_the_reset(client):
    assert 'href="/wachtwoord-vergeten/"' in client.get("/inloggen/").content.decode()
