"""The admin's user and group pages cannot raise anyone's rights: no superuser status,
groups or loose permissions on the user form, nothing rights-bearing on one's own
account, no permissions added to a group; and users are in the change history."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

RIGHTS_INPUTS = ('name="is_superuser"', 'name="groups"', 'name="user_permissions"')


@pytest.fixture
def beheerder() -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=Role.FUNCTIONAL_ADMIN.value))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def admin_client(beheerder) -> Client:
    client = Client()
    sign_in(client, beheerder)
    return client


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def form_data(user: User, **extra: object) -> dict[str, object]:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "organisation": user.organisation_id or "",
        "is_active": "on",
        **extra,
    }


def test_the_user_form_offers_no_superuser_groups_or_permissions_field(admin_client):
    colleague = UserFactory()
    html = admin_client.get(change_url(colleague)).content.decode()
    assert 'name="first_name"' in html
    for field in (*RIGHTS_INPUTS, 'name="is_staff"'):
        assert field not in html, field
    assert reverse("accounts:user_roles", args=[colleague.pk]) in html  # where roles are managed


def test_the_admin_adds_no_users_they_are_invited(admin_client):
    # accounts/views_invitations.py: nobody but the new user sets the first password.
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_a_forged_post_with_superuser_groups_and_permissions_changes_no_rights(admin_client):
    colleague = UserFactory()
    programme_team = Group.objects.get(name=Role.PROGRAMME_TEAM.value)
    permission = Permission.objects.get(codename="view_person_data")
    response = admin_client.post(
        change_url(colleague),
        form_data(
            colleague,
            first_name="Gewijzigd",
            is_superuser="on",
            is_staff="on",
            groups=[programme_team.pk],
            user_permissions=[permission.pk],
        ),
    )
    assert response.status_code == 302
    stored = User.objects.get(pk=colleague.pk)
    assert stored.first_name == "Gewijzigd"  # the ordinary fields are saved
    assert not stored.is_superuser
    assert not stored.is_staff
    assert not stored.groups.exists()
    assert not stored.user_permissions.exists()


def test_the_beheerder_cannot_change_rights_of_their_own_account(admin_client, beheerder):
    other_organisation = OrganisationFactory(code="ggd")
    html = admin_client.get(change_url(beheerder)).content.decode()
    for field in (*RIGHTS_INPUTS, 'name="is_active"', 'name="organisation"'):
        assert field not in html, field
    response = admin_client.post(
        change_url(beheerder),
        form_data(
            beheerder,
            is_superuser="on",
            groups=[Group.objects.get(name=Role.PROGRAMME_TEAM.value).pk],
            organisation=other_organisation.pk,
        ),
    )
    assert response.status_code == 302
    beheerder = User.objects.get(pk=beheerder.pk)
    assert not beheerder.is_superuser
    assert set(beheerder.groups.values_list("name", flat=True)) == {Role.FUNCTIONAL_ADMIN.value}
    assert beheerder.organisation_id != other_organisation.pk


def test_the_beheerder_cannot_take_over_a_superuser_account(admin_client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    page = admin_client.get(change_url(superuser))
    assert 'name="first_name"' not in page.content.decode()  # shown read-only
    forged = admin_client.post(change_url(superuser), form_data(superuser, email="x@example.org"))
    assert forged.status_code == 403
    assert User.objects.get(pk=superuser.pk).email == superuser.email
    # Nobody's password is set in the admin (the page is gone): not a superuser's either.
    assert admin_client.get(f"/beheer/accounts/user/{superuser.pk}/password/").status_code != 200


def test_nobody_adds_permissions_to_a_group_in_the_admin():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    sign_in(client, superuser)
    group = Group.objects.get(name=Role.REGISSEUR.value)
    url = reverse("admin:auth_group_change", args=[group.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="permissions"' not in page.content.decode()
    assert "pool.view_region" in page.content.decode()  # shown, read-only

    permission = Permission.objects.get(codename="view_person_data")
    response = client.post(url, {"name": group.name, "permissions": [permission.pk]})
    assert response.status_code == 403
    assert not group.permissions.filter(pk=permission.pk).exists()
    assert client.get(reverse("admin:auth_group_add")).status_code == 403


def test_a_user_change_in_the_admin_is_in_the_history_with_who_made_it(admin_client, beheerder):
    colleague = UserFactory()
    admin_client.post(change_url(colleague), form_data(colleague, last_name="Jansen"))
    event = apps.get_model("accounts", "UserEvent").objects.filter(pgh_obj=colleague).last()
    assert event is not None
    assert (event.pgh_label, event.last_name) == ("update", "Jansen")
    assert event.pgh_context.metadata["user"] == beheerder.pk


def test_signing_in_and_the_password_hash_leave_no_history_noise():
    user = UserFactory()
    events = apps.get_model("accounts", "UserEvent").objects.filter(pgh_obj=user)
    before = events.count()
    sign_in(Client(), user)  # sets last_login
    user.set_password("een-ander-wachtwoord-2026")
    user.save(update_fields=["password"])
    assert events.count() == before
    assert not hasattr(events.model, "password")
