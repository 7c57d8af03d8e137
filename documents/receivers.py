"""What the documents app does when the cases app tells it something, inside the
sender's transaction (cases/signals.py):

- a pseudonymised or erased person record takes the case's documents with it
  (cases/services/retention.py sends ``person_pseudonymised``);
- the signed notification letter's file is stored as the case's "notificatiebrief"
  (cases/services/notification_letter.py sends ``notification_letter_received``).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from cases.signals import notification_letter_received, person_pseudonymised

from .models import Confidentiality, DocumentKind
from .services import document_upload, documents_destroy_for_case

LETTER_TITLE = _("Notificatiebrief, getekend op %(on)s")


@receiver(person_pseudonymised, dispatch_uid="documents_destroy_on_pseudonymisation")
def destroy_documents(sender: Any, *, person: Any, case: Any, **kwargs: Any) -> None:
    documents_destroy_for_case(case=case)


@receiver(notification_letter_received, dispatch_uid="documents_store_notification_letter")
def store_notification_letter(
    sender: Any, *, case: Any, letter: Any, signed_on: Any, by: Any, **kwargs: Any
) -> None:
    document_upload(
        case=case,
        by=by,
        upload=letter,
        title=str(LETTER_TITLE % {"on": f"{signed_on:%d-%m-%Y}"}),
        kind=DocumentKind.NOTIFICATION_LETTER,
        date=signed_on,
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
