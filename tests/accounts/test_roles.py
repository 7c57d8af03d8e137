"""Every role is a group holding exactly the permissions of its row in ROLE_PERMISSIONS."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS, Role, user_has_role
from accounts.services import roles_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def group_permissions(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migrate_created_a_group_per_role_with_its_permissions():
    for role in Role:
        assert group_permissions(role) == set(ROLE_PERMISSIONS[role]), role


def test_every_listed_permission_exists():
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    listed = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    assert listed - existing == set()


def test_sync_takes_away_a_permission_granted_by_hand():
    group = Group.objects.get(name=Role.REGISSEUR.value)
    group.permissions.add(Permission.objects.get(codename="view_person_data"))
    roles_sync()
    assert "cases.view_person_data" not in group_permissions(Role.REGISSEUR)


def test_functional_admin_sees_no_case_content():
    assert not any(p.startswith("cases.") for p in ROLE_PERMISSIONS[Role.FUNCTIONAL_ADMIN])


def test_a_user_may_hold_several_roles():
    user = UserFactory()
    user.groups.add(
        Group.objects.get(name=Role.REGISSEUR.value), Group.objects.get(name=Role.PTO_R.value)
    )
    assert user_has_role(user, Role.REGISSEUR)
    assert user_has_role(user, Role.PTO_R)
    assert not user_has_role(user, Role.PROGRAMME_TEAM)
