"""Uploading, reading, versioning and removing documents through the web pages, against
the real clamd that scripts/test starts (CLAMD_ADDRESS)."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AccessLog
from cases.models import Meeting
from documents import scanner, services
from documents.models import Document, DocumentVersion
from tests.conftest import sign_in
from tests.factories import DocumentFactory, DocumentVersionFactory, MeetingFactory

from .conftest import EICAR, pdf_bytes, stored_files, upload

pytestmark = pytest.mark.django_db


def post_upload(client, case, content: bytes, name: str = "verslag.pdf", **extra):
    data = {
        "title": "Verslag UVO februari",
        "kind": "verslag",
        "date": "2025-02-03",
        "confidentiality": "intern",
        "file": upload(content, name),
        **extra,
    }
    return client.post(reverse("documents:upload", kwargs={"pk": case.pk}), data)


def test_a_clean_pdf_is_scanned_encrypted_stored_and_downloaded(client, world, documents_root):
    sign_in(client, world.regisseur)
    content = pdf_bytes(200_000)
    response = post_upload(client, world.case, content)
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert (version.number, version.content_type, version.size) == (1, "application/pdf", 200_000)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    [stored] = stored_files(documents_root)
    raw = stored.read_bytes()
    assert b"VERTROUWELIJK-VERSLAG" not in raw and b"%PDF" not in raw
    assert content not in raw

    listing = client.get(reverse("documents:list", kwargs={"pk": world.case.pk}))
    assert listing.status_code == 200
    assert "Verslag UVO februari" in listing.content.decode()

    url = reverse(
        "documents:download",
        kwargs={"pk": world.case.pk, "document_id": version.document_id, "version_id": version.pk},
    )
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"] == 'attachment; filename="verslag.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    entry = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (entry.user, entry.case_id, entry.object_id) == (
        world.regisseur,
        world.case.pk,
        str(version.pk),
    )


def infected_pdf() -> bytes:
    """A PDF that carries the EICAR test string: the virus every scanner knows."""
    body = pdf_bytes(4000)
    return body[:2000] + EICAR + body[2000:]


def test_the_eicar_file_is_refused_by_clamd_and_nothing_is_stored(client, world, documents_root):
    sign_in(client, world.regisseur)
    response = post_upload(client, world.case, infected_pdf(), name="eicar.pdf")
    assert response.status_code == 400
    page = response.content.decode()
    assert "bevat een virus (Eicar-Test-Body.UNOFFICIAL)" in page
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def test_the_bare_eicar_file_is_refused_by_its_content_before_the_scan(world, documents_root):
    with pytest.raises(ValidationError) as refused:
        services.check_upload(upload(EICAR, "eicar.pdf"))
    assert refused.value.code == "file_type"
    verdict = scanner.scan_chunks([EICAR])
    assert not verdict.clean


@pytest.mark.parametrize(
    ("content", "name", "limit", "message"),
    [
        (b"", "leeg.pdf", None, services.FILE_EMPTY),
        (pdf_bytes(5000), "groot.pdf", 4096, "te groot"),
        (b"Gewone tekst, geen PDF.\n" * 10, "tekst.pdf", None, "niet aangenomen"),
        (pdf_bytes(5000)[:3000], "afgebroken.pdf", None, services.FILE_TRUNCATED),
    ],
    ids=["empty", "oversized", "mistyped", "truncated"],
)
def test_bad_files_are_refused_in_dutch_and_nothing_is_stored(
    client, world, documents_root, settings, content, name, limit, message
):
    if limit is not None:
        settings.DOCUMENTS_MAX_UPLOAD_BYTES = limit
    sign_in(client, world.regisseur)
    response = post_upload(client, world.case, content, name=name)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def test_a_name_with_a_path_is_refused(world, documents_root):
    with pytest.raises(ValidationError) as refused:
        services.document_upload(
            case=world.case,
            by=world.regisseur,
            upload=upload(pdf_bytes()),
            file_name="../../etc/verslag.pdf",
            title="x",
            kind="verslag",
            date=world.case.registered_on,
            confidentiality="intern",
        )
    assert refused.value.code == "file_name_path"
    assert not Document.objects.exists()


def test_clamd_down_refuses_the_upload_with_503(client, world, documents_root, settings):
    settings.CLAMD_ADDRESS = "127.0.0.1:9"
    sign_in(client, world.regisseur)
    response = post_upload(client, world.case, pdf_bytes())
    assert response.status_code == 503
    assert str(services.SCANNER_UNAVAILABLE) in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def _stored(case, **attached):
    document = DocumentFactory(case=case, **attached)
    return DocumentVersionFactory(document=document, content=pdf_bytes(marker=b"GEHEIM"))


def _download(client, version):
    return client.get(
        reverse(
            "documents:download",
            kwargs={
                "pk": version.document.case_id,
                "document_id": version.document_id,
                "version_id": version.pk,
            },
        )
    )


def test_a_team_member_reads_plan_documents_only_and_a_stranger_nothing(
    client, world, documents_root
):
    on_plan = _stored(world.case, plan_version=world.case.plan_version)
    on_case = _stored(world.case)
    sign_in(client, world.member)
    assert _download(client, on_plan).status_code == 200
    assert _download(client, on_case).status_code == 403
    listing = client.get(reverse("documents:list", kwargs={"pk": world.case.pk})).content.decode()
    assert on_plan.document.title in listing and on_case.document.title not in listing
    assert client.get(reverse("documents:upload", kwargs={"pk": world.case.pk})).status_code == 403
    client.logout()
    sign_in(client, world.stranger)
    assert _download(client, on_plan).status_code == 404
    assert _download(client, on_case).status_code == 404
    downloads = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD)
    assert list(downloads.values_list("user", "basis")) == [
        (world.member.pk, AccessLog.Basis.TEAM_MEMBER)
    ]


def test_a_new_version_keeps_the_old_and_removal_deletes_every_file(
    client, world, documents_root, django_capture_on_commit_callbacks
):
    sign_in(client, world.regisseur)
    assert post_upload(client, world.case, pdf_bytes(marker=b"EERSTE")).status_code == 302
    document = Document.objects.get()
    url = reverse("documents:add_version", kwargs={"pk": world.case.pk, "document_id": document.pk})
    second = pdf_bytes(marker=b"TWEEDE")
    assert client.post(url, {"file": upload(second, "v2.pdf")}).status_code == 302
    first, latest = document.versions.order_by("number")
    assert (first.number, latest.number, latest.file_name) == (1, 2, "v2.pdf")
    assert b"".join(services.version_read(first)) == pdf_bytes(marker=b"EERSTE")
    assert len(stored_files(documents_root)) == 2

    remove = reverse("documents:remove", kwargs={"pk": world.case.pk, "document_id": document.pk})
    assert client.post(remove, {"reason": "kort"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove, {"reason": "Verkeerde casus: hoort bij een andere persoon."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.removed_by == world.regisseur
    assert document.removal_reason.startswith("Verkeerde casus")
    assert stored_files(documents_root) == []
    assert not document.versions.exclude(stored_as="").exists()
    assert _download(client, latest).status_code == 404


def test_the_uvos_are_offered_by_date_and_kind_newest_first(client, world, documents_root):
    sign_in(client, world.regisseur)
    listed = reverse("documents:list", kwargs={"pk": world.case.pk})
    assert "Verslag van deze UVO maken" not in client.get(listed).content.decode()
    first = MeetingFactory(
        case=world.case, held_on=datetime.date(2025, 1, 6), kind=Meeting.Kind.PLUS
    )
    latest = MeetingFactory(case=world.case, held_on=datetime.date(2025, 2, 3))
    assert "Verslag van deze UVO maken" in client.get(listed).content.decode()
    for name in ("documents:list", "documents:upload"):
        html = client.get(reverse(name, kwargs={"pk": world.case.pk})).content.decode()
        offered = f'<option value="{latest.pk}">03-02-2025 (UVO)</option>'
        assert offered in html
        assert html.index(offered) < html.index(
            f'<option value="{first.pk}">06-01-2025 (UVO-plus)</option>'
        )


def _listed(response) -> list[list[str]]:
    """The text of each cell of each row of the documents table."""
    body = response.content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], flags=re.S)
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows)
    ]


def test_the_list_shows_what_each_document_belongs_to_and_its_versions_newest_first(
    client, world, documents_root
):
    meeting = MeetingFactory(case=world.case, held_on=datetime.date(2025, 2, 3))
    on_meeting = DocumentFactory(case=world.case, meeting=meeting, date=datetime.date(2025, 2, 4))
    on_plan = DocumentFactory(
        case=world.case, plan_version=world.case.plan_version, date=datetime.date(2025, 1, 2)
    )
    on_case = DocumentFactory(case=world.case, title="Brief", date=datetime.date(2025, 3, 1))
    for document in (on_meeting, on_plan, on_case):
        DocumentVersionFactory(document=document, number=1, content=pdf_bytes(marker=b"EEN"))
    DocumentVersionFactory(
        document=on_case, number=2, file_name="brief.pdf", content=pdf_bytes(marker=b"TWEE")
    )
    sign_in(client, world.regisseur)
    rows = _listed(client.get(reverse("documents:list", kwargs={"pk": world.case.pk})))
    # Title, kind, date, attached to, confidentiality, versions (newest first), actions.
    assert [row[:5] for row in rows] == [
        ["Brief", "Verslag", "01-03-2025", "Casus", "Intern (casusbetrokkenen)"],
        [on_meeting.title, "Verslag", "04-02-2025", "UVO 03-02-2025", "Intern (casusbetrokkenen)"],
        [
            on_plan.title,
            "Verslag",
            "02-01-2025",
            f"Plan versie {world.case.plan_version.number}",
            "Intern (casusbetrokkenen)",
        ],
    ]
    assert rows[0][5].index("v2: brief.pdf") < rows[0][5].index("v1: verslag.pdf")
