"""Backup codes (one-time second-factor codes): made, hashed and checked here.

Only a salted PBKDF2 hash of each code is stored (docs/adr/0013-sign-in-hardening.md):
a copy of the database, a backup or a DBA's query shows no usable code. The codes
are random (about 40 bits), not chosen by a person, so far fewer iterations than a
password hash suffice to make guessing them from a stolen hash a matter of months,
while checking a user's ten codes still fits in a sign-in request.

The models live here, next to their hashing, and are registered through
accounts/models.py. They replace django-otp's StaticDevice and StaticToken, which
kept the codes in clear text (migration 0004 hashed the ones it found).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

# Readable on paper and a phone: no 0/o, 1/l/i.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 8
# About 40 ms per code on one core of the production machine class.
HASH_ITERATIONS = 100_000
# The longest input worth hashing: codes from django-otp's StaticToken were at most 16.
MAX_CODE_LENGTH = 16

_hasher = PBKDF2PasswordHasher()


def backup_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def backup_code_normalise(code: str) -> str:
    """What the user typed, as it was hashed: case and spacing do not matter."""
    return "".join(code.split()).replace("-", "").lower()


def backup_code_hash(code: str) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hash>``, with a fresh salt per code."""
    return _hasher.encode(backup_code_normalise(code), _hasher.salt(), HASH_ITERATIONS)


def backup_code_matches(code: str, encoded: str) -> bool:
    """Constant-time check of ``code`` against one stored hash (any iteration count)."""
    code = backup_code_normalise(code)
    if not code or len(code) > MAX_CODE_LENGTH:
        return False
    return _hasher.verify(code, encoded)


# django-otp ships no type stubs.
class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """A user's set of backup codes, as one django-otp device (one per user).

    Failed codes slow further tries down (django-otp's throttling, doubling
    per failure), so a stolen password does not buy unlimited guesses.
    """

    # Device's own field, without a reverse accessor on User: nothing reads it, and the
    # type checker cannot type it (django-otp ships no type information).
    user: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The user that this device belongs to.",
    )

    class Meta:
        verbose_name = _("reservecodes")
        verbose_name_plural = _("reservecodes")
        constraints = [
            models.UniqueConstraint(fields=["user"], name="backupcodedevice_one_per_user")
        ]

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token: str) -> bool:
        """True once for each code: a matching code is deleted as it is used.

        django-otp calls this inside a transaction with the device row locked,
        so two requests cannot spend the same code.
        """
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        match = next(
            (code for code in self.codes.all() if backup_code_matches(token, code.code_hash)),
            None,
        )
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class BackupCode(models.Model):
    """One unused backup code, as a salted hash; deleted when used."""

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128, editable=False)

    class Meta:
        verbose_name = _("reservecode")
        verbose_name_plural = _("reservecodes")

    def __str__(self) -> str:
        return f"{_('reservecode')} #{self.pk}"
