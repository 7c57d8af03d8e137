"""Fixtures of the documents tests: a case with its directors and a team member, files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from tests.factories import CaseFactory, PersonFactory, PlanVersionFactory, UserFactory

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_bytes(size: int = 4096, marker: bytes = b"VERTROUWELIJK-VERSLAG") -> bytes:
    """A small PDF-shaped file: PDF header, a recognisable text, padding, %%EOF."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Title (" + marker + b") >>\nendobj\n"
    tail = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return head + b"%" + b"x" * max(size - len(head) - len(tail) - 1, 0) + tail


def upload(content: bytes, name: str = "verslag.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class World:
    case: Case
    regisseur: User
    member: User
    stranger: User


@pytest.fixture
def world(db) -> World:
    case = CaseFactory(team=1, access_on=True)
    PersonFactory(case=case)
    case.plan_version = PlanVersionFactory(case=case)
    member = case.team_members.get().user
    stranger = UserFactory(roles=[Role.REGISSEUR])
    return World(case=case, regisseur=case.regisseur.user, member=member, stranger=stranger)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def documents_root(settings, tmp_path) -> Path:
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.DOCUMENTS_ROOT
