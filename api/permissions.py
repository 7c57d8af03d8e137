"""Who may use the API: one predicate per capability, over the permissions the role
groups hold (accounts/roles.py ROLE_PERMISSIONS). The DRF permission classes ask
these; none of them names a role."""

from __future__ import annotations

from typing import Any

USE_SYNC_API = "api.use_sync_api"
MANAGE_WEBHOOKS = "api.manage_webhooks"


def may_use_sync_api(user: Any) -> bool:
    """The resources are for the registration system and partners' systems (sync clients)."""
    return bool(user.has_perm(USE_SYNC_API))


def may_manage_webhooks(user: Any) -> bool:
    """Webhook subscriptions, signed in on the web (the programme team); a sync client
    manages its own with its token (may_use_sync_api)."""
    return bool(user.has_perm(MANAGE_WEBHOOKS))
