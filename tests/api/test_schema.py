"""The OpenAPI schema is generated without warnings."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/cases/",
        "/api/v1/changes/",
        "/api/v1/persons/{id}/",
        "/api/v1/webhooks/",
    ):
        assert f"{path}:" in text


def test_committed_schema_matches_the_code(tmp_path):
    """docs/openapi.yaml is what clients read: regenerate it with
    ``manage.py spectacular --file docs/openapi.yaml`` whenever the API changes."""
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(out))
    committed = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
    assert out.read_text() == committed.read_text(), (
        "The API changed but docs/openapi.yaml did not: run "
        "`python manage.py spectacular --file docs/openapi.yaml` and commit it."
    )
