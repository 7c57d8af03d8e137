"""The notificatiebrief page attaches the signed letter through the documents service,
scanned by the real clamd that scripts/test starts: a refused file refuses the whole
step, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case, CaseStatus
from cases.services.assignments import case_assign
from cases.services.intake import case_register
from cases.views.intake import NOTIFICATION_RECORDED
from documents.models import Document, DocumentKind
from tests.documents.conftest import EICAR, pdf_bytes, stored_files, upload
from tests.factories import (
    REGISTERED_ON,
    RegionFactory,
    RegisseurFactory,
    UserFactory,
    weigh_in,
)

from .conftest import client_for, with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents_root(settings, tmp_path) -> Path:
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.DOCUMENTS_ROOT


@pytest.fixture
def ready(today, author) -> Case:
    """A registered case, weighed in, with its regisseur and buddy: ready to sign."""
    case = case_register(
        number="R-2026-101",
        region=RegionFactory(),
        registered_on=REGISTERED_ON,
        first_name="Testpersoon",
        last_name="Fictief",
        date_of_birth=None,
        address="",
        by=author,
    )
    weigh_in(case, by=author)
    case_assign(
        case=case,
        regisseur=RegisseurFactory(),
        buddy=RegisseurFactory(),
        on=today,
        reason="Toewijzing.",
        by=author,
    )
    return Case.objects.get(pk=case.pk)


def post(case: Case, today, letter):
    client = client_for(with_role(UserFactory(), Role.PROGRAMME_TEAM))
    data = {
        "revision": case.revision,
        "signed_on": today.isoformat(),
        "signed_by": "De burgemeester",
    }
    if letter is not None:
        data["letter"] = letter
    return client.post(reverse("cases:notification", args=[case.pk]), data)


def test_the_signed_letter_is_stored_as_a_notificatiebrief_document(ready, today, documents_root):
    response = post(ready, today, upload(pdf_bytes(), "notificatiebrief.pdf"))

    assert response.status_code == 302
    ready.refresh_from_db()
    assert (ready.status, ready.notification_signed_by) == (CaseStatus.IN_REGIE, "De burgemeester")
    document = Document.objects.get(case=ready)
    assert (document.kind, document.date) == (DocumentKind.NOTIFICATION_LETTER, today)
    assert document.versions.get().file_name == "notificatiebrief.pdf"
    assert len(stored_files(documents_root)) == 1


def test_without_a_letter_only_the_signing_is_recorded(ready, today, documents_root):
    response = post(ready, today, None)
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == CaseStatus.IN_REGIE
    assert not Document.objects.exists()


def test_an_infected_letter_refuses_the_whole_step(ready, today, documents_root):
    body = pdf_bytes(4000)
    response = post(ready, today, upload(body[:2000] + EICAR + body[2000:], "brief.pdf"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "bevat een virus" in page
    assert str(NOTIFICATION_RECORDED) not in page
    case = Case.objects.get(pk=ready.pk)
    assert (case.status, case.notification_signed_on, case.revision) == (
        CaseStatus.REGISTERED,
        None,
        ready.revision,
    )
    assert not Document.objects.exists()
    assert stored_files(documents_root) == []


def test_a_letter_of_the_wrong_type_is_refused_beside_its_field(ready, today, documents_root):
    response = post(ready, today, upload(b"Gewone tekst.\n" * 20, "brief.pdf"))
    assert response.status_code == 400
    assert "letter" in response.context["form"].errors
    assert Case.objects.get(pk=ready.pk).notification_signed_on is None
