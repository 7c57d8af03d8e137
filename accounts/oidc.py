"""Sign-in through the municipality's identity provider (OpenID Connect), beside local
accounts: mozilla-django-oidc does the authorization code flow (with PKCE and a nonce);
this module decides who that is and how far the provider's word goes
(docs/adr/0016-oidc-sign-in.md):

- the person is the account whose ``oidc_subject`` is the ID token's ``sub``, set by
  the functional administrator on the user's page; nobody is created on the fly, and
  a subject no active account carries is refused and recorded in the access log;
- the claims come from the signed ID token, whose issuer and audience are checked
  here (the library checks signature, expiry and nonce);
- the local second factor is skipped only when the ID token says the provider did
  multi-factor authentication (``amr`` or ``acr``, settings IPGAR_OIDC_MFA_AMR and
  IPGAR_OIDC_MFA_ACR); otherwise the person continues to the local second step.

Off unless OIDC_OP_ISSUER is set (ipgar/settings/base.py): the views then answer 404
and the sign-in page offers no provider.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from audit.services import sign_in_refused_record

from .services import provider_mfa_session_verify
from .signed_in import signed_in_user

logger = logging.getLogger(__name__)

# Session key: this session was signed in through the identity provider.
SIGNED_IN_WITH_PROVIDER = "ipgar_oidc_signed_in"
# mozilla-django-oidc keeps the ID token here (OIDC_STORE_ID_TOKEN), the hint for sign-out.
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105  (a session key, not a secret)

NO_ACCOUNT = _(
    "Er is geen actief account in deze applicatie gekoppeld aan uw Amsterdam-account. "
    "Een account krijgt u alleen op uitnodiging: vraag de functioneel beheerder om uw "
    "Amsterdam-account aan uw account te koppelen."
)
SIGN_IN_FAILED = _(
    "Inloggen met uw Amsterdam-account is niet gelukt. Probeer het opnieuw, of log in "
    "met uw gebruikersnaam en wachtwoord."
)


def oidc_enabled() -> bool:
    return bool(getattr(settings, "IPGAR_OIDC_ENABLED", False))


def provider_did_mfa(claims: Mapping[str, Any]) -> bool:
    """Whether the ID token says the provider did multi-factor authentication: one of
    the ``amr`` values in IPGAR_OIDC_MFA_AMR, or an ``acr`` in IPGAR_OIDC_MFA_ACR."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.IPGAR_OIDC_MFA_AMR):
        return True
    acr = claims.get("acr")
    return bool(acr) and acr in settings.IPGAR_OIDC_MFA_ACR


# mozilla-django-oidc ships no type stubs.
class OidcBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Finds the invited account by the ``sub`` claim; never creates one. It signs people
    in and answers no permission question: those come from the roles alone
    (accounts.backends.RoleBackend), without the queries of the ModelBackend it extends."""

    def get_user(self, user_id: Any) -> Any:
        # As RoleBackend: the signed-in user from the cache (accounts/signed_in.py).
        return signed_in_user(user_id)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as error:
            # A token that does not verify, or a provider that does not answer: the
            # callback shows the refusal page (no traceback, no account).
            logger.warning("Sign-in through the identity provider failed: %s", error)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as error:  # expired, not yet valid, malformed
            raise SuspiciousOperation(f"ID token refused: {error}") from error
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        audiences = payload.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several clients without this one as azp")
        if "exp" not in payload or not payload.get("sub"):
            raise SuspiciousOperation("ID token without exp or sub")
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        # The verified ID token holds what is needed (sub, amr, acr); the person's name
        # and address are the invited account's, so the userinfo endpoint is not asked.
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(oidc_subject=claims["sub"], is_active=True)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        request = self.request
        if user is None:
            sign_in_refused_record(subject=str(payload["sub"]), request=request)
            request.ipgar_oidc_refused = True
        else:
            request.ipgar_oidc_claims = payload
        return user


class _Callback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    def login_failure(self) -> HttpResponse:
        refused = getattr(self.request, "ipgar_oidc_refused", False)
        return render(
            self.request,
            "registration/oidc_refused.html",
            {"message": NO_ACCOUNT if refused else SIGN_IN_FAILED},
            status=403,
        )

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        request = self.request
        request.session[SIGNED_IN_WITH_PROVIDER] = True
        if provider_did_mfa(getattr(request, "ipgar_oidc_claims", {})):
            provider_mfa_session_verify(request=request, user=self.user)
        return response


_authenticate_view = OIDCAuthenticationRequestView.as_view()
_callback_view = _Callback.as_view()


def oidc_authenticate(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider (404 when none is configured)."""
    if not oidc_enabled():
        raise Http404
    response: HttpResponse = _authenticate_view(request)
    return response


def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back with a code."""
    if not oidc_enabled():
        raise Http404
    response: HttpResponse = _callback_view(request)
    return response


def end_session_url(request: HttpRequest) -> str | None:
    """The provider's sign-out address for a session signed in through it, when the
    provider has one (OIDC_OP_LOGOUT_ENDPOINT); read before the local session ends."""
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    if not (oidc_enabled() and endpoint and request.session.get(SIGNED_IN_WITH_PROVIDER)):
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(params)}"
