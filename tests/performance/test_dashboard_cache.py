"""The dashboard's results region is cached (seconds of work at 10,000 cases), and
any change to the data behind it, by any code path, shows on the next request."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from benchmarks.sessions import signed_in_session
from cases.models import Case, CaseStatus
from sampledata.generator import generate_data, username_prefix
from tests.queries import count_queries

SEED = 31

pytestmark = pytest.mark.django_db


def _in_regie_total(html: str) -> int:
    found = re.search(r'data-total="in-regie">(\d+)<', html)
    assert found, "the pool table's total is on the page"
    return int(found.group(1))


def _results(html: str) -> str:
    return html[html.index('id="dashboard-results"') : html.index("</main>")]


def _get(client: Client) -> tuple[str, int]:
    with count_queries() as queries:
        response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_the_results_are_served_from_the_cache_until_the_data_changes() -> None:
    generate_data(cases=30, seed=SEED)
    member = User.objects.filter(
        username__startswith=username_prefix(SEED), groups__name=Role.PROGRAMME_TEAM.value
    ).first()
    assert member is not None
    client = Client()
    client.cookies["sessionid"] = signed_in_session(member)
    client.get(reverse("home"))  # the session records its browser and address once

    first, computed = _get(client)
    again, cached = _get(client)
    # The same results region, computed at the same moment (the page around it carries
    # a fresh CSRF token).
    assert _results(again) == _results(first)
    assert cached < computed  # the figures, pool table and worklists were not asked again
    assert "Cijfers berekend om" in first

    # A bulk update that bypasses the services still reaches the page.
    case = Case.objects.filter(status=CaseStatus.IN_REGIE, regisseur__isnull=False).first()
    assert case is not None
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.EXITED, exited_on=timezone.localdate())
    after, recomputed = _get(client)
    assert _in_regie_total(after) == _in_regie_total(first) - 1
    assert recomputed == computed

    # The filtered page is its own entry.
    filtered = client.get(reverse("monitoring:dashboard"), {"fase": 2}).content.decode()
    assert "Gefilterd." in filtered and "Gefilterd." not in after


@pytest.mark.parametrize("source", ["intervention", "meeting action", "escalation"])
def test_every_deadline_source_changes_the_stamp_the_figures_are_cached_under(source):
    """The worklists, reminders and menu badges read intervention terms, UVO actions and
    stuck cases too: a new one alone must be a new cache entry, not the old figures."""
    from cases.selectors.figures import figures_version
    from tests.factories import (
        EscalationFactory,
        InterventionFactory,
        MeetingActionFactory,
        MeetingFactory,
        PlanVersionFactory,
        UserFactory,
    )

    version, meeting, author = PlanVersionFactory(), MeetingFactory(), UserFactory()
    InterventionFactory(plan_version=version)  # the organisation exists before the stamp
    before = figures_version()
    if source == "intervention":
        InterventionFactory(plan_version=version)
    elif source == "meeting action":
        MeetingActionFactory(meeting=meeting)
    else:
        EscalationFactory(case=meeting.case, opened_by=author)
    assert figures_version() != before
