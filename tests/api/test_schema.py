"""The OpenAPI schema is generated without warnings."""

import pytest
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
