"""Storing, versioning, removing and destroying case documents.

An upload goes through four gates before anything is written: the name (no path), the
size (not empty, at most DOCUMENTS_MAX_UPLOAD_BYTES), the type decided by the content
(``filetype``; DOCUMENTS_ALLOWED_TYPES) and whether it is whole (a PDF ends with its
end-of-file marker; an API client may send the SHA-256 it expects), then the virus scan
by clamd (documents/scanner.py). Only a clean file is encrypted (documents/crypto.py) into
DOCUMENTS_ROOT, written whole under a temporary name first; its rows are written in one
transaction, and when that fails the file is removed again. Each pass reads the upload
in chunks: a large file is never held in memory.

Every refusal is a ``ValidationError`` with a Dutch message (400), nothing stored;
``ScannerDown`` when clamd cannot give a verdict (the upload is refused, never stored
unscanned).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import Case, ExitProcedure, Meeting, PlanVersion
from kernel.errors import RuleViolation

from . import crypto, scanner
from .models import Document, DocumentKind, DocumentVersion, GeneratedAs

logger = logging.getLogger(__name__)

FILE_EMPTY = _("Het bestand is leeg.")
FILE_TOO_LARGE = _("Het bestand is te groot: hooguit {limit} MB.")
FILE_TYPE_NOT_ALLOWED = _(
    "Dit soort bestand wordt niet aangenomen (herkend aan de inhoud, niet aan de naam). "
    "Toegestaan: PDF, PNG, JPEG en Word (docx)."
)
FILE_NAME_HAS_PATH = _("De bestandsnaam mag geen map of pad bevatten.")
FILE_NAME_INVALID = _("De bestandsnaam is ongeldig.")
FILE_TRUNCATED = _("Het bestand is onvolledig aangekomen. Upload het opnieuw.")
FILE_INFECTED = _("Het bestand bevat een virus ({signature}) en is niet opgeslagen.")
SCANNER_UNAVAILABLE = _(
    "De virusscanner is nu niet bereikbaar. Het bestand is niet opgeslagen; probeer het "
    "later opnieuw."
)
ATTACHMENT_NOT_OF_CASE = _("Dit onderdeel hoort niet bij deze casus.")
ONE_ATTACHMENT = _("Koppel een document aan hooguit één UVO, planversie of uitstroomprocedure.")
DOCUMENT_REMOVED = _("Dit document is verwijderd.")
CASE_NOT_OPEN = _("Bij een afgesloten casus worden geen documenten meer toegevoegd of verwijderd.")
REMOVAL_REASON_MIN_LENGTH = 10
REMOVAL_REASON_TOO_SHORT = format_lazy(
    _("Leg vast waarom het document verwijderd wordt, in minstens {min_length} tekens."),
    min_length=REMOVAL_REASON_MIN_LENGTH,
)
# How much of the start of a file ``filetype`` reads to recognise it.
SNIFF_BYTES = 8192
PDF_TAIL_BYTES = 2048
PDF = "application/pdf"
ERASURE_LOG = "documents destroyed with the erasure of the person of case %s: %d file(s)"


class ScannerDown(ValidationError):
    """clamd gave no verdict: the upload is refused (503 in the API)."""


@dataclass(frozen=True)
class Checked:
    """What the gates found out about an upload."""

    file_name: str
    content_type: str
    size: int
    sha256: str


def _check_name(name: str) -> str:
    name = name.strip()
    if any(sep in name for sep in ("/", "\\")) or name in (".", "..") or name.startswith(".."):
        raise ValidationError(FILE_NAME_HAS_PATH, code="file_name_path")
    if not name or any(ord(c) < 32 for c in name) or len(name) > 200:
        raise ValidationError(FILE_NAME_INVALID, code="file_name_invalid")
    return name


def _read_head(upload: File, size: int) -> bytes:
    upload.seek(0)
    return upload.read(size)


def _read_tail(upload: UploadedFile, size: int) -> bytes:
    upload.seek(max((upload.size or 0) - size, 0))
    return upload.read(size)


def _chunks(upload: File) -> Iterator[bytes]:
    upload.seek(0)
    yield from upload.chunks(chunk_size=crypto.CHUNK_SIZE)


def check_upload(
    upload: UploadedFile, *, file_name: str | None = None, expected_sha256: str = ""
) -> Checked:
    """Run every gate on ``upload``; ValidationError (or ScannerDown) on the first that
    refuses. Reads the upload chunk by chunk."""
    name = _check_name(file_name if file_name is not None else (upload.name or ""))
    size = upload.size or 0
    if size == 0:
        raise ValidationError(FILE_EMPTY, code="file_empty")
    limit = settings.DOCUMENTS_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            FILE_TOO_LARGE.format(limit=round(limit / 1024 / 1024)), code="file_too_large"
        )
    kind = filetype.guess(_read_head(upload, SNIFF_BYTES))
    content_type = kind.mime if kind is not None else ""
    if content_type not in settings.DOCUMENTS_ALLOWED_TYPES:
        raise ValidationError(FILE_TYPE_NOT_ALLOWED, code="file_type")
    if content_type == "application/pdf" and b"%%EOF" not in _read_tail(upload, PDF_TAIL_BYTES):
        raise ValidationError(FILE_TRUNCATED, code="file_truncated")
    digest = hashlib.sha256()
    seen = 0

    def counted() -> Iterator[bytes]:
        nonlocal seen
        for chunk in _chunks(upload):
            digest.update(chunk)
            seen += len(chunk)
            yield chunk

    try:
        verdict = scanner.scan_chunks(counted())
    except scanner.ScannerUnavailable as exc:
        logger.warning("upload refused, the virus scanner is unavailable: %s", exc)
        raise ScannerDown(SCANNER_UNAVAILABLE, code="scanner_unavailable") from exc
    if not verdict.clean:
        logger.warning("upload refused, clamd found %s", verdict.signature)
        raise ValidationError(
            FILE_INFECTED.format(signature=verdict.signature), code="file_infected"
        )
    sha256 = digest.hexdigest()
    if seen != size or (expected_sha256 and expected_sha256.lower() != sha256):
        raise ValidationError(FILE_TRUNCATED, code="file_truncated")
    return Checked(file_name=name, content_type=content_type, size=size, sha256=sha256)


def _store(upload: File) -> tuple[str, bytes]:
    """Encrypt the upload into DOCUMENTS_ROOT under a new name: (stored as, wrapped key)."""
    root = Path(settings.DOCUMENTS_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_as = f"{uuid.uuid4().hex}.enc"
    key = crypto.new_file_key()
    wrapped = crypto.wrap_key(key)
    crypto.write_encrypted(_chunks(upload), root / stored_as, key)
    return stored_as, wrapped


def stored_path(version: DocumentVersion) -> Path:
    return Path(settings.DOCUMENTS_ROOT) / version.stored_as


def _unlink_all(names: list[str]) -> None:
    root = Path(settings.DOCUMENTS_ROOT)
    for name in names:
        if name:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(root / name)


def _attachment_check(
    case: Case,
    meeting: Meeting | None,
    plan_version: PlanVersion | None,
    exit_procedure: ExitProcedure | None,
) -> None:
    attached = [a for a in (meeting, plan_version, exit_procedure) if a is not None]
    if len(attached) > 1:
        raise ValidationError(ONE_ATTACHMENT, code="attachment")
    if any(a.case_id != case.pk for a in attached):
        raise ValidationError(ATTACHMENT_NOT_OF_CASE, code="attachment")


def _with_stored_file(upload: File, checked: Checked, write: Any) -> DocumentVersion:
    """Store the file, then write the rows through ``write(stored_as, wrapped)`` in one
    transaction; the file is removed again when the rows are not written."""
    stored_as, wrapped = _store(upload)
    try:
        with transaction.atomic():
            version: DocumentVersion = write(stored_as, wrapped)
    except BaseException:
        _unlink_all([stored_as])
        raise
    return version


def document_upload(
    *,
    case: Case,
    by: User,
    upload: UploadedFile,
    title: str,
    kind: str,
    date: datetime.date,
    confidentiality: str,
    meeting: Meeting | None = None,
    plan_version: PlanVersion | None = None,
    exit_procedure: ExitProcedure | None = None,
    file_name: str | None = None,
    expected_sha256: str = "",
) -> DocumentVersion:
    """A new document on ``case`` with ``upload`` as its first version."""
    if not case.is_open:
        raise RuleViolation(CASE_NOT_OPEN, code="case_not_open")
    _attachment_check(case, meeting, plan_version, exit_procedure)
    checked = check_upload(upload, file_name=file_name, expected_sha256=expected_sha256)

    def write(stored_as: str, wrapped: bytes) -> DocumentVersion:
        document = Document.objects.create(
            case=case,
            meeting=meeting,
            plan_version=plan_version,
            exit_procedure=exit_procedure,
            title=title.strip(),
            kind=kind,
            date=date,
            confidentiality=confidentiality,
            created_by=by,
        )
        return _version_create(document, 1, checked, stored_as, wrapped, by)

    return _with_stored_file(upload, checked, write)


def _version_create(
    document: Document,
    number: int,
    checked: Checked,
    stored_as: str,
    wrapped: bytes,
    by: User,
    **generated: bool,
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file_name=checked.file_name,
        stored_as=stored_as,
        wrapped_key=wrapped,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=by,
        **generated,
    )


def _next_number(document: Document) -> int:
    last = document.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@dataclass(frozen=True)
class Generated:
    """What a generated document is: its title, kind and what it hangs on."""

    generated_as: GeneratedAs
    title: str
    kind: DocumentKind
    file_name: str
    meeting: Meeting | None = None
    plan_version: PlanVersion | None = None
    exit_procedure: ExitProcedure | None = None


def document_generate(
    *, case: Case, by: User, pdf: bytes, what: Generated, includes_bsn: bool = False
) -> DocumentVersion:
    """Store ``pdf``, rendered by ipgar (documents/pdf.py), as the next version of the
    case's document generated as ``what`` (the same plan version, UVO or case), or as
    the first version of a new one: never over an earlier version. Stored encrypted
    through the same path as an upload; not scanned (it never came from outside),
    marked ``generated`` so its download carries the reader's name (R-DOC-3)."""
    if not case.is_open:
        raise RuleViolation(CASE_NOT_OPEN, code="case_not_open")
    _attachment_check(case, what.meeting, what.plan_version, what.exit_procedure)
    checked = Checked(
        file_name=_check_name(what.file_name),
        content_type=PDF,
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    source = ContentFile(pdf, name=checked.file_name)

    def write(stored_as: str, wrapped: bytes) -> DocumentVersion:
        # Locking the case serialises two makers of the same document.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        attached = {
            "meeting": what.meeting,
            "plan_version": what.plan_version,
            "exit_procedure": what.exit_procedure,
        }
        if what.generated_as == GeneratedAs.HANDOVER:
            attached.pop("exit_procedure")  # one hand-over file per case, whatever the move
        document = (
            Document.objects.filter(
                case=case, generated_as=what.generated_as, removed_at__isnull=True, **attached
            )
            .order_by("-pk")
            .first()
        )
        if document is None:
            document = Document.objects.create(
                case=case,
                title=what.title,
                kind=what.kind,
                date=timezone.localdate(),
                generated_as=what.generated_as,
                created_by=by,
                meeting=what.meeting,
                plan_version=what.plan_version,
                exit_procedure=what.exit_procedure,
            )
        return _version_create(
            document,
            _next_number(document),
            checked,
            stored_as,
            wrapped,
            by,
            generated=True,
            includes_bsn=includes_bsn,
        )

    return _with_stored_file(source, checked, write)


def document_add_version(
    *,
    document: Document,
    by: User,
    upload: UploadedFile,
    file_name: str | None = None,
    expected_sha256: str = "",
) -> DocumentVersion:
    """A new version of ``document``; the earlier ones stay as they are."""
    if document.is_removed:
        raise RuleViolation(DOCUMENT_REMOVED, code="document_removed")
    if not document.case.is_open:
        raise RuleViolation(CASE_NOT_OPEN, code="case_not_open")
    checked = check_upload(upload, file_name=file_name, expected_sha256=expected_sha256)

    def write(stored_as: str, wrapped: bytes) -> DocumentVersion:
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_removed:
            raise RuleViolation(DOCUMENT_REMOVED, code="document_removed")
        return _version_create(locked, _next_number(locked), checked, stored_as, wrapped, by)

    return _with_stored_file(upload, checked, write)


@transaction.atomic
def document_remove(*, document: Document, by: User, reason: str) -> Document:
    """Remove ``document``: every version's file is deleted from storage once the
    transaction commits; the document row stays, saying who removed it, when and why."""
    reason = reason.strip()
    if len(reason) < REMOVAL_REASON_MIN_LENGTH or "\x00" in reason:
        raise ValidationError(REMOVAL_REASON_TOO_SHORT, code="reason")
    locked = Document.objects.select_for_update().select_related("case").get(pk=document.pk)
    if locked.is_removed:
        raise RuleViolation(DOCUMENT_REMOVED, code="document_removed")
    if not locked.case.is_open:
        raise RuleViolation(CASE_NOT_OPEN, code="case_not_open")
    locked.removed_at = timezone.now()
    locked.removed_by = by
    locked.removal_reason = reason
    locked.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    names = list(locked.versions.values_list("stored_as", flat=True))
    locked.versions.update(stored_as="", wrapped_key=b"")
    transaction.on_commit(lambda: _unlink_all(names))
    return locked


def documents_destroy_for_case(*, case: Case) -> int:
    """Destroy every document of ``case`` (the person record was pseudonymised or erased):
    the rows now, inside the caller's transaction, the files once it commits, logged.
    Returns how many files go."""
    names = list(
        DocumentVersion.objects.filter(document__case=case)
        .exclude(stored_as="")
        .values_list("stored_as", flat=True)
    )
    Document.objects.filter(case=case).delete()
    case_id = case.pk

    def destroy() -> None:
        _unlink_all(names)
        logger.info(ERASURE_LOG, case_id, len(names))

    transaction.on_commit(destroy)
    return len(names)


def version_read(version: DocumentVersion) -> Iterator[bytes]:
    """The plaintext of ``version``, chunk by chunk (documents/crypto.py)."""
    key = crypto.unwrap_key(version.wrapped_key)
    with open(stored_path(version), "rb") as source:
        yield from crypto.decrypt_from(source, key)


def version_rewrap(version: DocumentVersion, *, reencrypt: bool) -> None:
    """Wrap the version's key with the newest master key; with ``reencrypt``, give the
    file a new key and rewrite it (written whole before the old file goes)."""
    if not version.stored_as:
        return
    if not reencrypt:
        version.wrapped_key = crypto.rewrap_key(version.wrapped_key)
        version.save(update_fields=["wrapped_key"])
        return
    key = crypto.new_file_key()
    new_name = f"{uuid.uuid4().hex}.enc"
    crypto.write_encrypted(version_read(version), Path(settings.DOCUMENTS_ROOT) / new_name, key)
    old_name = version.stored_as
    try:
        with transaction.atomic():
            version.stored_as = new_name
            version.wrapped_key = crypto.wrap_key(key)
            version.save(update_fields=["stored_as", "wrapped_key"])
    except BaseException:
        _unlink_all([new_name])
        raise
    _unlink_all([old_name])
