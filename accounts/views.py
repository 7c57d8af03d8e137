"""Second-factor pages: verify a code after the password, or set up an authenticator."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from audit.services import second_factor_failure_record
from kernel.errors import RuleViolation

from . import services
from .forms import EnrolmentForm, ReauthenticationForm, SecondFactorForm
from .http import AuthenticatedRequest
from .services_invitations import activation_pending


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    if services.session_is_verified(request.user):
        return redirect(_next_url(request))
    if not services.has_second_factor(request.user):
        return redirect(f"{request.build_absolute_uri('/tweestaps/instellen/')}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_verify(
                request=request, user=request.user, token=form.cleaned_data["token"]
            )
        except RuleViolation as error:
            second_factor_failure_record(user=request.user, request=request)
            form.add_error("token", error.messages[0])
        else:
            return redirect(_next_url(request))
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: AuthenticatedRequest) -> HttpResponse:
    if services.has_second_factor(request.user):
        if not services.session_is_verified(request.user):
            # Someone with a password alone may not replace an existing second factor.
            return redirect("two_factor_verify")
        if not services.second_factor_replace_authorised(request):
            return _two_factor_reauthenticate(request)
    elif activation_pending(request.user):
        # After a reset the new authenticator is set up through the e-mailed link only:
        # the password alone (perhaps what was lost with the phone) does not suffice.
        return render(request, "accounts/activation_required.html", status=409)
    device = services.totp_enrolment_start(user=request.user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(
                request=request, user=request.user, token=form.cleaned_data["token"]
            )
        except RuleViolation as error:
            form.add_error("token", error.messages[0])
        else:
            return render(request, "accounts/backup_codes.html", {"codes": codes})
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
            "secret": _base32_secret(device.bin_key),
        },
        status=400 if form.errors else 200,
    )


def _two_factor_reauthenticate(request: AuthenticatedRequest) -> HttpResponse:
    """The first step of replacing a second factor: the password and a current code."""
    form = ReauthenticationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_replace_authorise(
                request=request,
                user=request.user,
                password=form.cleaned_data["password"],
                token=form.cleaned_data["token"],
            )
        except RuleViolation as error:
            # A wrong password or code while moving the second factor is worth the same
            # trace as a wrong code at sign-in.
            second_factor_failure_record(user=request.user, request=request)
            form.add_error(None, error.messages[0])
        else:
            return redirect("two_factor_enrol")
    return render(
        request,
        "accounts/two_factor_reauthenticate.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _base32_secret(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this once the failure limit is reached."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
