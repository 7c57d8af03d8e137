"""A regisseur makes the plan of approach PDF from the plan version page and the hand-over
file from the documents page in Chromium, and downloads the plan with his name on it."""

from __future__ import annotations

import re
import subprocess

import pytest

from accounts.roles import Role
from documents.models import Document, GeneratedAs

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_regisseur_makes_and_downloads_the_plan_pdf(world, signed_in_page, settings, tmp_path):
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    regisseur = world.users[Role.REGISSEUR.value]
    case, plan = world.own["case"], world.own["plan_version"]
    page = signed_in_page(regisseur)

    page.goto(f"/casussen/{case.pk}/plan/{plan.pk}/")
    page.get_by_role("button", name="PDF voor ITAT-R maken").click()
    page.wait_for_url(f"**/casussen/{case.pk}/documenten/")
    assert "als nieuwe versie opgeslagen" in page.content()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"v1: plan-van-aanpak")).click()
    text = subprocess.run(  # noqa: S603
        ["pdftotext", download_info.value.path(), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert plan.goals in re.sub(r"\s+", " ", text)
    assert f"Gedownload door {regisseur.get_full_name()}" in text

    page.get_by_role("link", name="Overdrachtsdossier maken").click()
    page.get_by_role("button", name="Dossier maken").click()
    page.wait_for_url(f"**/casussen/{case.pk}/documenten/")
    assert set(Document.objects.filter(case=case).values_list("generated_as", flat=True)) == {
        GeneratedAs.PLAN,
        GeneratedAs.HANDOVER,
    }
