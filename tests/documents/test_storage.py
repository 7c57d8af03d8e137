"""Encryption at rest, key rotation, and destruction with the person record."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from accounts.roles import Role
from cases.services.retention import person_erase_early
from documents import crypto, services
from documents.models import Document
from tests.factories import DocumentFactory, DocumentVersionFactory, UserFactory

from .conftest import pdf_bytes, stored_files

pytestmark = pytest.mark.django_db


def _stored(case, content: bytes):
    return DocumentVersionFactory(document=DocumentFactory(case=case), content=content)


def test_a_changed_or_cut_off_file_is_refused(world, documents_root):
    content = pdf_bytes(300_000)
    version = _stored(world.case, content)
    path = services.stored_path(version)
    raw = path.read_bytes()
    assert content[:64] not in raw
    path.write_bytes(raw[:-100])
    with pytest.raises(crypto.DecryptionError):
        b"".join(services.version_read(version))
    changed = bytearray(raw)
    changed[5000] ^= 1
    path.write_bytes(bytes(changed))
    with pytest.raises(crypto.DecryptionError):
        b"".join(services.version_read(version))


def test_rotation_rewraps_and_reencrypts_under_the_new_key(world, documents_root, settings):
    content = pdf_bytes(10_000)
    version = _stored(world.case, content)
    old_file = services.stored_path(version)
    new_key = Fernet.generate_key().decode()
    settings.DOCUMENTS_ENCRYPTION_KEY = [new_key, *settings.DOCUMENTS_ENCRYPTION_KEY]
    call_command("documents_rotate_keys")
    version.refresh_from_db()
    settings.DOCUMENTS_ENCRYPTION_KEY = [new_key]
    assert b"".join(services.version_read(version)) == content
    call_command("documents_rotate_keys", "--reencrypt")
    version.refresh_from_db()
    assert services.stored_path(version) != old_file and not old_file.exists()
    assert b"".join(services.version_read(version)) == content


def test_documents_are_gone_after_early_erasure(
    world, documents_root, django_capture_on_commit_callbacks
):
    _stored(world.case, pdf_bytes())
    _stored(world.case, pdf_bytes(marker=b"TWEE"))
    assert len(stored_files(documents_root)) == 2
    programme_team = UserFactory(roles=[Role.PROGRAMME_TEAM])
    with django_capture_on_commit_callbacks(execute=True):
        person_erase_early(
            case=world.case,
            reason="Onterechte aanmelding, verzoek tot wissen.",
            by=programme_team,
        )
    assert not Document.objects.filter(case=world.case).exists()
    assert stored_files(documents_root) == []
