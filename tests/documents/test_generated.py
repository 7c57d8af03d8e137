"""Documents ipgar renders itself (the plan of approach, the minutes of an UVO, the
hand-over file) stored as versions, the watermark a downloaded one carries, and the loose
ends of the download and upload paths: exactly ``no-store``, a raw file name with a path,
and who may remove."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessLog
from cases.models import MeetingAction
from documents import services
from documents.models import Document, DocumentKind, DocumentVersion, GeneratedAs
from tests.conftest import sign_in
from tests.factories import (
    DocumentFactory,
    DocumentVersionFactory,
    MeetingFactory,
    OrganisationFactory,
    UserFactory,
)

from .conftest import pdf_bytes, stored_files

pytestmark = pytest.mark.django_db

BSN = "123456782"


def pdftotext(content: bytes, tmp_path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(content)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\s+", " ", text)


def download(client, version: DocumentVersion):
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


def timed_download(client, version: DocumentVersion, name: str):
    """The download, and the footers it may carry: one for each minute it took, in the
    Dutch form dd-mm-jjjj HH:MM of Amsterdam's time."""
    before = timezone.localtime()
    response = download(client, version)
    after = timezone.localtime()
    minutes = {before.replace(second=0, microsecond=0)}
    while max(minutes) < after.replace(second=0, microsecond=0):
        minutes.add(max(minutes) + datetime.timedelta(minutes=1))
    return response, [f"Gedownload door {name} op {m:%d-%m-%Y %H:%M}" for m in sorted(minutes)]


def generate_plan(client, world):
    return client.post(
        reverse(
            "documents:generate_plan",
            kwargs={"pk": world.case.pk, "version_id": world.case.plan_version.pk},
        )
    )


def test_the_plan_pdf_is_stored_as_a_version_and_regenerating_adds_one(
    client, world, documents_root
):
    sign_in(client, world.regisseur)
    assert generate_plan(client, world).status_code == 302
    document = Document.objects.get()
    assert (document.generated_as, document.kind, document.plan_version) == (
        GeneratedAs.PLAN,
        DocumentKind.PLAN,
        world.case.plan_version,
    )
    [first] = document.versions.all()
    assert first.generated and first.content_type == "application/pdf"
    [stored] = stored_files(documents_root)
    assert b"%PDF" not in stored.read_bytes()  # encrypted like an upload
    assert b"".join(services.version_read(first)).startswith(b"%PDF")

    assert generate_plan(client, world).status_code == 302
    assert list(document.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert Document.objects.count() == 1
    assert len(stored_files(documents_root)) == 2


def test_a_downloaded_plan_carries_the_readers_name_and_the_time(
    client, world, documents_root, tmp_path
):
    world.regisseur.first_name, world.regisseur.last_name = "Rianne", "Regisseur"
    world.regisseur.save()
    world.member.first_name, world.member.last_name = "Tom", "Teamlid"
    world.member.save()
    sign_in(client, world.regisseur)
    generate_plan(client, world)
    version = DocumentVersion.objects.get()

    response, stamps = timed_download(client, version, "Rianne Regisseur")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdftotext(response.content, tmp_path)
    assert world.case.plan_version.goals in text
    assert any(stamp in text for stamp in stamps), (stamps, text)

    client.logout()
    sign_in(client, world.member)  # the plan is what a team member reads
    second, stamps = timed_download(client, version, "Tom Teamlid")
    text = pdftotext(second.content, tmp_path)
    assert any(stamp in text for stamp in stamps), (stamps, text)
    assert "Gedownload door Rianne Regisseur" not in text  # the maker stays named as such
    # The stored file is as rendered: the stamp is made at each download.
    assert b"Gedownload" not in b"".join(services.version_read(version))


def test_an_uploaded_pdf_is_served_unchanged(client, world, documents_root):
    content = pdf_bytes(marker=b"GEUPLOAD")
    stored = DocumentVersionFactory(
        document=DocumentFactory(case=world.case), content=content, size=len(content)
    )
    sign_in(client, world.regisseur)
    response = download(client, stored)
    assert b"".join(response.streaming_content) == content
    assert response["Cache-Control"] == "no-store"


def test_the_minutes_of_an_uvo_list_attendees_decisions_and_actions(
    client, world, documents_root, tmp_path
):
    meeting = MeetingFactory(
        case=world.case, decisions="Huisbezoek door GGD binnen twee weken.", development="Rustig."
    )
    MeetingAction.objects.create(
        meeting=meeting,
        description="Schuldhulp aanvragen",
        owner_organisation=OrganisationFactory(),
        due_on=datetime.date(2025, 3, 1),
    )
    sign_in(client, world.regisseur)
    url = reverse("documents:generate_minutes", kwargs={"pk": world.case.pk})
    assert client.post(url, {"meeting": "0"}).status_code == 400
    assert client.post(url, {"meeting": meeting.pk}).status_code == 302
    version = DocumentVersion.objects.get()
    assert version.document.meeting == meeting
    assert version.document.kind == DocumentKind.MINUTES
    text = pdftotext(download(client, version).content, tmp_path)
    assert "Huisbezoek door GGD binnen twee weken." in text
    assert "Schuldhulp aanvragen" in text


def test_a_team_member_may_not_generate(client, world, documents_root):
    sign_in(client, world.member)
    assert generate_plan(client, world).status_code == 403
    handover = reverse("documents:generate_handover", kwargs={"pk": world.case.pk})
    assert client.post(handover, {}).status_code == 403
    assert not Document.objects.exists()


def test_the_handover_file_holds_the_bsn_only_when_asked_and_records_it(
    client, world, documents_root, tmp_path
):
    person = world.case.person
    person.bsn = BSN
    person.save()
    sign_in(client, world.regisseur)
    url = reverse("documents:generate_handover", kwargs={"pk": world.case.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    without = DocumentVersion.objects.get()
    assert not without.includes_bsn
    text = pdftotext(download(client, without).content, tmp_path)
    assert person.last_name in text and world.case.plan_version.goals not in text
    assert BSN not in text and "Het BSN staat niet in dit dossier." in text

    assert client.post(url, {"include_bsn": "on"}).status_code == 302
    with_bsn = DocumentVersion.objects.get(number=2)
    assert with_bsn.includes_bsn and with_bsn.document_id == without.document_id
    assert with_bsn.document.kind == DocumentKind.HANDOVER_FILE
    assert BSN in pdftotext(download(client, with_bsn).content, tmp_path)
    purposes = list(
        AccessLog.objects.filter(user=world.regisseur, object_id__in=[without.pk, with_bsn.pk])
        .order_by("pk")
        .values_list("purpose", flat=True)
    )
    assert purposes[0] == "Overdrachtsdossier gemaakt."
    assert "met BSN" in purposes[2]
    # The hand-over file holds person data: a team member does not see it.
    client.logout()
    sign_in(client, world.member)
    assert download(client, with_bsn).status_code == 403


BOUNDARY = "ipgarGrens"


def multipart(fields: dict[str, str], *, file_name: str, content: bytes) -> bytes:
    """A multipart body built by hand, so the file name goes out exactly as written."""
    parts = [
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
        for name, value in fields.items()
    ]
    parts.append(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("file_name", ["..\\\\x.pdf", "..\\x.pdf", "a/b.pdf", "C:\\map\\v.pdf"])
def test_a_web_upload_whose_raw_name_carries_a_path_is_refused(
    client, world, documents_root, file_name
):
    sign_in(client, world.regisseur)
    body = multipart(
        {"title": "Verslag", "kind": "verslag", "date": "2025-02-03", "confidentiality": "intern"},
        file_name=file_name,
        content=pdf_bytes(),
    )
    response = client.generic(
        "POST",
        reverse("documents:upload", kwargs={"pk": world.case.pk}),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 400
    assert str(services.FILE_NAME_HAS_PATH) in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def test_the_same_hand_built_upload_with_a_plain_name_is_stored(client, world, documents_root):
    sign_in(client, world.regisseur)
    body = multipart(
        {"title": "Verslag", "kind": "verslag", "date": "2025-02-03", "confidentiality": "intern"},
        file_name="verslag.pdf",
        content=pdf_bytes(),
    )
    response = client.generic(
        "POST",
        reverse("documents:upload", kwargs={"pk": world.case.pk}),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 302
    assert DocumentVersion.objects.get().file_name == "verslag.pdf"


def test_only_the_regisseur_and_the_programme_team_remove(client, world, documents_root):
    buddy = world.case.buddy.user
    programme_team = UserFactory(roles=[Role.PROGRAMME_TEAM])
    documents = [DocumentFactory(case=world.case) for _ in range(2)]
    reason = {"reason": "Verkeerde casus: hoort bij een andere persoon."}

    def remove(document):
        return client.post(
            reverse("documents:remove", kwargs={"pk": world.case.pk, "document_id": document.pk}),
            reason,
        )

    sign_in(client, buddy)
    listing = client.get(reverse("documents:list", kwargs={"pk": world.case.pk})).content.decode()
    assert "Nieuwe versie" in listing and "Verwijderen" not in listing
    assert remove(documents[0]).status_code == 403
    client.logout()
    sign_in(client, world.regisseur)
    assert remove(documents[0]).status_code == 302
    client.logout()
    sign_in(client, programme_team)
    assert remove(documents[1]).status_code == 302
    assert Document.objects.filter(removed_at__isnull=False).count() == 2
