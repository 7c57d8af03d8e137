"""Sign-in hardening: a new session key after the second factor, re-authentication
before an authenticator is replaced, hashed backup codes, no-store on signed-in
pages, a lockout that cannot be extended, a per-address throttle, and an API schema
for verified people and sync clients only (docs/adr/0013-sign-in-hardening.md)."""

from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import BackupCode, BackupCodeDevice
from accounts.roles import Role
from accounts.services import (
    CODE_WRONG,
    REAUTHENTICATION_WRONG,
    REPLACE_AUTHORISED_SECONDS,
    backup_codes_replace,
)
from audit.models import AccessLog
from tests.api.conftest import api_client_with, sync_client_user, token_for
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
# Beyond the TOTP step and django-otp's tolerance: the app shows a new code.
NEXT_TOTP_CODE = datetime.timedelta(seconds=90)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/inloggen/", {"username": username, "password": password}, **extra)


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with_session(key: str) -> Client:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other


# --- the session key after the second factor ----------------------------------------


def test_the_second_factor_gives_a_new_session_key_and_the_old_one_opens_nothing(client):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    password_step(client, user.username)
    before = session_key(client)

    passed = client.post("/tweestaps/", {"token": "abcd2345", "next": "/"})
    assert passed.status_code == 302
    after = session_key(client)
    assert after != before
    assert client.get("/").status_code == 200

    # Whoever holds the key from before the second step (a planted or seen cookie)
    # is not signed in with it, not even half.
    stale = client_with_session(before).get("/")
    assert stale.status_code == 302
    assert stale["Location"].startswith("/inloggen/")


def test_setting_up_the_first_authenticator_also_gives_a_new_session_key(client):
    user = UserFactory()
    password_step(client, user.username)
    client.get("/tweestaps/instellen/")
    before = session_key(client)
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    confirmed = client.post("/tweestaps/instellen/", {"token": current_code(device)})
    assert confirmed.status_code == 200
    assert session_key(client) != before
    assert client_with_session(before).get("/").status_code == 302


# --- replacing an authenticator --------------------------------------------------------


@pytest.fixture
def user_with_app(client):
    """A user with a confirmed authenticator app and backup codes, fully signed in."""
    user = UserFactory()
    app = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)
    backup_codes_replace(user=user, codes=["abcd2345", "efgh6789"])
    sign_in(client, user)
    return user, app


def test_replacing_the_authenticator_first_asks_for_the_password_and_a_current_code(
    client, user_with_app
):
    user, app = user_with_app
    with time_machine.travel(START, tick=False):
        page = client.get("/tweestaps/instellen/")
        html = page.content.decode()
        assert page.status_code == 200
        assert 'name="password"' in html and 'name="token"' in html
        assert "QR-code" not in html
        # Nothing was set up yet: no new device waits for a code.
        assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()

        wrong_password = client.post(
            "/tweestaps/instellen/", {"password": "fout-wachtwoord", "token": current_code(app)}
        )
        assert wrong_password.status_code == 400
        assert str(REAUTHENTICATION_WRONG) in wrong_password.content.decode()

        wrong_code = client.post("/tweestaps/instellen/", {"password": PASSWORD, "token": "000000"})
        assert wrong_code.status_code == 400
        assert "QR-code" not in client.get("/tweestaps/instellen/").content.decode()

    with time_machine.travel(START + NEXT_TOTP_CODE, tick=False):
        passed = client.post(
            "/tweestaps/instellen/", {"password": PASSWORD, "token": current_code(app)}
        )
        assert passed.status_code == 302 and passed["Location"] == "/tweestaps/instellen/"
        enrol = client.get("/tweestaps/instellen/")
        assert "QR-code" in enrol.content.decode()
        new_app = TOTPDevice.objects.get(user=user, confirmed=False)
        done = client.post("/tweestaps/instellen/", {"token": current_code(new_app)})
        assert done.status_code == 200
        assert done.content.decode().count("<li><code>") == 10

    # Only the new app is left, and the old backup codes no longer work.
    assert list(TOTPDevice.objects.filter(user=user)) == [new_app]
    client.post("/uitloggen/")
    password_step(client, user.username)
    old_code = client.post("/tweestaps/", {"token": "efgh6789"})
    assert old_code.status_code == 400


def test_a_code_for_the_new_app_without_the_password_replaces_nothing(client, user_with_app):
    user, app = user_with_app
    stray = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    response = client.post("/tweestaps/instellen/", {"token": current_code(stray)})
    assert response.status_code == 400
    stray.refresh_from_db()
    assert not stray.confirmed
    assert TOTPDevice.objects.filter(pk=app.pk, confirmed=True).exists()


def test_a_wrong_code_while_replacing_is_recorded_in_the_access_log(client, user_with_app):
    user, _app = user_with_app
    client.post("/tweestaps/instellen/", {"password": PASSWORD, "token": "000000"})
    failed = AccessLog.objects.filter(user=user, action=AccessLog.Action.SECOND_FACTOR_FAILED)
    assert failed.count() == 1


def test_a_backup_code_confirms_the_replacement_once(client, user_with_app):
    user, _app = user_with_app
    passed = client.post("/tweestaps/instellen/", {"password": PASSWORD, "token": "abcd2345"})
    assert passed.status_code == 302
    assert "QR-code" in client.get("/tweestaps/instellen/").content.decode()

    again = Client()
    sign_in(again, user)
    spent = again.post("/tweestaps/instellen/", {"password": PASSWORD, "token": "abcd2345"})
    assert spent.status_code == 400


def test_the_confirmation_to_replace_expires(client, user_with_app):
    with time_machine.travel(START, tick=False) as traveller:
        client.post("/tweestaps/instellen/", {"password": PASSWORD, "token": "abcd2345"})
        assert "QR-code" in client.get("/tweestaps/instellen/").content.decode()
        traveller.shift(datetime.timedelta(seconds=REPLACE_AUTHORISED_SECONDS + 1))
        assert "QR-code" not in client.get("/tweestaps/instellen/").content.decode()


def test_wrong_passwords_while_replacing_count_towards_the_lockout(client, user_with_app):
    user, _app = user_with_app
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/tweestaps/instellen/", {"password": "fout-wachtwoord", "token": "x"})
    assert AccessAttempt.objects.filter(username=user.username).exists()
    locked = client.post("/tweestaps/instellen/", {"password": PASSWORD, "token": "abcd2345"})
    assert locked.status_code == 429
    assert BackupCode.objects.filter(device__user=user).count() == 2  # no code spent


# --- backup codes are stored hashed ----------------------------------------------------


def test_backup_codes_are_stored_only_as_salted_hashes(client):
    user = UserFactory()
    codes = backup_codes_replace(user=user)
    assert len(codes) == 10
    stored = list(BackupCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash FROM accounts_backupcode")
        everything = " ".join(row[0] for row in cursor.fetchall())
    assert not any(code in everything for code in codes)
    assert all(h.startswith("pbkdf2_sha256$") for h in stored)
    assert len({h.split("$")[2] for h in stored}) == 10  # a salt of its own per code
    assert not StaticToken.objects.exists()

    # Still usable, typed the way people type them: once each.
    password_step(client, user.username)
    assert client.post("/tweestaps/", {"token": f" {codes[0].upper()} "}).status_code == 302
    client.post("/uitloggen/")
    password_step(client, user.username)
    reused = client.post("/tweestaps/", {"token": codes[0]})
    assert reused.status_code == 400
    assert str(CODE_WRONG) in reused.content.decode()


def test_the_migration_hashes_clear_text_codes_and_deletes_them():
    user = UserFactory()
    old_device = StaticDevice.objects.create(user=user, name="Reservecodes", confirmed=True)
    StaticToken.objects.create(device=old_device, token="oldcode1")
    StaticToken.objects.create(device=old_device, token="oldcode2")
    migration = importlib.import_module("accounts.migrations.0005_backup_codes_from_static_tokens")

    migration.hash_static_tokens(apps, None)

    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    device = BackupCodeDevice.objects.get(user=user)
    assert device.codes.count() == 2
    assert not device.codes.filter(code_hash__contains="oldcode").exists()
    assert device.verify_token("oldcode1")
    assert not device.verify_token("oldcode1")  # used once


# --- nothing of a signed-in page is stored ---------------------------------------------


def test_signed_in_pages_are_never_stored(client):
    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    password_step(client, user.username)
    half = client.get("/tweestaps/")
    assert "no-store" in half["Cache-Control"]

    client.post("/tweestaps/", {"token": "abcd2345"})
    page = client.get("/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]


def test_a_case_list_for_the_programme_team_is_never_stored(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.PROGRAMME_TEAM.value))
    sign_in(client, user)
    page = client.get("/casussen/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]


# --- lockout and the per-address throttle ----------------------------------------------


def test_attempts_during_a_lockout_do_not_extend_it(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            password_step(client, user.username, "fout-wachtwoord")
        assert password_step(client, user.username).status_code == 429

        # Someone keeps trying while locked out: refused, and not counted.
        traveller.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=5))
        assert password_step(client, user.username, "fout-wachtwoord").status_code == 429
        assert password_step(client, user.username).status_code == 429

        # The cool-off still ends when it would have without those attempts.
        traveller.shift(datetime.timedelta(minutes=6))
        response = password_step(client, user.username)
        assert response.status_code == 302
        assert "_auth_user_id" in client.session


def test_one_address_failing_on_many_usernames_is_throttled_alone(client, settings):
    settings.IPGAR_SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    sprayer = {"REMOTE_ADDR": "203.0.113.66"}
    colleague = {"REMOTE_ADDR": "198.51.100.7"}
    targets = UserFactory.create_batch(3)
    for target in targets:
        # Under the account limit for each username...
        for _ in range(2):
            assert password_step(client, target.username, "fout", **sprayer).status_code == 200
    # ...but the address as a whole has had enough: refused even with a right password.
    victim = UserFactory()
    assert password_step(client, victim.username, **sprayer).status_code == 429
    assert "_auth_user_id" not in client.session

    # Nobody else is locked out: the same people sign in from their own address.
    for user in (*targets, victim):
        other = Client()
        response = password_step(other, user.username, **colleague)
        assert response.status_code == 302
        assert "_auth_user_id" in other.session


def test_failures_from_another_address_do_not_lock_a_person_out(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        password_step(client, user.username, "fout", REMOTE_ADDR="203.0.113.66")
    own = Client()
    response = password_step(own, user.username, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


# --- the API schema and its documentation pages ----------------------------------------

SCHEMA_PAGES = ("/api/schema/", "/api/schema/swagger/", "/api/schema/redoc/")


@pytest.mark.parametrize("path", SCHEMA_PAGES)
def test_the_schema_needs_the_second_factor_or_a_token(client, path):
    assert client.get(path).status_code == 401  # anonymous

    user = UserFactory()
    backup_codes_replace(user=user, codes=["abcd2345"])
    password_step(client, user.username)
    assert client.get(path).status_code in (401, 403)  # the password alone

    client.post("/tweestaps/", {"token": "abcd2345"})
    assert client.get(path).status_code == 200

    sync_client = api_client_with(token_for(sync_client_user(), ["cases:read"]))
    assert sync_client.get(path).status_code == 200
