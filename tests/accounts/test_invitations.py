"""Invitations and lost second factors: the services, the pages, and the e-mails they
send, read from the outbox with their links followed."""

from __future__ import annotations

import base64
import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services_invitations as invitations
from accounts.models import (
    ActivationLink,
    ActivationLinkKind,
    ActivationLinkStatus,
    BackupCodeDevice,
    User,
)
from accounts.roles import Role
from accounts.services import backup_codes_replace
from audit.models import AccessLog
from kernel.errors import RuleViolation
from tests.conftest import sign_in
from tests.factories import ActivationLinkFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # tests.factories.UserFactory sets it
NEW_PASSWORD = "Amstel-sluis-2026-regie"
LINK = re.compile(r"http://testserver(/activeren/[^/\s]+/)")


@pytest.fixture
def admin() -> User:
    return UserFactory(roles=[Role.FUNCTIONAL_ADMIN], is_staff=True)


@pytest.fixture
def programme_team() -> User:
    return UserFactory(roles=[Role.PROGRAMME_TEAM])


@pytest.fixture
def request_() -> HttpRequest:
    return RequestFactory().get("/")


def invite(admin: User, request_: HttpRequest, email: str = "nieuw@example.org") -> ActivationLink:
    return invitations.user_invite(
        first_name="Noor",
        last_name="Visser",
        email=email,
        organisation=OrganisationFactory(code="ggd", name="GGD"),
        by=admin,
        request=request_,
    )


def link_in(message: mail.EmailMessage) -> str:
    match = LINK.search(str(message.body))
    assert match, message.body
    return match.group(1)


def secret_on(page: str) -> bytes:
    """The authenticator key the page shows, as the app would read it."""
    (key,) = re.findall(r'<code class="ipgar-key">([A-Z2-7]+)</code>', page)
    return base64.b32decode(key + "=" * (-len(key) % 8))


def code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


# --- the services -----------------------------------------------------------------------


def test_an_invited_user_is_inactive_has_no_usable_password_and_gets_one_mail(
    admin, request_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = invite(admin, request_)
    user = link.user
    assert (user.username, user.is_active, user.has_usable_password()) == (
        "nieuw@example.org",
        False,
        False,
    )
    assert (link.kind, link.status, link.created_by) == (
        ActivationLinkKind.INVITATION,
        ActivationLinkStatus.OPEN,
        admin,
    )
    [message] = mail.outbox
    assert message.to == ["nieuw@example.org"]
    assert message.subject == str(invitations.INVITATION_SUBJECT)
    token = link_in(message).split("/")[2]
    # Only a hash is stored, never the secret itself.
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert invitations.activation_link_find(token) == link
    # The invitation is a write of person data: in the access log.
    assert AccessLog.objects.filter(
        user=admin, action=AccessLog.Action.CREATE, object_id=str(user.pk)
    ).exists()


def test_only_the_functional_administrator_invites(programme_team, request_):
    with pytest.raises(RuleViolation) as refused:
        invite(programme_team, request_)
    assert refused.value.messages == [str(invitations.ONLY_INVITERS)]
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_an_address_already_in_use_is_refused(admin, request_):
    UserFactory(email="Bestaand@example.org")
    with pytest.raises(ValidationError) as refused:
        invite(admin, request_, email="bestaand@EXAMPLE.org")
    assert refused.value.message_dict == {"email": [str(invitations.EMAIL_TAKEN)]}


def test_a_link_expires_after_the_configured_hours(admin, request_, settings):
    settings.ACTIVATION_LINK_HOURS = 72
    link = ActivationLinkFactory(token="verloopt", created_by=admin)
    link.expires_at = link.created_at + datetime.timedelta(hours=72)
    link.save()
    with time_machine.travel(link.created_at + datetime.timedelta(hours=71, minutes=59)):
        assert invitations.activation_link_find("verloopt") == link
    with time_machine.travel(link.created_at + datetime.timedelta(hours=72, seconds=1)):
        assert invitations.activation_link_find("verloopt") is None
    fresh = invite(admin, request_)
    assert fresh.expires_at - fresh.created_at == datetime.timedelta(hours=72)


def test_resend_replaces_the_link_and_the_old_one_stops_working(
    admin, request_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(admin, request_)
        second = invitations.invitation_resend(link=first, by=admin, request=request_)
    old, new = (link_in(message).split("/")[2] for message in mail.outbox)
    assert invitations.activation_link_find(old) is None
    assert invitations.activation_link_find(new) == second
    first.refresh_from_db()
    assert (first.status, first.closed_by) == (ActivationLinkStatus.REPLACED, admin)
    with pytest.raises(RuleViolation):  # only an open invitation is resent
        invitations.invitation_resend(link=first, by=admin, request=request_)


def test_withdraw_ends_the_link_and_the_account_stays_inactive(admin, request_):
    link = ActivationLinkFactory(token="ingetrokken", created_by=admin)
    invitations.invitation_withdraw(link=link, by=admin)
    link.refresh_from_db()
    assert link.status == ActivationLinkStatus.WITHDRAWN
    assert invitations.activation_link_find("ingetrokken") is None
    assert not User.objects.get(pk=link.user_id).is_active
    with pytest.raises(RuleViolation):
        invitations.invitation_withdraw(link=link, by=admin)


def test_one_open_link_per_user_in_the_database(admin):
    link = ActivationLinkFactory(created_by=admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivationLinkFactory(user=link.user, created_by=admin)


# --- the activation page ------------------------------------------------------------------


def test_the_invited_user_sets_a_password_and_enrols_in_one_step_then_the_link_is_dead(
    admin, request_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = invite(admin, request_)
    url = link_in(mail.outbox[0])
    browser = Client()
    page = browser.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    key = secret_on(page.content.decode())

    weak = browser.post(url, {"password": "kort", "password_again": "kort", "code": code_for(key)})
    assert weak.status_code == 400
    differ = browser.post(
        url, {"password": NEW_PASSWORD, "password_again": "iets-anders-2026", "code": "1"}
    )
    assert differ.status_code == 400
    assert str(invitations.PASSWORDS_DIFFER) in differ.content.decode()
    wrong_code = browser.post(
        url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": "000000"}
    )
    assert wrong_code.status_code == 400
    user = User.objects.get(pk=link.user_id)
    assert not user.is_active and not user.has_usable_password()  # nothing written

    done = browser.post(
        url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": code_for(key)}
    )
    assert done.status_code == 200
    assert "Uw reservecodes" in done.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert BackupCodeDevice.objects.get(user=user).codes.count() == 10
    # Signed in with both factors: a page behind the second factor answers.
    assert browser.get(reverse("home")).status_code == 200

    again = Client().get(url)
    assert again.status_code == 404
    assert str(invitations.LINK_INVALID) in again.content.decode()
    assert Client().post(url, {"password": "x", "code": "1"}).status_code == 404


def test_an_unknown_link_is_not_found():
    assert Client().get("/activeren/bestaat-niet/").status_code == 404


# --- a lost second factor ---------------------------------------------------------------


def test_the_programme_team_resets_its_users_second_factor(
    programme_team, request_, django_capture_on_commit_callbacks
):
    regisseur = UserFactory(roles=[Role.REGISSEUR])
    backup_codes_replace(user=regisseur)
    TOTPDevice.objects.create(user=regisseur, name="oud", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        link = invitations.second_factor_reset(
            user=regisseur, by=programme_team, reason="Telefoon gestolen.", request=request_
        )
    assert not TOTPDevice.objects.filter(user=regisseur).exists()
    assert not BackupCodeDevice.objects.filter(user=regisseur).exists()
    assert (link.kind, link.reason) == (
        ActivationLinkKind.SECOND_FACTOR_RESET,
        "Telefoon gestolen.",
    )
    entry = AccessLog.objects.get(action=AccessLog.Action.SECOND_FACTOR_RESET)
    assert (entry.user, entry.object_id, entry.purpose) == (
        programme_team,
        str(regisseur.pk),
        "Telefoon gestolen.",
    )
    [message] = mail.outbox
    assert message.to == [regisseur.email] and "Telefoon gestolen." in message.body
    assert User.objects.get(pk=regisseur.pk).check_password(PASSWORD)  # kept


def test_who_may_reset_whose_second_factor(admin, programme_team, request_):
    colleague_admin = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    mixed = UserFactory(roles=[Role.REGISSEUR, Role.PRIVACY_OFFICER])
    for subject in (colleague_admin, mixed):  # not only roles the programme team approves
        with pytest.raises(RuleViolation) as refused:
            invitations.second_factor_reset(
                user=subject, by=programme_team, reason="kwijt", request=request_
            )
        assert refused.value.messages == [str(invitations.RESET_NOT_ALLOWED)]
    # The functional administrator resets anyone's, but never his own.
    invitations.second_factor_reset(user=mixed, by=admin, reason="kwijt", request=request_)
    with pytest.raises(RuleViolation) as own:
        invitations.second_factor_reset(user=admin, by=admin, reason="kwijt", request=request_)
    assert own.value.messages == [str(invitations.RESET_NOT_OWN_ACCOUNT)]
    with pytest.raises(ValidationError) as no_reason:
        invitations.second_factor_reset(user=mixed, by=admin, reason="  ", request=request_)
    assert no_reason.value.message_dict == {"reason": [str(invitations.RESET_REASON_REQUIRED)]}
    sync = UserFactory(roles=[Role.SYNC_CLIENT])
    with pytest.raises(RuleViolation):
        invitations.second_factor_reset(user=sync, by=admin, reason="kwijt", request=request_)
    invited = ActivationLinkFactory(created_by=admin).user
    with pytest.raises(RuleViolation):
        invitations.second_factor_reset(user=invited, by=admin, reason="kwijt", request=request_)


def test_a_reset_from_the_role_page_then_re_enrolment_with_the_kept_password(
    programme_team, django_capture_on_commit_callbacks
):
    regisseur = UserFactory(roles=[Role.REGISSEUR])
    backup_codes_replace(user=regisseur, codes=["oudecode1"])
    their_session = Client()
    sign_in(their_session, regisseur)
    assert not their_session.get(reverse("home"))["Location"].startswith("/tweestaps/")

    team = Client()
    sign_in(team, programme_team)
    role_page = reverse("accounts:user_roles", args=[regisseur.pk])
    assert "Tweede factor resetten" in team.get(role_page).content.decode()
    reset_url = reverse("accounts:second_factor_reset", args=[regisseur.pk])
    assert team.post(reset_url, {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = team.post(reset_url, {"reason": "Telefoon kwijt, zelf gemeld."})
    assert done.status_code == 302 and done["Location"] == role_page

    # The session verified with the removed codes is sent back to the second step, and
    # the password alone does not set up a new authenticator there.
    assert their_session.get(reverse("home"))["Location"].startswith("/tweestaps/")
    refused = their_session.get(reverse("two_factor_enrol"))
    assert refused.status_code == 409 and "QR-code" not in refused.content.decode()

    url = link_in(mail.outbox[0])
    browser = Client()
    page = browser.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password_again"' not in html  # the password is kept
    key = secret_on(html)
    wrong = browser.post(url, {"password": "fout-wachtwoord", "code": code_for(key)})
    assert wrong.status_code == 400
    assert str(invitations.PASSWORD_WRONG) in wrong.content.decode()
    enrolled = browser.post(url, {"password": PASSWORD, "code": code_for(key)})
    assert enrolled.status_code == 200 and "Uw reservecodes" in enrolled.content.decode()
    assert not browser.get(reverse("home"))["Location"].startswith("/tweestaps/")
    assert TOTPDevice.objects.filter(user=regisseur, confirmed=True).count() == 1
    assert Client().get(url).status_code == 404


def test_the_reset_form_shows_only_to_who_may_reset_that_user(programme_team):
    admin_user = UserFactory(roles=[Role.FUNCTIONAL_ADMIN])
    team = Client()
    sign_in(team, programme_team)
    page = team.get(reverse("accounts:user_roles", args=[admin_user.pk])).content.decode()
    assert "Tweede factor resetten" not in page
    forbidden = team.post(
        reverse("accounts:second_factor_reset", args=[admin_user.pk]), {"reason": "kwijt"}
    )
    assert forbidden.status_code == 403


# --- the invitations page ---------------------------------------------------------------


def test_the_invitations_page_invites_lists_resends_and_withdraws(
    admin, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(code="wpi", name="WPI")
    browser = Client()
    sign_in(browser, admin)
    url = reverse("accounts:invitations")
    data = {
        "first_name": "Sem",
        "last_name": "de Boer",
        "email": "sem@example.org",
        "organisation": organisation.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        created = browser.post(url, data)
    user = User.objects.get(email="sem@example.org")
    assert created.status_code == 302
    assert created["Location"] == reverse("accounts:user_roles", args=[user.pk])
    assert browser.post(url, data).status_code == 400  # the address is taken now
    listing = browser.get(url).content.decode()
    assert "Sem de Boer" in listing and "sem@example.org" in listing
    link = ActivationLink.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        resent = browser.post(reverse("accounts:invitation_resend", args=[link.pk]))
    assert resent.status_code == 302 and len(mail.outbox) == 2
    assert Client().get(link_in(mail.outbox[0])).status_code == 404
    new = ActivationLink.objects.open().get(user=user)
    withdrawn = browser.post(reverse("accounts:invitation_withdraw", args=[new.pk]))
    assert withdrawn.status_code == 302
    assert Client().get(link_in(mail.outbox[1])).status_code == 404
    assert "ingetrokken" in browser.get(url).content.decode()  # the message, shown once
    assert "Sem de Boer" not in browser.get(url).content.decode()
    again = browser.post(reverse("accounts:invitation_withdraw", args=[new.pk]))
    assert again.status_code == 409
    assert not User.objects.get(pk=user.pk).is_active


def test_the_admin_site_neither_adds_users_nor_sets_their_passwords(admin):
    browser = Client()
    sign_in(browser, admin)
    assert browser.get(reverse("admin:accounts_user_add")).status_code == 403
    colleague = UserFactory()
    change = browser.get(reverse("admin:accounts_user_change", args=[colleague.pk]))
    html = change.content.decode()
    assert change.status_code == 200
    assert "/password/" not in html and 'name="email"' not in html
    assert browser.get(f"/beheer/accounts/user/{colleague.pk}/password/").status_code in (302, 404)
    assert (
        not Group.objects.get(name=Role.FUNCTIONAL_ADMIN.value)
        .permissions.filter(codename="add_user")
        .exists()
    )
