"""One's own account (sessions, a new password), the password reset by e-mail, and
the functional administrator's pages for deactivating an account and lifting
lockouts. The password pages are Django's views in the project's look; what
happens after them (sessions ended, the access log) is accounts.services_account's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kernel.views import service_form_page, success

from . import services_account
from .forms_account import DeactivateForm, LiftAddressForm, QueuedPasswordResetForm, SessionEndForm
from .http import AuthenticatedRequest
from .models import User
from .permissions import may_deactivate_users, may_lift_lockouts
from .sessions import session_end, sessions_open

ACCOUNT_TEMPLATE = "accounts/account.html"
LOCKOUTS_TEMPLATE = "accounts/lockouts.html"

PASSWORD_CHANGED = _("Uw wachtwoord is gewijzigd. Uw andere sessies zijn beëindigd.")
PASSWORD_RESET = _(
    "Uw wachtwoord is opnieuw ingesteld. Log in met het nieuwe wachtwoord; daarna vragen we "
    "zoals altijd om de code van uw tweede factor."
)
SESSION_ENDED = _("De sessie is beëindigd.")
OWN_SESSION_ENDED = _("Deze sessie is beëindigd. Log opnieuw in.")
USER_DEACTIVATED = _(
    "Het account van %(user)s is gedeactiveerd: alle sessies zijn beëindigd en alle "
    "API-tokens ingetrokken."
)
LOCKOUT_LIFTED = _("De blokkering van %(username)s is opgeheven.")
ADDRESS_LIFTED = _("De blokkering van het adres %(address)s is opgeheven.")
ONLY_DEACTIVATORS = _("Alleen de functioneel beheerder deactiveert accounts.")
ONLY_LOCKOUT_LIFTERS = _("Alleen de functioneel beheerder heft blokkeringen op.")


class _BadInputIs400:
    """Django's form views answer an invalid form with 200; here bad input is 400."""

    def form_invalid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 400
        return response


# --- one's own account ----------------------------------------------------------------


def _account_context(request: AuthenticatedRequest) -> dict[str, Any]:
    return {"sessions": sessions_open(user=request.user, current_key=request.session.session_key)}


@login_required
@require_GET
def account(request: AuthenticatedRequest) -> HttpResponse:
    """My account: links to a new password and a new second factor, and my sessions."""
    return render(request, ACCOUNT_TEMPLATE, _account_context(request))


@login_required
@require_POST
def session_end_view(request: AuthenticatedRequest) -> HttpResponse:
    form = SessionEndForm(request.POST)

    def ended(current: bool) -> HttpResponse:
        if current:
            logout(request)
            messages.info(request, OWN_SESSION_ENDED)
            return redirect("login")
        return success(request, SESSION_ENDED, redirect("account"))

    return service_form_page(
        request,
        form,
        lambda data: session_end(user=request.user, public_id=data["session"], request=request),
        done=ended,
        template=ACCOUNT_TEMPLATE,
        context=lambda: {**_account_context(request), "end_form": form},
    )


class PasswordChangeView(_BadInputIs400, auth_views.PasswordChangeView):
    """Django's password change (the current password, then the new one twice, checked
    by AUTH_PASSWORD_VALIDATORS); the session stays signed in and verified."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services_account.password_changed(user=form.user, request=self.request)
        messages.success(self.request, PASSWORD_CHANGED)
        return response


class PasswordResetView(_BadInputIs400, auth_views.PasswordResetView):
    """Ask for a reset link. The next page is the same whether the address is known."""

    form_class = QueuedPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(_BadInputIs400, auth_views.PasswordResetConfirmView):
    """Django's link check (single use, expiring) and new-password form. Nobody is signed
    in by it: the sign-in that follows asks for the second factor as always."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        with transaction.atomic():
            response = super().form_valid(form)
            services_account.password_reset_done(user=form.user, request=self.request)
        messages.success(self.request, PASSWORD_RESET)
        return response


# --- the functional administrator -------------------------------------------------------


@login_required
@require_POST
def user_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Deactivate an account from its page under /rollen/."""
    if not may_deactivate_users(request.user):
        raise PermissionDenied(ONLY_DEACTIVATORS)
    from .views_roles import USER_ROLES_TEMPLATE, _user_roles_context

    subject = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    form = DeactivateForm(request.POST)
    return service_form_page(
        request,
        form,
        lambda data: services_account.user_deactivate(
            user=subject, by=request.user, reason=data["reason"], request=request
        ),
        done=lambda user: success(
            request,
            USER_DEACTIVATED % {"user": user},
            redirect("accounts:user_roles", pk=subject.pk),
        ),
        template=USER_ROLES_TEMPLATE,
        context=lambda: _user_roles_context(request, subject, deactivate_form=form),
    )


def _lockouts_context(**forms: Any) -> dict[str, Any]:
    return {
        "lockouts": list(services_account.lockouts_current()),
        "addresses": services_account.addresses_blocked(),
        **forms,
    }


@login_required
@require_GET
def lockouts(request: AuthenticatedRequest) -> HttpResponse:
    """Current lockouts, each with a button that lifts it."""
    if not may_lift_lockouts(request.user):
        raise PermissionDenied(ONLY_LOCKOUT_LIFTERS)
    return render(request, LOCKOUTS_TEMPLATE, _lockouts_context())


@login_required
@require_POST
def lockout_lift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not may_lift_lockouts(request.user):
        raise PermissionDenied(ONLY_LOCKOUT_LIFTERS)
    form = forms.Form(request.POST)  # no input: the lockout is in the URL
    return service_form_page(
        request,
        form,
        lambda data: services_account.lockout_lift(attempt_id=pk, by=request.user, request=request),
        done=lambda attempt: success(
            request,
            LOCKOUT_LIFTED % {"username": attempt.username},
            redirect("accounts:lockouts"),
        ),
        template=LOCKOUTS_TEMPLATE,
        context=lambda: _lockouts_context(lift_form=form),
    )


@login_required
@require_POST
def address_lift(request: AuthenticatedRequest) -> HttpResponse:
    if not may_lift_lockouts(request.user):
        raise PermissionDenied(ONLY_LOCKOUT_LIFTERS)
    form = LiftAddressForm(request.POST)
    return service_form_page(
        request,
        form,
        lambda data: services_account.address_block_lift(
            address=data["address"], by=request.user, request=request
        ),
        done=lambda _count: success(
            request,
            ADDRESS_LIFTED % {"address": form.cleaned_data["address"]},
            redirect("accounts:lockouts"),
        ),
        template=LOCKOUTS_TEMPLATE,
        context=lambda: _lockouts_context(lift_form=form),
    )
