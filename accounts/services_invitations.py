"""Invitations and lost second factors: one-time activation links by e-mail.

- The functional administrator invites a user (name, e-mail, organisation). The
  account is inactive and has no usable password: nobody but its owner ever knows
  one. The owner opens the link, sets a password and enrols the second factor in
  one step, and is signed in.
- A lost second factor: the functional administrator (anyone) or the programme team
  (its own users) removes the user's devices with a recorded reason; the user keeps
  the password and enrols a new authenticator through a fresh link. The access log
  holds the reset and the user is told by e-mail.

Only a SHA-256 hash of a link's secret is stored. A link works once, until it
expires (settings.ACTIVATION_LINK_HOURS), and only while it is the user's open link:
a resend replaces it, a withdrawal ends it
(docs/adr/0017-invitations-and-second-factor-reset.md).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.history import history_context
from audit.models import AccessLog
from audit.services import access_record, second_factor_reset_record
from kernel.errors import RuleViolation

from .backup_codes import BackupCodeDevice
from .models import ActivationLink, ActivationLinkKind, ActivationLinkStatus, Organisation, User
from .permissions import may_invite_users, may_reset_second_factor_of
from .roles import is_machine_account, user_role_names
from .services import CODE_WRONG, TOTP_DEVICE_NAME, _session_verified, backup_codes_replace

ONLY_INVITERS = _("Alleen de functioneel beheerder nodigt gebruikers uit.")
NAME_REQUIRED = _("Vul de naam in.")
EMAIL_INVALID = _("Vul een geldig e-mailadres in.")
EMAIL_TAKEN = _("Er is al een account met dit e-mailadres.")
INVITATION_NOT_OPEN = _(
    "Deze uitnodiging is al gebruikt, vervangen of ingetrokken: er is niets meer te doen."
)
RESET_NOT_ALLOWED = _(
    "Alleen de functioneel beheerder, of het programmateam voor zijn eigen gebruikers, "
    "reset een tweede factor."
)
RESET_NOT_OWN_ACCOUNT = _(
    "U kunt de tweede factor van uw eigen account niet resetten: dat doet een collega."
)
RESET_INACTIVE = _(
    "Dit account is niet actief. Een openstaande uitnodiging stuurt u opnieuw op de "
    "pagina Uitnodigingen."
)
RESET_MACHINE_ACCOUNT = _("Een koppeling logt in met een API-token, niet met een tweede factor.")
RESET_REASON_REQUIRED = _("Geef een reden op.")
LINK_INVALID = _(
    "Deze link werkt niet (meer): hij is verlopen, al gebruikt of vervangen door een "
    "nieuwere. Vraag de functioneel beheerder om een nieuwe."
)
PASSWORDS_DIFFER = _("De twee wachtwoorden zijn niet gelijk.")
PASSWORD_WRONG = _("Dit wachtwoord is onjuist.")

INVITATION_SUBJECT = _("Uitnodiging voor ipgar")
RESET_SUBJECT = _("Uw tweede factor voor ipgar is gereset")

NAME_MAX_LENGTH = 150
REASON_MAX_LENGTH = 2000


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("activate", kwargs={"token": token}))


def activation_link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ACTIVATION_LINK_HOURS)


def _link_new(
    *, user: User, kind: ActivationLinkKind, by: User, reason: str = ""
) -> tuple[ActivationLink, str]:
    """A fresh open link for ``user``; returns it with its secret (never stored)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ActivationLink.objects.create(
        user=user,
        kind=kind,
        token_hash=_token_hash(token),
        reason=reason,
        created_at=now,
        created_by=by,
        expires_at=now + activation_link_lifetime(),
    )
    return link, token


def _close(link: ActivationLink, status: ActivationLinkStatus, by: User | None) -> None:
    link.status = status
    link.closed_at = timezone.now()
    link.closed_by = by
    link.save(update_fields=["status", "closed_at", "closed_by"])


def _close_open_links(user: User, by: User) -> None:
    for link in ActivationLink.objects.select_for_update().open().filter(user=user):
        _close(link, ActivationLinkStatus.REPLACED, by)


def _mail_on_commit(*, link: ActivationLink, token: str, request: HttpRequest, by: User) -> None:
    """Send the link after the transaction commits: no mail for a refused change."""
    invitation = link.kind == ActivationLinkKind.INVITATION
    context: dict[str, Any] = {
        "user": link.user,
        "url": _link_url(request, token),
        "expires_at": timezone.localtime(link.expires_at),
        "by": by,
        "reason": link.reason,
    }
    template = "accounts/email/invitation.txt" if invitation else "accounts/email/reset.txt"
    subject = str(INVITATION_SUBJECT if invitation else RESET_SUBJECT)
    body = render_to_string(template, context)
    address = link.user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


def _text(value: str, *, field: str, message: Any, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value[:max_length]


# --- invitations ------------------------------------------------------------------


@transaction.atomic
def user_invite(
    *,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation,
    by: User,
    request: HttpRequest,
) -> ActivationLink:
    """Create an inactive account without a usable password and e-mail its owner a
    one-time activation link. The e-mail address is the username."""
    if not may_invite_users(by):
        raise RuleViolation(ONLY_INVITERS)
    first_name = _text(
        first_name, field="first_name", message=NAME_REQUIRED, max_length=NAME_MAX_LENGTH
    )
    last_name = _text(
        last_name, field="last_name", message=NAME_REQUIRED, max_length=NAME_MAX_LENGTH
    )
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": EMAIL_INVALID}) from None
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise ValidationError({"email": EMAIL_TAKEN})
    with history_context(user=by.pk):
        user = User(
            username=email.lower(),
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
        link, token = _link_new(user=user, kind=ActivationLinkKind.INVITATION, by=by)
    access_record(user=by, obj=user, action=AccessLog.Action.CREATE, request=request)
    _mail_on_commit(link=link, token=token, request=request, by=by)
    return link


def _open_invitation(link: ActivationLink, by: User) -> ActivationLink:
    if not may_invite_users(by):
        raise RuleViolation(ONLY_INVITERS)
    link = ActivationLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    if link.kind != ActivationLinkKind.INVITATION or link.status != ActivationLinkStatus.OPEN:
        raise RuleViolation(INVITATION_NOT_OPEN)
    return link


@transaction.atomic
def invitation_resend(*, link: ActivationLink, by: User, request: HttpRequest) -> ActivationLink:
    """A new link for a pending invitation (expired or not); the old one stops working."""
    with history_context(user=by.pk):
        link = _open_invitation(link, by)
        _close(link, ActivationLinkStatus.REPLACED, by)
        new, token = _link_new(user=link.user, kind=ActivationLinkKind.INVITATION, by=by)
    _mail_on_commit(link=new, token=token, request=request, by=by)
    return new


@transaction.atomic
def invitation_withdraw(*, link: ActivationLink, by: User) -> ActivationLink:
    """End a pending invitation: the link stops working, the account stays inactive."""
    with history_context(user=by.pk):
        link = _open_invitation(link, by)
        _close(link, ActivationLinkStatus.WITHDRAWN, by)
    return link


# --- a lost second factor -----------------------------------------------------------


@transaction.atomic
def second_factor_reset(
    *, user: User, by: User, reason: str, request: HttpRequest
) -> ActivationLink:
    """Remove ``user``'s authenticator and backup codes and e-mail a fresh link to
    enrol new ones. The password stays; the reset and its reason are in the access log."""
    reason = _text(
        reason, field="reason", message=RESET_REASON_REQUIRED, max_length=REASON_MAX_LENGTH
    )
    if user.pk == by.pk:
        raise RuleViolation(RESET_NOT_OWN_ACCOUNT)
    if not may_reset_second_factor_of(by, user):
        raise RuleViolation(RESET_NOT_ALLOWED)
    with history_context(user=by.pk):
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise RuleViolation(RESET_INACTIVE)
        if is_machine_account(user_role_names(user)):
            raise RuleViolation(RESET_MACHINE_ACCOUNT)
        # Sessions verified with a removed device are no longer verified (django-otp
        # finds no device), so they are sent back to the second step.
        TOTPDevice.objects.filter(user=user).delete()
        BackupCodeDevice.objects.filter(user=user).delete()
        _close_open_links(user, by)
        link, token = _link_new(
            user=user, kind=ActivationLinkKind.SECOND_FACTOR_RESET, by=by, reason=reason
        )
    second_factor_reset_record(by=by, subject=user, reason=reason, request=request)
    _mail_on_commit(link=link, token=token, request=request, by=by)
    return link


# --- the link's owner ---------------------------------------------------------------


def activation_link_find(token: str) -> ActivationLink | None:
    """The open, unexpired link with this secret, or None."""
    link = (
        ActivationLink.objects.select_related("user")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    return link if link is not None and link.is_usable() else None


def activation_enrolment_start(link: ActivationLink) -> TOTPDevice:
    """The unconfirmed authenticator the link's owner scans (one at a time)."""
    device = TOTPDevice.objects.filter(user=link.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=link.user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def activation_complete(
    *,
    request: HttpRequest,
    token: str,
    password: str,
    password_again: str = "",
    code: str,
) -> list[str]:
    """The owner's step: a new password (an invitation) or the current one (a reset),
    and a code from the new authenticator. Signs the user in with both factors and
    returns fresh backup codes, shown once."""
    link = activation_link_find(token)
    if link is None:
        raise RuleViolation(LINK_INVALID)
    if link.kind == ActivationLinkKind.SECOND_FACTOR_RESET:
        # Outside the transaction below: a wrong password counts towards the lockout
        # (django-axes), which a rollback would undo.
        signed_in = authenticate(request, username=link.user.get_username(), password=password)
        if signed_in is None or signed_in.pk != link.user_id:
            raise ValidationError({"password": PASSWORD_WRONG})
    return _activation_finish(
        request=request, link=link, password=password, password_again=password_again, code=code
    )


@transaction.atomic
def _activation_finish(
    *, request: HttpRequest, link: ActivationLink, password: str, password_again: str, code: str
) -> list[str]:
    link = ActivationLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    if not link.is_usable():  # used or replaced by a request at the same moment
        raise RuleViolation(LINK_INVALID)
    user = link.user
    invitation = link.kind == ActivationLinkKind.INVITATION
    if invitation:
        if password != password_again:
            raise ValidationError({"password_again": PASSWORDS_DIFFER})
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((code or "").strip()):
        raise ValidationError({"code": CODE_WRONG})
    with history_context(user=user.pk):
        if invitation:
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        _close(link, ActivationLinkStatus.USED, user)
    login(request, user, backend="accounts.backends.RoleBackend")
    _session_verified(request, device)
    return backup_codes_replace(user=user)


def activation_pending(user: User) -> bool:
    """Whether ``user`` waits to enrol through an e-mailed link (after a reset): then
    the password alone does not set up a new authenticator."""
    return ActivationLink.objects.open().filter(user=user).exists()
