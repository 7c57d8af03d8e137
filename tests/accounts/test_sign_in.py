"""Hardened sign-in: two factors for every person, lockout, session lifetimes, CSP."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from qsessions.models import Session

from accounts.services import CODE_WRONG, backup_codes_replace
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_step(client, username: str, password: str = PASSWORD):
    return client.post("/inloggen/", {"username": username, "password": password})


def test_the_password_alone_opens_nothing_but_the_second_factor(client):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    response = password_step(client, user.username)
    assert response.status_code == 302
    for path in ("/", "/beheer/"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith("/tweestaps/?next=")


def test_first_sign_in_sets_up_an_authenticator_and_shows_backup_codes(client):
    user = UserFactory()
    password_step(client, user.username)
    client.get("/tweestaps/")  # no device yet: sent on to the set-up
    enrol = client.get("/tweestaps/instellen/")
    html = enrol.content.decode()
    assert "QR-code" in html and 'src="data:image/svg+xml' in html

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/tweestaps/instellen/", {"token": "000000"})
    assert wrong.status_code == 400
    assert str(CODE_WRONG) in wrong.content.decode()

    confirmed = client.post("/tweestaps/instellen/", {"token": current_code(device)})
    assert confirmed.status_code == 200
    assert confirmed.content.decode().count("<li><code>") == 10
    assert client.get("/").status_code == 200


def test_a_backup_code_works_once(client):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345", "efgh6789"])
    password_step(client, user.username)
    passed = client.post("/tweestaps/", {"token": "abcd2345", "next": "/"})
    assert passed.status_code == 302 and passed["Location"] == "/"
    assert client.get("/").status_code == 200

    client.post("/uitloggen/")
    password_step(client, user.username)
    reused = client.post("/tweestaps/", {"token": "abcd2345"})
    assert reused.status_code == 400
    assert str(CODE_WRONG) in reused.content.decode()
    assert client.get("/").status_code == 302


def test_someone_with_only_the_password_cannot_replace_the_second_factor(client):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    password_step(client, user.username)
    response = client.get("/tweestaps/instellen/")
    assert response.status_code == 302 and response["Location"] == "/tweestaps/"
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_next_parameter_cannot_send_the_user_elsewhere(client):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    password_step(client, user.username)
    response = client.post("/tweestaps/", {"token": "abcd2345", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(client, user.username, "fout-wachtwoord").status_code == 200
    assert password_step(client, user.username, "fout-wachtwoord").status_code == 429
    locked = password_step(client, user.username)
    assert locked.status_code == 429
    assert "Account tijdelijk geblokkeerd" in locked.content.decode()
    assert "30 minuten" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_functional_administrator_lifts_a_lockout_in_the_admin(client):
    from axes.models import AccessAttempt
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.roles import Role

    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, user.username, "fout-wachtwoord")
    assert password_step(client, user.username).status_code == 429
    attempt = AccessAttempt.objects.get(username=user.username)

    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=Role.FUNCTIONAL_ADMIN.value))
    admin_client = Client()
    sign_in(admin_client, admin)
    listing = admin_client.get("/beheer/axes/accessattempt/")
    assert user.username in listing.content.decode()
    url = f"/beheer/axes/accessattempt/{attempt.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()

    # Unlocked: the right password is accepted again (no 429), on to the second factor.
    response = password_step(client, user.username)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_password_shows_a_dutch_error_and_keeps_the_username(client):
    user = UserFactory()
    response = password_step(client, user.username, "fout")
    html = response.content.decode()
    assert "Gebruikersnaam of wachtwoord onjuist." in html
    assert f'value="{user.username}"' in html


def test_idle_session_ends_after_thirty_minutes(client):
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        user = UserFactory()
        sign_in(client, user)
        assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity keeps it alive
        traveller.shift(datetime.timedelta(minutes=31))
        assert client.get("/")["Location"].startswith("/inloggen/")


def test_activity_moves_the_idle_expiry_on_with_at_most_one_write_a_minute(client):
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in(client, UserFactory())
        client.get("/")
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date

        traveller.shift(datetime.timedelta(seconds=30))
        with count_queries() as queries:
            client.get("/")
        assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
        assert Session.objects.get(session_key=key).expire_date == expiry

        traveller.shift(datetime.timedelta(seconds=31))
        client.get("/")
        moved = Session.objects.get(session_key=key).expire_date
        assert moved - expiry == datetime.timedelta(seconds=61)


def test_busy_session_still_ends_after_the_absolute_lifetime(client):
    start = datetime.datetime(2026, 11, 23, 7, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        user = UserFactory()
        sign_in(client, user)
        assert client.get("/").status_code == 200
        for _ in range(settings.SESSION_ABSOLUTE_SECONDS // (20 * 60)):
            traveller.shift(datetime.timedelta(minutes=20))
            response = client.get("/")
        traveller.shift(datetime.timedelta(minutes=20))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/inloggen/")
        assert "_auth_user_id" not in client.session


def test_pages_carry_a_strict_content_security_policy_and_safe_cookies(client):
    user = UserFactory()
    response = password_step(client, user.username)
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "frame-ancestors 'none'" in policy
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
