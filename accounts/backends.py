"""Model permissions come from roles only: the permissions the user's role groups hold
(accounts/roles.py ROLE_PERMISSIONS, synced to the groups after every migrate).

Django's ModelBackend asks two more queries per request (the user's own permissions
and the groups' permissions); here the groups' permissions arrive with the role names
the sign-in policy loads on every request anyway (accounts.roles.role_permissions),
so asking a capability costs no query. Permissions given to a single user are not
read: the admin does not offer them (accounts/admin.py), roles hold permissions.
An active superuser is answered by the user model itself (has_perm is True) before
any backend is asked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .roles import role_permissions
from .signed_in import signed_in_user


class RoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # The user of a signed-in session with its roles, from the cache while nothing
        # of it changed (accounts/signed_in.py); None when deactivated, as Django's.
        return signed_in_user(user_id)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(role_permissions(user_obj))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        # Not cached on the user beyond the role names: forgetting those (a role
        # granted or taken away) forgets the permissions too.
        return self.get_group_permissions(user_obj, obj)
