"""Linking a person's account to their Amsterdam-account at the identity provider
(accounts/oidc.py signs in by it). The change is in the user's history (pghistory)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kernel.errors import RuleViolation

from .models import User

SUBJECT_TAKEN = _("Dit Amsterdam-account is al gekoppeld aan een ander account.")
SUBJECT_MAX_LENGTH = 255


@transaction.atomic
def user_oidc_subject_set(*, user: User, subject: str, by: User) -> User:
    """Give ``user`` the provider's subject identifier (``sub``); empty removes it.

    One account per subject: the unique column backs the check, which gives the
    Dutch refusal instead of an integrity error."""
    value = subject.strip() or None
    locked = User.objects.select_for_update().get(pk=user.pk)
    if value and User.objects.filter(oidc_subject=value).exclude(pk=user.pk).exists():
        raise RuleViolation(SUBJECT_TAKEN)
    locked.oidc_subject = value
    locked.save(update_fields=["oidc_subject"])
    return locked
