"""API tokens for sync clients: issue, revoke, authenticate, and check scopes.

A token reads ``<prefix>.<secret>``; the prefix finds the row, the secret is
compared by hash in constant time. Scopes are ``"<resource>:read"`` or
``"<resource>:write"`` (write implies read).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from .models import ApiToken, Organisation, User
from .roles import Role, user_has_role
from .services import session_is_verified
from .services_roles import role_grant_request

if TYPE_CHECKING:  # rest_framework.views reads the settings, which name this module
    from rest_framework.request import Request
    from rest_framework.views import APIView

AUTH_HEADER_KEYWORD = "Token"
# "Last used" is written at most once a minute (the sync clients page shows it to the
# minute): a sync reads hundreds of pages, and a write on each was a commit per page.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
KEY_INVALID = _("Ongeldig API-token.")
KEY_EXPIRED = _("Dit API-token is verlopen.")
KEY_REVOKED = _("Dit API-token is ingetrokken.")
SCOPE_MISSING = _("Dit API-token heeft geen recht op deze handeling ({scope}).")
SCOPE_UNKNOWN = _("Onbekend recht: {scope}.")
EXPIRY_IN_PAST = _("De vervaldatum moet in de toekomst liggen.")
EXPIRY_TOO_FAR = _("Een API-token is hooguit een jaar geldig.")
CLIENT_NOT_SYNC = _("Alleen een synchronisatieclient kan een API-token krijgen.")
TOKEN_NAME_REQUIRED = _("Geef het token een naam, bijvoorbeeld het systeem dat het gebruikt.")
SCOPES_REQUIRED = _("Kies ten minste één recht.")
CLIENT_NAME_REQUIRED = _("Geef de koppeling een naam.")
CLIENT_NAME_TAKEN = _("Er bestaat al een gebruiker met de naam {username}.")
CLIENT_REASON = _("Koppeling voor {name}: een systeem dat via de API synchroniseert.")

MAX_LIFETIME = datetime.timedelta(days=366)
# Resources of /api/v1/ that a token can be scoped to.
RESOURCES = (
    "organisations",
    "regisseurs",
    "cases",
    "persons",
    "team-members",
    "plans",
    "meetings",
    "assessments",
    "evaluations",
    "exits",
    "escalations",
    "caseload-reviews",
    "changes",
    "webhooks",
    "documents",
)
SCOPES = frozenset(f"{r}:{mode}" for r in RESOURCES for mode in ("read", "write"))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *, client: Any, name: str, scopes: list[str], expires_at: datetime.datetime, by: Any
) -> tuple[ApiToken, str]:
    """Issue a token; returns it with the plaintext key, which is never stored."""
    if not user_has_role(client, Role.SYNC_CLIENT):
        raise ValidationError(CLIENT_NOT_SYNC, code="client")
    name = name.strip()
    if not name:
        raise ValidationError(TOKEN_NAME_REQUIRED, code="name")
    if not scopes:
        raise ValidationError(SCOPES_REQUIRED, code="scopes")
    unknown = sorted(set(scopes) - SCOPES)
    if unknown:
        raise ValidationError(SCOPE_UNKNOWN.format(scope=", ".join(unknown)), code="scopes")
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError(EXPIRY_IN_PAST, code="expiry")
    if expires_at - now > MAX_LIFETIME:
        raise ValidationError(EXPIRY_TOO_FAR, code="expiry")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        client=client,
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=by,
    )
    return token, f"{prefix}.{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    """Revoke ``token`` from its next request on; revoking twice changes nothing.
    ``by`` is the person who revoked it (None from the command line)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def sync_client_username(name: str) -> str:
    return "sync-" + slugify(name)[:140]


@transaction.atomic
def sync_client_create(*, name: str, organisation: Organisation, by: User) -> User:
    """A machine account for a system that synchronises through the API: it has no
    password (it can never sign in to the web pages) and holds only the sync-client
    role, given through the recorded role flow (granted at once by the functional
    administrator: the role reaches no case content through the web)."""
    name = name.strip()
    if not name or not slugify(name):
        raise ValidationError(CLIENT_NAME_REQUIRED, code="name")
    username = sync_client_username(name)
    if User.objects.filter(username=username).exists():
        raise ValidationError(CLIENT_NAME_TAKEN.format(username=username), code="name")
    client = User(username=username, first_name=name[:150], organisation=organisation)
    client.set_unusable_password()
    client.save()
    role_grant_request(
        user=client, role=Role.SYNC_CLIENT, by=by, reason=CLIENT_REASON.format(name=name)
    )
    return client


def api_token_check(key: str) -> ApiToken:
    """The live token for ``key``, or AuthenticationFailed with a Dutch reason."""
    prefix, _, secret = key.partition(".")
    token = ApiToken.objects.select_related("client").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise exceptions.AuthenticationFailed(KEY_INVALID)
    if token.revoked_at is not None:
        raise exceptions.AuthenticationFailed(KEY_REVOKED)
    if token.expires_at <= timezone.now():
        raise exceptions.AuthenticationFailed(KEY_EXPIRED)
    if not token.client.is_active:
        raise exceptions.AuthenticationFailed(KEY_INVALID)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class ScopedTokenAuthentication(authentication.TokenAuthentication):
    keyword = AUTH_HEADER_KEYWORD

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = api_token_check(key)
        return token.client, token


def token_allows(token: ApiToken, resource: str, *, write: bool) -> bool:
    scopes = set(token.scopes)
    return f"{resource}:write" in scopes or (not write and f"{resource}:read" in scopes)


class TokenHasScope(permissions.BasePermission):
    """For token requests: the view's ``scope_resource`` must be in the token's scopes.

    Session (browser) requests are not limited by scopes; their role and object
    permissions apply as everywhere else.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        resource = getattr(view, "scope_resource", None)
        if resource is None:
            return False
        write = request.method not in permissions.SAFE_METHODS
        if token_allows(token, resource, write=write):
            return True
        self.message = SCOPE_MISSING.format(scope=f"{resource}:{'write' if write else 'read'}")
        return False


class TokenOrVerifiedSession(permissions.BasePermission):
    """A sync client's token, or a person's session past the second factor.

    /api/ is open before the second factor (accounts.middleware), so a session with
    the password alone must be refused here."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, ApiToken):
            return True
        return session_is_verified(request.user)
