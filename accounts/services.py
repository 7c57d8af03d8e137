"""Two-factor sign-in: TOTP devices (an authenticator app) and one-time backup codes,
with django-otp. Every human role must pass the second factor; API clients use
tokens instead (accounts/tokens.py). Backup codes are stored hashed
(accounts/backup_codes.py); docs/adr/0013-sign-in-hardening.md has the reasons."""

from __future__ import annotations

import time

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kernel.errors import RuleViolation

from .backup_codes import BackupCode, BackupCodeDevice, backup_code_hash, backup_code_new
from .models import ProviderMfaDevice, User

TOTP_DEVICE_NAME = "Authenticator-app"
PROVIDER_MFA_DEVICE_NAME = "Amsterdam-account"
BACKUP_DEVICE_NAME = "Reservecodes"
BACKUP_CODE_COUNT = 10
# How long a confirmed password and code allow setting up a new authenticator.
REPLACE_AUTHORISED_SECONDS = 10 * 60
REPLACE_AUTHORISED_AT = "ipgar_second_factor_replace_authorised_at"

CODE_WRONG = _("Deze code is onjuist of verlopen. Probeer het opnieuw met een nieuwe code.")
NO_DEVICE = _("Er is nog geen tweede factor ingesteld voor dit account.")
REAUTHENTICATION_WRONG = _("Het wachtwoord of de code is onjuist.")
REPLACE_NOT_AUTHORISED = _(
    "Bevestig eerst met uw wachtwoord en een huidige code dat u uw tweede factor wilt vervangen."
)


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator device the user is setting up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, request: HttpRequest, user: User, token: str) -> list[str]:
    """Confirm the new device with a code from the app; returns fresh backup codes.

    Replacing an existing second factor needs second_factor_replace_authorise first.
    The session counts as verified from here on (under a new session key).
    """
    if has_second_factor(user) and not second_factor_replace_authorised(request):
        raise RuleViolation(REPLACE_NOT_AUTHORISED)
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise RuleViolation(NO_DEVICE)
    if not device.verify_token(token.strip()):
        raise RuleViolation(CODE_WRONG)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    request.session.pop(REPLACE_AUTHORISED_AT, None)
    _session_verified(request, device)
    return backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(
    *, user: User, codes: list[str] | None = None, count: int = BACKUP_CODE_COUNT
) -> list[str]:
    """Replace the user's backup codes; each works once. Returns them for showing once.

    Only their hashes are stored: the returned list is the one chance to see them.
    """
    device, _created = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = codes or [backup_code_new() for _ in range(count)]
    BackupCode.objects.bulk_create(
        [BackupCode(device=device, code_hash=backup_code_hash(code)) for code in codes]
    )
    return codes


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or (
        BackupCode.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def _device_for_code(user: User, token: str) -> Device | None:
    """The user's device that accepts ``token`` (a backup code is spent by this), or None.

    django-otp throttles each device after failures, so guessing does not pay."""
    token = token.strip().replace(" ", "")
    devices: list[Device] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *BackupCodeDevice.objects.filter(user=user, confirmed=True),
    ]
    if not devices:
        raise RuleViolation(NO_DEVICE)
    for device in devices:
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


def _session_verified(request: HttpRequest, device: Device) -> None:
    """Mark the session as past the second factor, under a new session key.

    The key someone may have seen or planted before the second step (a session
    fixation) is deleted with it and signs nobody in; the CSRF token is renewed
    too, as django.contrib.auth.login does for the first step."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> None:
    """Check a code from the app or a backup code; on success the session is verified."""
    verified = _device_for_code(user, token)
    if verified is None:
        raise RuleViolation(CODE_WRONG)
    _session_verified(request, verified)


@transaction.atomic
def provider_mfa_session_verify(*, request: HttpRequest, user: User) -> None:
    """Mark a session signed in through the identity provider as past the second factor,
    because the provider's ID token says it did multi-factor authentication
    (accounts/oidc.py decides that). The provider's device accepts no code."""
    device, _created = ProviderMfaDevice.objects.get_or_create(
        user=user, defaults={"name": PROVIDER_MFA_DEVICE_NAME, "confirmed": True}
    )
    _session_verified(request, device)


def second_factor_replace_authorise(
    *, request: HttpRequest, user: User, password: str, token: str
) -> None:
    """Allow this session to set up a new authenticator for a few minutes.

    Needs the password and a current code (from the app, or a backup code, which is
    spent), so a session left open, or taken over, cannot move the second factor to
    someone else's phone. A wrong password counts towards the lockout (django-axes).
    """
    signed_in = authenticate(request, username=user.get_username(), password=password)
    if signed_in is None or signed_in.pk != user.pk:
        raise RuleViolation(REAUTHENTICATION_WRONG)
    if _device_for_code(user, token) is None:
        raise RuleViolation(REAUTHENTICATION_WRONG)
    request.session[REPLACE_AUTHORISED_AT] = time.time()


def second_factor_replace_authorised(request: HttpRequest) -> bool:
    authorised_at = request.session.get(REPLACE_AUTHORISED_AT)
    return authorised_at is not None and time.time() - authorised_at < REPLACE_AUTHORISED_SECONDS


def session_is_verified(user: User | AnonymousUser) -> bool:
    """True once this session passed the second factor (OTPMiddleware sets is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def roles_sync(*, using: str = "default") -> None:
    """Create a group per role and give it exactly the permissions of ROLE_PERMISSIONS.

    Runs after every migrate, so a permission added to the table reaches the
    groups on the next deploy, and one removed is taken away again.
    """
    from django.contrib.auth.models import Group, Permission

    from .roles import ROLE_PERMISSIONS

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in wanted
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
