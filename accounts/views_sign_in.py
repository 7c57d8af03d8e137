"""The sign-in and sign-out pages: Django's own, with the identity provider beside the
password when one is configured (accounts/oidc.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from .oidc import end_session_url, oidc_enabled


class SignInView(auth_views.LoginView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_enabled()
        return context


class SignOutView(auth_views.LogoutView):
    """Ends the local session; a session signed in through the identity provider then
    goes on to the provider's sign-out, which ends the provider's session too and
    sends the browser back to the sign-in page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_sign_out = end_session_url(request)
        response = super().post(request, *args, **kwargs)
        if provider_sign_out:
            return HttpResponseRedirect(provider_sign_out)
        return response
