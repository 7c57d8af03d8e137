"""The sync API's documents: list, download (documents:read), upload (documents:write)
through the same service as the web page, against the real clamd."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AccessLog
from documents.models import Document
from tests.api.conftest import api_client_with, sync_client_user, token_for

from .conftest import EICAR, pdf_bytes, stored_files

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


def _form(case, content: bytes, name: str = "verslag.pdf", **extra):
    return {
        "case": case.pk,
        "title": "Rapportage zorgpartner",
        "kind": "rapportage",
        "date": "2025-03-01",
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        **extra,
    }


@pytest.fixture
def api(db):
    client = sync_client_user()
    return api_client_with(token_for(client, ["documents:write"]))


def test_a_clean_pdf_is_stored_listed_and_downloaded_and_eicar_refused(api, world, documents_root):
    content = pdf_bytes(50_000)
    created = api.post(
        URL,
        _form(world.case, content, sha256=hashlib.sha256(content).hexdigest()),
        format="multipart",
    )
    assert created.status_code == 201, created.content
    [version] = created.json()["versions"]
    assert version["sha256"] == hashlib.sha256(content).hexdigest()
    raw = stored_files(documents_root)[0].read_bytes()
    assert b"%PDF" not in raw

    infected = pdf_bytes(4000)
    refused = api.post(
        URL, _form(world.case, infected[:2000] + EICAR + infected[2000:]), format="multipart"
    )
    assert refused.status_code == 400
    assert "virus" in refused.content.decode()
    assert Document.objects.count() == 1
    assert len(stored_files(documents_root)) == 1

    listing = api.get(URL, {"case": world.case.pk})
    assert listing.status_code == 200
    [listed] = listing.json()["results"]
    download = api.get(f"{URL}{listed['id']}/versions/{version['id']}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AccessLog.objects.filter(
        action=AccessLog.Action.DOWNLOAD, object_id=str(version["id"])
    ).exists()


def test_a_truncated_upload_is_refused_by_its_checksum(api, world, documents_root):
    content = pdf_bytes(20_000)
    sent = api.post(
        URL,
        _form(world.case, content, sha256=hashlib.sha256(content + b"rest").hexdigest()),
        format="multipart",
    )
    assert sent.status_code == 400
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def test_scopes_read_cannot_upload_and_scanner_down_is_503(world, documents_root, settings):
    reader = api_client_with(token_for(sync_client_user("lezer"), ["documents:read"]))
    assert reader.get(URL).status_code == 200
    assert reader.post(URL, _form(world.case, pdf_bytes()), format="multipart").status_code == 403
    writer = api_client_with(token_for(sync_client_user("schrijver"), ["documents:write"]))
    settings.CLAMD_ADDRESS = "127.0.0.1:9"
    down = writer.post(URL, _form(world.case, pdf_bytes()), format="multipart")
    assert down.status_code == 503
    assert not Document.objects.exists()
    none = api_client_with(token_for(sync_client_user("geen"), ["cases:read"]))
    assert none.get(URL).status_code == 403
