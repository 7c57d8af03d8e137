"""Contract tests: schemathesis generates requests for every operation of the
committed schema (docs/openapi.yaml, kept equal to the code by test_schema.py)
and sends them to the application with a sync client's token holding every
scope. No answer is a 5xx, and every answer conforms to the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.specs.openapi.checks import ignored_auth

from ipgar.wsgi import application
from tests.api.conftest import sync_client_user, token_for
from tests.factories import (
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    PlanVersionFactory,
    RegionFactory,
    RegisseurFactory,
)

schema = schemathesis.openapi.from_path(str(Path(settings.BASE_DIR) / "docs" / "openapi.yaml"))
schema.app = application

EXAMPLES = 5
STATEFUL_EXAMPLES = 10


@pytest.fixture
def token(db) -> Iterator[str]:
    """A little of everything, so lists and details have something to show."""
    RegionFactory(code="amsterdam")
    OrganisationFactory(code="politie")
    RegisseurFactory()
    person = PersonFactory()
    PlanVersionFactory(case=person.case)
    MeetingFactory(case=person.case)
    key = token_for(sync_client_user())
    # Requests run inside this test's transaction: keep the connection open between
    # them, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_the_schema(case, token):
    # Not checked: that every schema-valid request is accepted and every invalid one refused.
    # The domain rules refuse much that the schema cannot express (a 409 for a phase change
    # without an adopted plan, a 404 for an id that does not exist); those answers are
    # documented problem details, which the other checks validate.
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )


def test_links_from_create_to_read_and_update_keep_to_the_schema(token):
    """Stateful: schemathesis follows the schema's links from each create to the read
    and the update of the object it made (an update without If-Match is a 428)."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # ignored_auth re-sends with the token these kwargs add back: it cannot work
            # here. Refusal without a valid token is the permission matrix's and the
            # stateless test's (tests/permissions, test_every_operation_keeps_to_the_schema).
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance, negative_data_rejection, ignored_auth],
                transport_kwargs=kwargs or None,
            )

    Workflow.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=4,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
