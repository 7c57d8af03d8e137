"""Re-wrap every document key with the newest master key (docs/documents.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from documents.models import DocumentVersion
from documents.services import version_rewrap


class Command(BaseCommand):
    help = (
        "Wrap every stored document's key with the first key of DOCUMENTS_ENCRYPTION_KEY; "
        "with --reencrypt, also give every file a new key and rewrite it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reencrypt", action="store_true")

    def handle(self, *args: Any, reencrypt: bool = False, **options: Any) -> None:
        count = 0
        for version in DocumentVersion.objects.exclude(stored_as="").iterator():
            version_rewrap(version, reencrypt=reencrypt)
            count += 1
        self.stdout.write(
            f"{count} document file(s) {'re-encrypted' if reencrypt else 're-wrapped'}"
        )
