"""A pseudonymised or erased person record takes the case's documents with it
(cases/services/retention.py sends ``person_pseudonymised`` inside its transaction)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cases.signals import person_pseudonymised

from .services import documents_destroy_for_case


@receiver(person_pseudonymised, dispatch_uid="documents_destroy_on_pseudonymisation")
def destroy_documents(sender: Any, *, person: Any, case: Any, **kwargs: Any) -> None:
    documents_destroy_for_case(case=case)
