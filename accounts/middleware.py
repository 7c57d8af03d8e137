"""Sign-in policy applied to every request of a signed-in person:

- the second factor is required before anything else is served;
- a session ends after SESSION_ABSOLUTE_SECONDS, however active;
- it ends after SESSION_COOKIE_AGE without activity (Django's expiry): activity
  moves the expiry on by saving the session, at most once per
  SESSION_REFRESH_SECONDS, so a burst of requests costs one write instead of a
  write (and a commit) each; the idle timeout is then exact to that minute;
- no answer to a signed-in person is stored by the browser or a proxy
  (``Cache-Control: no-store``): after signing out, the back button and a shared
  computer's cache show no case content. Static files are not concerned (WhiteNoise
  serves them before this middleware runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from .roles import Role, user_has_role
from .services import session_is_verified
from .signed_in import signed_in_device

SIGNED_IN_AT = "ipgar_signed_in_at"
REFRESHED_AT = "ipgar_refreshed_at"

# Paths an authenticated but not yet verified user may reach.
STATIC_PREFIX = "/static/"
OPEN_PREFIXES = (STATIC_PREFIX, "/healthz", "/i18n/", "/api/")
# An activation link (accounts/views_invitations.py) enrols the second factor itself.
ACTIVATION_PREFIX = "/activeren/"
NO_STORE = "no-store"
SESSION_EXPIRED = _("Uw sessie is verlopen. Log opnieuw in.")
NO_WEB_FOR_SYNC_CLIENTS = _("Synchronisatieclients gebruiken de API, niet de website.")


class SignInPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = self._apply_policy(request)
        # An answer that already says exactly ``no-store`` (a document download) keeps
        # it: the strictest directive alone, without the redundant rest.
        if (
            signed_in
            and not request.path.startswith(STATIC_PREFIX)
            and response.get("Cache-Control") != NO_STORE
        ):
            add_never_cache_headers(response)
        return response

    def _apply_policy(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if user_has_role(user, Role.SYNC_CLIENT):
                # A sync client is not a person: it has a token, never a web session.
                logout(request)
                return HttpResponseForbidden(str(NO_WEB_FOR_SYNC_CLIENTS))
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, SESSION_EXPIRED)
                return redirect(f"{reverse('login')}?next={request.path}")
            verified = session_is_verified(user)
            if (
                not verified
                and request.path not in self._second_factor_paths()
                and not request.path.startswith(ACTIVATION_PREFIX)
            ):
                return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
            now = time.time()
            if now - request.session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[REFRESHED_AT] = now  # saved, with a new expiry
        return self.get_response(request)

    @staticmethod
    def _second_factor_paths() -> set[str]:
        return {
            reverse("two_factor_verify"),
            reverse("two_factor_enrol"),
            reverse("logout"),
            reverse("login"),
        }


class SecondFactorMiddleware(OTPMiddleware):  # type: ignore[misc]  # no type stubs
    """django-otp's middleware (``user.otp_device``, ``user.is_verified()``), with the
    session's device read from the signed-in user's cache entry (accounts/signed_in.py)
    instead of the database on every request; django-otp still checks that it is the
    user's and confirmed."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = (
                signed_in_device(user, self._normalize_persistent_id(persistent_id))
                if persistent_id
                else None
            )
            user.otp_device = self._finalize_device(request, user, device)
        return user
