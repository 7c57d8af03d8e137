"""Two-factor sign-in: TOTP devices (an authenticator app) and one-time backup codes,
with django-otp. Every human role must pass the second factor; API clients use
tokens instead (accounts/tokens.py)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from domain.errors import RuleViolation

TOTP_DEVICE_NAME = "Authenticator-app"
BACKUP_DEVICE_NAME = "Reservecodes"
BACKUP_CODE_COUNT = 10

CODE_WRONG = "Deze code is onjuist of verlopen. Probeer het opnieuw met een nieuwe code."
NO_DEVICE = "Er is nog geen tweede factor ingesteld voor dit account."


def totp_enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device the user is setting up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, request: HttpRequest, user, token: str) -> list[str]:
    """Confirm the new device with a code from the app; returns fresh backup codes.

    The session counts as verified from here on.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise RuleViolation(NO_DEVICE)
    if not device.verify_token(token.strip()):
        raise RuleViolation(CODE_WRONG)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    otp_login(request, device)
    return backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(*, user, codes: list[str] | None = None) -> list[str]:
    """Replace the user's backup codes; each works once. Returns them for showing once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = codes or [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _new_backup_code() -> str:
    return "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or (
        StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def second_factor_verify(*, request: HttpRequest, user, token: str) -> None:
    """Check a code from the app or a backup code; on success the session is verified.

    django-otp throttles each device after failures, so guessing does not pay."""
    token = token.strip().replace(" ", "")
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    if not devices:
        raise RuleViolation(NO_DEVICE)
    for device in devices:
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            otp_login(request, verified)
            return
    raise RuleViolation(CODE_WRONG)


def session_is_verified(user) -> bool:
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
