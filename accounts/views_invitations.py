"""Invitations (the functional administrator's page: invite, resend, withdraw), a
second-factor reset (from a user's role page), and the activation link's page where
the owner sets a password and enrols the second factor. Thin: who may comes from
accounts.permissions, the rules and the writes from accounts.services_invitations."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kernel.forms import call_service, form_status
from kernel.views import service_form_page, success

from . import services_invitations
from .forms_invitations import ActivationForm, InvitationForm, SecondFactorResetForm
from .http import AuthenticatedRequest
from .models import ActivationLink, ActivationLinkKind, User
from .permissions import may_invite_users, may_reset_second_factor_of
from .selectors import pending_invitations
from .views import _base32_secret
from .views_roles import (
    RESET_FORM_IDS,
    USER_ROLES_TEMPLATE,
    _require_role_manager,
    _user_roles_context,
)

INVITATIONS_TEMPLATE = "accounts/invitations.html"
ONLY_INVITERS = _("Alleen de functioneel beheerder nodigt gebruikers uit.")
INVITED = _(
    "%(user)s is uitgenodigd: de activatielink is verstuurd naar %(email)s. Vraag nu de "
    "rollen aan die %(user)s nodig heeft."
)
RESENT = _("Er is een nieuwe activatielink verstuurd naar %(email)s; de vorige werkt niet meer.")
WITHDRAWN = _("De uitnodiging van %(user)s is ingetrokken; het account blijft inactief.")
RESET_DONE = _(
    "De tweede factor van %(user)s is verwijderd. %(user)s krijgt per e-mail een link om "
    "een nieuwe in te stellen."
)


def _require_inviter(user: Any) -> None:
    if not may_invite_users(user):
        raise PermissionDenied(ONLY_INVITERS)


def _invitations_context(form: InvitationForm, errors: list[Any] | None = None) -> dict[str, Any]:
    return {
        "form": form,
        "invitations": pending_invitations(),
        "now": timezone.now(),
        "errors": errors or [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: AuthenticatedRequest) -> HttpResponse:
    """The pending invitations; the form invites someone new."""
    _require_inviter(request.user)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    return service_form_page(
        request,
        form,
        lambda data: services_invitations.user_invite(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation=data["organisation"],
            by=request.user,
            request=request,
        ),
        done=lambda link: success(
            request,
            INVITED % {"user": link.user, "email": link.user.email},
            redirect("accounts:user_roles", pk=link.user_id),
        ),
        template=INVITATIONS_TEMPLATE,
        context=lambda: _invitations_context(form),
    )


def _invitation_action(request: AuthenticatedRequest, pk: int, *, withdraw: bool) -> HttpResponse:
    _require_inviter(request.user)
    link = get_object_or_404(ActivationLink.objects.select_related("user"), pk=pk)
    form = forms.Form(data={})  # carries no input; holds a refusal
    if withdraw:
        outcome = call_service(
            form, lambda: services_invitations.invitation_withdraw(link=link, by=request.user)
        )
        message = WITHDRAWN % {"user": link.user}
    else:
        outcome = call_service(
            form,
            lambda: services_invitations.invitation_resend(
                link=link, by=request.user, request=request
            ),
        )
        message = RESENT % {"email": link.user.email}
    if outcome.ok:
        messages.success(request, message)
        return redirect("accounts:invitations")
    errors = [error for errors in form.errors.values() for error in errors]
    return render(
        request,
        INVITATIONS_TEMPLATE,
        _invitations_context(InvitationForm(), errors),
        status=form_status(form, outcome),
    )


@login_required
@require_POST
def invitation_resend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _invitation_action(request, pk, withdraw=False)


@login_required
@require_POST
def invitation_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _invitation_action(request, pk, withdraw=True)


@login_required
@require_POST
def second_factor_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remove a user's lost second factor, from the user's role page."""
    _require_role_manager(request.user)
    subject = get_object_or_404(User.objects.select_related("organisation"), pk=pk)
    if not may_reset_second_factor_of(request.user, subject):
        raise PermissionDenied(services_invitations.RESET_NOT_ALLOWED)
    form = SecondFactorResetForm(request.POST, auto_id=RESET_FORM_IDS)
    return service_form_page(
        request,
        form,
        lambda data: services_invitations.second_factor_reset(
            user=subject, by=request.user, reason=data["reason"], request=request
        ),
        done=lambda _link: success(
            request, RESET_DONE % {"user": subject}, redirect("accounts:user_roles", pk=subject.pk)
        ),
        template=USER_ROLES_TEMPLATE,
        context=lambda: _user_roles_context(request, subject, reset_form=form),
    )


# --- the owner of the link (not signed in) --------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password (an invitation) and enrol the second factor; then signed in.

    Never cached: the page shows the authenticator's secret."""
    link = services_invitations.activation_link_find(token)
    if link is None:
        return render(request, "accounts/activation_invalid.html", status=404)
    invitation = link.kind == ActivationLinkKind.INVITATION
    form = ActivationForm(
        request.POST if request.method == "POST" else None, new_password=invitation
    )

    def done(codes: list[str]) -> HttpResponse:
        return render(request, "accounts/backup_codes.html", {"codes": codes, "activated": True})

    def page() -> dict[str, Any]:
        device = services_invitations.activation_enrolment_start(link)
        qr = segno.make(device.config_url, error="m")
        return {
            "form": form,
            "link": link,
            "invitation": invitation,
            "qr_data_uri": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
            "secret": _base32_secret(device.bin_key),
        }

    return service_form_page(
        request,
        form,
        lambda data: services_invitations.activation_complete(
            request=request,
            token=token,
            password=data["password"],
            password_again=data.get("password_again", ""),
            code=data["code"],
        ),
        done=done,
        template="accounts/activate.html",
        context=page,
    )
