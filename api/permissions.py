"""Who may use the API: one predicate per capability, over the permissions the role
groups hold (accounts/roles.py ROLE_PERMISSIONS). The DRF permission classes ask
these; none of them names a role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The permissions ("app_label.codename") the capabilities below rest on.
ApiPermission: TypeAlias = Literal[
    "api.use_sync_api",
    "api.manage_webhooks",
]
USE_SYNC_API: Final[ApiPermission] = "api.use_sync_api"
MANAGE_WEBHOOKS: Final[ApiPermission] = "api.manage_webhooks"


def may_use_sync_api(user: User | AnonymousUser) -> bool:
    """The resources are for the registration system and partners' systems (sync clients)."""
    return bool(user.has_perm(USE_SYNC_API))


def may_manage_webhooks(user: User | AnonymousUser) -> bool:
    """Webhook subscriptions, signed in on the web (the programme team); a sync client
    manages its own with its token (may_use_sync_api)."""
    return bool(user.has_perm(MANAGE_WEBHOOKS))
