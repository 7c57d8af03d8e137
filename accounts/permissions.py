"""Who may do what with roles: one predicate per capability, over the permissions the
role groups hold (accounts/roles.py ROLE_PERMISSIONS). Views, the menu and the role
services ask these; none of them names a role."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

REQUEST_ROLE = "accounts.request_role"
GRANT_ROLE = "accounts.grant_role"
APPROVE_CASE_CONTENT_ROLE = "accounts.approve_case_content_role"
MANAGE_API_TOKENS = "accounts.add_apitoken"
CHANGE_USER = "accounts.change_user"
LIFT_LOCKOUT = "axes.delete_accessattempt"


def may_manage_roles(user: User | AnonymousUser) -> bool:
    """See users' roles, ask for a role for someone else, take a role away: the
    functional administrator and the programme team."""
    return bool(user.has_perm(REQUEST_ROLE))


def may_grant_at_once(user: User | AnonymousUser) -> bool:
    """Give a role without case content straight away: the functional administrator."""
    return bool(user.has_perm(GRANT_ROLE))


def may_approve_case_content_roles(user: User | AnonymousUser) -> bool:
    """Decide on a request for a role that reaches case content: the programme team."""
    return bool(user.has_perm(APPROVE_CASE_CONTENT_ROLE))


def may_decide_grants(user: User | AnonymousUser) -> bool:
    """Read the list of requests waiting for a decision."""
    return may_grant_at_once(user) or may_approve_case_content_roles(user)


def may_decide_grant(user: User | AnonymousUser, *, reaches_case_content: bool) -> bool:
    """Whether ``user``'s capability covers this kind of request (the four-eyes rule
    on top of it is the services')."""
    if reaches_case_content:
        return may_approve_case_content_roles(user)
    return may_grant_at_once(user)


def may_manage_api_tokens(user: User | AnonymousUser) -> bool:
    """Create sync clients, issue their API tokens, list and revoke them: the
    functional administrator."""
    return bool(user.has_perm(MANAGE_API_TOKENS))


def may_deactivate_users(user: User | AnonymousUser) -> bool:
    """Deactivate an account (its sessions end, its API tokens are revoked): the
    functional administrator."""
    return bool(user.has_perm(CHANGE_USER))


def may_lift_lockouts(user: User | AnonymousUser) -> bool:
    """See who is locked out after failed sign-ins and lift a lockout: the functional
    administrator."""
    return bool(user.has_perm(LIFT_LOCKOUT))
