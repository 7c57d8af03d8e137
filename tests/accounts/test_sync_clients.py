"""The functional administrator connects a registration system: a sync client, a
token whose secret is shown once, its use visible, revoked from the next request;
and the same from the command line for scripted set-up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, RoleGrant, RoleGrantStatus, User
from accounts.roles import Role
from accounts.tokens import KEY_REVOKED, SCOPES_REQUIRED, sync_client_create
from tests.api.conftest import api_client_with
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

CASES_URL = "/api/v1/cases/"


@pytest.fixture
def admin() -> User:
    return UserFactory(roles=[Role.FUNCTIONAL_ADMIN])


@pytest.fixture
def browser(admin: User) -> Client:
    client = Client()
    sign_in(client, admin)
    return client


@pytest.fixture
def sync(admin: User) -> User:
    return sync_client_create(name="VeHaA", organisation=OrganisationFactory(), by=admin)


def issue(browser: Client, client: User, **fields: str) -> Any:
    data = {
        "name": "productie",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        **fields,
    }
    return browser.post(reverse("accounts:token_issue", kwargs={"pk": client.pk}), data)


def test_the_administrator_adds_a_sync_client_that_cannot_sign_in(browser, admin):
    answer = browser.post(
        reverse("accounts:sync_clients"),
        {"name": "Registratiesysteem VeHaA", "organisation": OrganisationFactory().pk},
    )
    client = User.objects.get(username="sync-registratiesysteem-vehaa")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("accounts:token_issue", kwargs={"pk": client.pk})
    assert not client.has_usable_password()
    assert set(client.groups.values_list("name", flat=True)) == {Role.SYNC_CLIENT.value}
    grant = RoleGrant.objects.get(user=client)
    assert (grant.status, grant.requested_by, grant.decided_by) == (
        RoleGrantStatus.APPROVED,
        admin,
        admin,
    )


def test_a_second_client_of_the_same_name_is_refused_and_nothing_is_written(browser, sync):
    users = User.objects.count()
    answer = browser.post(
        reverse("accounts:sync_clients"), {"name": "vehaa", "organisation": sync.organisation.pk}
    )
    assert answer.status_code == 400
    assert "Er bestaat al een gebruiker met de naam sync-vehaa." in answer.content.decode()
    assert User.objects.count() == users


def test_the_secret_is_shown_once_works_and_is_stored_nowhere(browser, sync):
    answer = issue(browser, sync, scope_cases="write", scope_changes="read")
    key = answer.context["key"]
    token = ApiToken.objects.get(client=sync)
    assert answer.status_code == 200
    assert key in answer.content.decode()
    assert "no-store" in answer["Cache-Control"]
    assert token.scopes == ["cases:write", "changes:read"]
    assert key.split(".")[1] not in token.secret_hash
    assert api_client_with(key).get(CASES_URL).status_code == 200
    listing = browser.get(reverse("accounts:sync_clients")).content.decode()
    assert token.prefix in listing
    assert key not in listing


def test_the_list_shows_when_a_token_was_last_used(browser, sync):
    key = issue(browser, sync, scope_cases="read").context["key"]
    row = browser.get(reverse("accounts:sync_clients")).content.decode()
    assert "nooit" in row
    api_client_with(key).get(CASES_URL)
    used = timezone.localtime(ApiToken.objects.get().last_used_at)
    assert (
        used.strftime("%d-%m-%Y %H:%M")
        in browser.get(reverse("accounts:sync_clients")).content.decode()
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, str(SCOPES_REQUIRED)),
        (
            {"scope_cases": "read", "expires_on": "2099-01-01"},
            "Een API-token is hooguit een jaar geldig.",
        ),
        (
            {"scope_cases": "read", "expires_on": "2020-01-01"},
            "De vervaldatum moet in de toekomst liggen.",
        ),
        ({"scope_cases": "read", "name": "  "}, "Dit veld is vereist."),
        ({"scope_cases": "delete"}, "Selecteer een geldige keuze."),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_no_token(browser, sync, fields, message):
    answer = issue(browser, sync, **fields)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused_from_the_next_request(browser, sync, admin):
    key = issue(browser, sync, scope_cases="read").context["key"]
    token = ApiToken.objects.get()
    answer = browser.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    token.refresh_from_db()
    assert answer.status_code == 302
    assert token.revoked_by == admin
    refused = api_client_with(key).get(CASES_URL)
    assert refused.status_code == 401
    assert refused.json()["detail"] == str(KEY_REVOKED)


def test_a_token_is_only_for_a_sync_client(browser, admin):
    person = UserFactory()
    assert issue(browser, person, scope_cases="read").status_code == 404
    assert browser.get(reverse("accounts:token_issue", kwargs={"pk": person.pk})).status_code == 404


def test_the_form_offers_a_date_the_date_field_can_show(browser, sync):
    # A date input only takes ISO dates: a localised one would leave it empty.
    page = browser.get(reverse("accounts:token_issue", kwargs={"pk": sync.pk})).content.decode()
    default = timezone.localdate() + datetime.timedelta(days=90)
    assert f'value="{default.isoformat()}"' in page


def test_the_menu_leads_the_administrator_and_nobody_else_there(browser):
    url = reverse("accounts:sync_clients")
    assert f'href="{url}"' in browser.get(reverse("accounts:user_list")).content.decode()
    team = Client()
    sign_in(team, UserFactory(roles=[Role.PROGRAMME_TEAM]))
    assert f'href="{url}"' not in team.get(reverse("accounts:user_list")).content.decode()
    assert team.get(url).status_code == 403


def test_the_command_issues_lists_and_revokes(sync, capsys):
    call_command(
        "api_token", "issue", "--client", sync.username, "--name", "script", "--scope", "all"
    )
    key = capsys.readouterr().out.strip()
    assert api_client_with(key).get(CASES_URL).status_code == 200
    prefix = key.split(".")[0]
    call_command("api_token", "list", "--client", sync.username)
    listed = capsys.readouterr().out
    assert prefix in listed and "script" in listed and "valid until" in listed
    call_command("api_token", "revoke", prefix)
    assert ApiToken.objects.get(prefix=prefix).revoked_at is not None
    assert api_client_with(key).get(CASES_URL).status_code == 401


def issue_by_command(username: str, scope: str) -> None:
    call_command("api_token", "issue", "--client", username, "--name", "x", "--scope", scope)


def test_the_command_refuses_what_the_page_refuses(sync):
    with pytest.raises(CommandError, match="Onbekend recht: cases:delete"):
        call_command(
            "api_token",
            "issue",
            "--client",
            sync.username,
            "--name",
            "x",
            "--scope",
            "cases:delete",
        )
    with pytest.raises(CommandError, match="Alleen een synchronisatieclient"):
        call_command(
            "api_token",
            "issue",
            "--client",
            UserFactory().username,
            "--name",
            "x",
            "--scope",
            "all",
        )
    assert not ApiToken.objects.exists()
