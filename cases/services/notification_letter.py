"""The notificatiebrief recorded with the letter itself (docs/rules.md R-CASE-1).

Signing the letter and storing its file are one step: the file goes through the
documents service (documents/services.py: the gates, the virus scan by clamd,
encryption at rest) as a document of kind "notificatiebrief". A refusal of the file
refuses the whole step, so the case is not signed without the letter it was sent with;
the documents service removes a file it stored when its rows are not written, and the
letter is stored last, so nothing after it can undo the signing.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from documents.models import Confidentiality, DocumentKind
from documents.services import document_upload

from ..models import Case
from .intake import case_sign_notification

LETTER_TITLE = _("Notificatiebrief, getekend op %(on)s")


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
        document_upload(
            case=signed,
            by=by,
            upload=letter,
            title=str(LETTER_TITLE % {"on": f"{signed_on:%d-%m-%Y}"}),
            kind=DocumentKind.NOTIFICATION_LETTER,
            date=signed_on,
            confidentiality=Confidentiality.CONFIDENTIAL,
        )
    return signed
