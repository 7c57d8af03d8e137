"""The notificatiebrief recorded with the letter itself (docs/rules.md R-CASE-1).

Signing the letter and storing its file are one step: the file is handed, in the same
transaction, to whoever follows ``notification_letter_received`` (cases/signals.py): the
documents app, which stores it through its service (the gates, the virus scan by clamd,
encryption at rest) as a document of kind "notificatiebrief". The documents app sits above
this one, so it listens rather than being called. A refusal of the file refuses the whole
step, so the case is not signed without the letter it was sent with; the documents service
removes a file it stored when its rows are not written, and the letter is stored last, so
nothing after it can undo the signing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User

from ..models import Case
from ..signals import notification_letter_received
from .intake import case_sign_notification


@transaction.atomic
def case_sign_notification_with_letter(
    *,
    case: Case,
    signed_on: datetime.date,
    signed_by: str,
    letter: UploadedFile | None,
    by: User,
    expected_revision: int | None = None,
) -> Case:
    """Record the signed notification letter and, when given, store the letter as the
    case's "notificatiebrief" document; all or nothing."""
    signed = case_sign_notification(
        case=case,
        signed_on=signed_on,
        signed_by=signed_by,
        by=by,
        expected_revision=expected_revision,
    )
    if letter is not None:
        if not notification_letter_received.has_listeners():
            # Never drop a letter silently: without the documents app there is no store.
            raise ImproperlyConfigured("No app stores the notification letter.")
        notification_letter_received.send(
            sender=Case, case=signed, letter=letter, signed_on=signed_on, by=by
        )
    return signed
