"""Background jobs of the accounts app: the password-reset e-mail. A task takes primary
keys, calls one service, and owns its retries and time limits."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services_account import password_reset_mail_send

# Errors worth another try: the database or the mail server was briefly away.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def password_reset_mail(user_id: int, domain: str, use_https: bool, language: str) -> bool:
    """Send one reset link. Sent from a worker, so the page answers an unknown address
    as fast as a known one (no timing tells them apart)."""
    return password_reset_mail_send(
        user_id=user_id, domain=domain, use_https=use_https, language=language
    )
