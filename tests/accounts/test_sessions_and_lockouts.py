"""One's own sessions (seen and ended), deactivating an account (sessions ended, API
tokens revoked) and lifting a lockout: each on its page, each in the access log."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from qsessions.models import Session

from accounts.roles import Role
from accounts.services_account import (
    ALREADY_INACTIVE,
    DEACTIVATE_SELF,
    LOCKOUT_GONE,
    lockout_lift,
    user_deactivate,
)
from accounts.sessions import SESSION_GONE, session_device, session_public_id
from accounts.tokens import api_token_check, api_token_issue
from audit.models import AccessLog
from kernel.errors import RuleViolation
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
FIREFOX_ON_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def _signed_in(user, agent: str, address: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    sign_in(client, user)
    client.get("/mijn-account/")  # the first request stores the browser and address
    return client


# --- sessions ----------------------------------------------------------------------------


def test_the_device_is_named_from_the_user_agent():
    assert session_device(CHROME_ON_WINDOWS) == "Chrome 131 · Windows 10"
    assert session_device(FIREFOX_ON_ANDROID).startswith("Firefox Mobile 128 · Android 14")
    assert session_device("") == "Onbekend apparaat"


def test_a_person_sees_their_sessions_with_device_address_and_which_is_this_one():
    user = UserFactory()
    here = _signed_in(user, CHROME_ON_WINDOWS, "198.51.100.4")
    _signed_in(user, FIREFOX_ON_ANDROID, "203.0.113.9")
    _signed_in(UserFactory(), FIREFOX_ON_ANDROID, "192.0.2.99")  # someone else's

    page = here.get("/mijn-account/")
    assert page.status_code == 200
    sessions = page.context["sessions"]
    assert {(s.ip, s.current) for s in sessions} == {
        ("198.51.100.4", True),
        ("203.0.113.9", False),
    }
    html = page.content.decode()
    assert "Chrome 131 · Windows 10" in html and "Firefox Mobile 128" in html
    assert "deze sessie" in html
    assert "192.0.2.99" not in html
    # The key that signs a session in never appears on the page.
    for session in Session.objects.filter(user=user):
        assert session.session_key not in html


def test_a_person_ends_another_of_their_sessions():
    user = UserFactory()
    here = _signed_in(user, CHROME_ON_WINDOWS, "198.51.100.4")
    phone = _signed_in(user, FIREFOX_ON_ANDROID, "203.0.113.9")
    other = next(s for s in here.get("/mijn-account/").context["sessions"] if not s.current)

    response = here.post("/mijn-account/sessie-beeindigen/", {"session": other.public_id})
    assert response.status_code == 302 and response["Location"] == "/mijn-account/"
    assert phone.get("/mijn-account/").status_code == 302  # signed out
    assert here.get("/mijn-account/").status_code == 200
    [entry] = AccessLog.objects.filter(action=AccessLog.Action.SESSION_ENDED)
    assert (entry.user, entry.object_id) == (user, other.public_id)
    assert "Firefox" in entry.object_label


def test_ending_this_session_signs_out():
    user = UserFactory()
    here = _signed_in(user, CHROME_ON_WINDOWS, "198.51.100.4")
    [this] = here.get("/mijn-account/").context["sessions"]
    response = here.post("/mijn-account/sessie-beeindigen/", {"session": this.public_id})
    assert response.status_code == 302 and response["Location"] == "/inloggen/"
    assert not Session.objects.filter(user=user).exists()


def test_nobody_ends_someone_elses_session():
    victim = UserFactory()
    _signed_in(victim, CHROME_ON_WINDOWS, "198.51.100.4")
    [theirs] = Session.objects.filter(user=victim)
    attacker = _signed_in(UserFactory(), FIREFOX_ON_ANDROID, "203.0.113.9")
    response = attacker.post(
        "/mijn-account/sessie-beeindigen/", {"session": session_public_id(theirs.session_key)}
    )
    assert response.status_code == 409
    assert str(SESSION_GONE) in response.content.decode()
    assert Session.objects.filter(pk=theirs.pk).exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.SESSION_ENDED).exists()


def test_the_account_page_asks_as_many_queries_for_many_sessions_as_for_one():
    user = UserFactory()
    here = _signed_in(user, CHROME_ON_WINDOWS, "198.51.100.4")
    here.get("/mijn-account/")
    with count_queries() as one:
        here.get("/mijn-account/")
    for number in range(5):
        _signed_in(user, FIREFOX_ON_ANDROID, f"203.0.113.{number + 1}")
    here.get("/mijn-account/")
    with count_queries() as six:
        assert len(here.get("/mijn-account/").context["sessions"]) == 6
    assert_same_query_count(one, six, what="the account page")


# --- deactivation ------------------------------------------------------------------------


@pytest.fixture
def beheerder():
    return UserFactory(roles=[Role.FUNCTIONAL_ADMIN])


def test_the_functional_administrator_deactivates_an_account(beheerder):
    person = UserFactory(roles=[Role.REGISSEUR])
    their_browser = _signed_in(person, CHROME_ON_WINDOWS, "198.51.100.4")
    machine = UserFactory(roles=[Role.SYNC_CLIENT])
    token, key = api_token_issue(
        client=machine,
        name="registratie",
        scopes=["cases:read"],
        expires_at=timezone.now() + datetime.timedelta(days=30),
        by=beheerder,
    )
    admin = Client()
    sign_in(admin, beheerder)

    page = admin.get(f"/rollen/gebruiker/{person.pk}/")
    assert "Account deactiveren" in page.content.decode()
    response = admin.post(
        f"/rollen/gebruiker/{person.pk}/deactiveren/", {"reason": "Uit dienst per 1 december"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert their_browser.get("/mijn-account/").status_code == 302
    assert not Session.objects.filter(user=person).exists()
    [entry] = AccessLog.objects.filter(action=AccessLog.Action.DEACTIVATED)
    assert (entry.user, entry.object_id, entry.purpose) == (
        beheerder,
        str(person.pk),
        "Uit dienst per 1 december",
    )

    # A machine account's tokens stop working with it.
    admin.post(f"/rollen/gebruiker/{machine.pk}/deactiveren/", {"reason": "Koppeling gestopt"})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == beheerder
    with pytest.raises(Exception, match="ingetrokken"):
        api_token_check(key)


def test_deactivating_needs_a_reason_and_never_ones_own_account(beheerder):
    person = UserFactory()
    admin = Client()
    sign_in(admin, beheerder)
    no_reason = admin.post(f"/rollen/gebruiker/{person.pk}/deactiveren/", {"reason": " "})
    assert no_reason.status_code == 400
    person.refresh_from_db()
    assert person.is_active

    own = admin.post(f"/rollen/gebruiker/{beheerder.pk}/deactiveren/", {"reason": "test"})
    assert own.status_code == 409
    assert str(DEACTIVATE_SELF) in own.content.decode()
    beheerder.refresh_from_db()
    assert beheerder.is_active

    user_deactivate(user=person, by=beheerder, reason="weg", request=None)
    with pytest.raises(RuleViolation, match=str(ALREADY_INACTIVE)):
        user_deactivate(user=person, by=beheerder, reason="weg", request=None)
    assert AccessLog.objects.filter(action=AccessLog.Action.DEACTIVATED).count() == 1


def test_the_programme_team_does_not_deactivate(client):
    sign_in(client, UserFactory(roles=[Role.PROGRAMME_TEAM]))
    person = UserFactory()
    page = client.get(f"/rollen/gebruiker/{person.pk}/")
    assert page.status_code == 200 and "Account deactiveren" not in page.content.decode()
    assert (
        client.post(f"/rollen/gebruiker/{person.pk}/deactiveren/", {"reason": "x"}).status_code
        == 403
    )


# --- lockouts ------------------------------------------------------------------------------


def _lock_out(username: str, address: str = "198.51.100.4") -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/inloggen/", {"username": username, "password": "fout-wachtwoord"})


def test_the_lockout_page_sends_people_to_the_functional_administrator():
    user = UserFactory()
    _lock_out(user.username)
    locked = Client(REMOTE_ADDR="198.51.100.4").post(
        "/inloggen/", {"username": user.username, "password": PASSWORD}
    )
    html = locked.content.decode()
    assert locked.status_code == 429
    assert "functioneel beheerder" in html
    assert "contact op met het programmateam" not in html


def test_the_functional_administrator_lifts_a_lockout_from_the_page(beheerder):
    user = UserFactory()
    _lock_out(user.username)
    admin = Client()
    sign_in(admin, beheerder)
    page = admin.get("/rollen/blokkeringen/")
    [attempt] = page.context["lockouts"]
    assert attempt.username == user.username
    assert "Blokkeringen" in page.content.decode()  # the menu entry

    lifted = admin.post(f"/rollen/blokkeringen/{attempt.pk}/opheffen/")
    assert lifted.status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    signed = Client(REMOTE_ADDR="198.51.100.4").post(
        "/inloggen/", {"username": user.username, "password": PASSWORD}
    )
    assert signed.status_code == 302
    [entry] = AccessLog.objects.filter(action=AccessLog.Action.LOCKOUT_LIFTED)
    assert entry.user == beheerder and user.username in entry.object_label

    again = admin.post(f"/rollen/blokkeringen/{attempt.pk}/opheffen/")
    assert again.status_code == 409
    assert str(LOCKOUT_GONE) in again.content.decode()
    with pytest.raises(RuleViolation):
        lockout_lift(attempt_id=attempt.pk, by=beheerder, request=None)


def test_the_functional_administrator_lets_a_refused_address_in_again(beheerder, settings):
    settings.IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    sprayer = Client(REMOTE_ADDR="203.0.113.66")
    for target in UserFactory.create_batch(2):
        for _ in range(2):
            sprayer.post("/inloggen/", {"username": target.username, "password": "fout"})
    admin = Client()
    sign_in(admin, beheerder)
    page = admin.get("/rollen/blokkeringen/")
    assert page.context["addresses"] == [{"ip_address": "203.0.113.66", "failures": 4}]
    assert page.context["lockouts"] == []

    assert admin.post("/rollen/blokkeringen/adres/opheffen/", {"address": "nee"}).status_code == 400
    lifted = admin.post("/rollen/blokkeringen/adres/opheffen/", {"address": "203.0.113.66"})
    assert lifted.status_code == 302
    assert admin.get("/rollen/blokkeringen/").context["addresses"] == []
    assert AccessLog.objects.filter(action=AccessLog.Action.LOCKOUT_LIFTED).count() == 1


def test_only_the_functional_administrator_sees_lockouts(client):
    sign_in(client, UserFactory(roles=[Role.PROGRAMME_TEAM]))
    assert client.get("/rollen/blokkeringen/").status_code == 403
