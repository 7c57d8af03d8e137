"""Forms of one's own account and of deactivating someone else's. The password forms
are Django's; the reset form only sends its e-mail from a worker."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .services_roles import REASON_MAX_LENGTH

logger = logging.getLogger(__name__)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending its e-mail from a worker after the request: the
    answer takes as long for an unknown address as for a known one. Which users an
    address reaches is Django's rule (active, with a usable password)."""

    def save(  # type: ignore[override]
        self, *, request: Any = None, use_https: bool = False, **kwargs: Any
    ) -> None:
        domain = request.get_host() if request is not None else ""
        language = get_language() or "nl"
        for user in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(partial(_send_later, user.pk, domain, use_https, language))


def _send_later(user_id: int, domain: str, use_https: bool, language: str) -> None:
    from .tasks import password_reset_mail  # the task module imports the services

    try:
        password_reset_mail.apply_async(args=(user_id, domain, use_https, language), retry=False)
    except Exception:  # the broker is down: the person asks again; the page says nothing
        logger.warning("password reset e-mail for user %s not queued", user_id, exc_info=True)


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van deactiveren"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Het account kan daarna niet meer inloggen; alle sessies eindigen en alle "
            "API-tokens worden ingetrokken."
        ),
    )


class SessionEndForm(forms.Form):
    session = forms.CharField(max_length=64, widget=forms.HiddenInput)


class LiftAddressForm(forms.Form):
    address = forms.GenericIPAddressField(widget=forms.HiddenInput)
