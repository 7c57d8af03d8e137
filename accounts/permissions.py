"""Who may do what with roles: one predicate per capability, over the permissions the
role groups hold (accounts/roles.py ROLE_PERMISSIONS). Views, the menu and the role
services ask these; none of them names a role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .roles import is_programme_team_user, user_role_names

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

REQUEST_ROLE = "accounts.request_role"
GRANT_ROLE = "accounts.grant_role"
APPROVE_CASE_CONTENT_ROLE = "accounts.approve_case_content_role"
MANAGE_API_TOKENS = "accounts.add_apitoken"
INVITE_USER = "accounts.invite_user"
RESET_SECOND_FACTOR = "accounts.reset_second_factor"
RESET_CASE_TEAM_SECOND_FACTOR = "accounts.reset_case_team_second_factor"
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


LINK_OIDC_ACCOUNT = "accounts.link_oidc_account"


def may_link_oidc_accounts(user: User | AnonymousUser) -> bool:
    """Link a person's account to their Amsterdam-account (sign-in through the identity
    provider): the functional administrator."""
    return bool(user.has_perm(LINK_OIDC_ACCOUNT))


def may_invite_users(user: User | AnonymousUser) -> bool:
    """Invite a new user, see the pending invitations, resend or withdraw one: the
    functional administrator."""
    return bool(user.has_perm(INVITE_USER))


def may_reset_second_factors(user: User | AnonymousUser) -> bool:
    """Reset someone's lost second factor, for some users at least: the functional
    administrator (anyone) and the programme team (its own users)."""
    return bool(user.has_perm(RESET_SECOND_FACTOR) or user.has_perm(RESET_CASE_TEAM_SECOND_FACTOR))


def may_reset_second_factor_of(user: User | AnonymousUser, subject: User) -> bool:
    """Reset ``subject``'s second factor: the functional administrator for anyone, the
    programme team for someone holding only roles whose access it approves
    (accounts.roles.is_programme_team_user). Never one's own (the services' rule)."""
    if user.has_perm(RESET_SECOND_FACTOR):
        return True
    return bool(user.has_perm(RESET_CASE_TEAM_SECOND_FACTOR)) and is_programme_team_user(
        user_role_names(subject)
    )


def may_deactivate_users(user: User | AnonymousUser) -> bool:
    """Deactivate an account (its sessions end, its API tokens are revoked): the
    functional administrator."""
    return bool(user.has_perm(CHANGE_USER))


def may_lift_lockouts(user: User | AnonymousUser) -> bool:
    """See who is locked out after failed sign-ins and lift a lockout: the functional
    administrator."""
    return bool(user.has_perm(LIFT_LOCKOUT))
