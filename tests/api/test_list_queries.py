"""The remaining list endpoints answer in the same number of queries for 2 and for
20 objects (joins and prefetches, not one query per row)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.test.utils import CaptureQueriesContext

from api import views
from api.base import etag_for
from api.models import ChangeEvent, WebhookDelivery, WebhookSubscription
from api.pages import representer_for
from cases.models import (
    MeetingAction,
    MeetingAttendee,
)
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    CaseloadReviewFactory,
    EscalationFactory,
    EscalationStepFactory,
    EvaluationFactory,
    InterventionFactory,
    ItatAdviceFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    PlanVersionFactory,
    TeamMemberFactory,
)
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 1, 5)


def evaluations(n: int) -> None:
    EvaluationFactory.create_batch(n, held_on=ON)


def exits(n: int) -> None:
    """Exit proposals, each with ITAT-R's advice."""
    ItatAdviceFactory.create_batch(n, on_exit=True, given_on=ON)


def caseload_reviews(n: int) -> None:
    CaseloadReviewFactory.create_batch(n, held_on=ON)


def escalations_with_steps(n: int) -> None:
    for escalation in EscalationFactory.create_batch(n):
        EscalationStepFactory(escalation=escalation)


def deliveries(user) -> Callable[[int], None]:
    def make(n: int) -> None:
        subscription = WebhookSubscription.objects.create(
            client=user, url="https://ontvanger.example/hook"
        )
        CaseFactory.create_batch(n)
        events = ChangeEvent.objects.filter(resource="cases").order_by("-id")[:n]
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(subscription=subscription, event=e) for e in events]
        )

    return make


@pytest.mark.parametrize(
    "url, make",
    [
        ("/api/v1/team-members/", lambda n: TeamMemberFactory.create_batch(n)),
        ("/api/v1/assessments/", lambda n: AssessmentFactory.create_batch(n)),
        ("/api/v1/evaluations/", evaluations),
        ("/api/v1/exits/", exits),
        ("/api/v1/caseload-reviews/", caseload_reviews),
        ("/api/v1/escalations/", escalations_with_steps),
        (
            "/api/v1/organisations/",
            lambda n: [OrganisationFactory() for _ in range(n)],
        ),
        ("/api/v1/webhook-deliveries/", None),
    ],
)
def test_list_query_count_does_not_grow(api, sync_user, url, make):
    make = make or deliveries(sync_user)

    def count() -> tuple[CaptureQueriesContext, int]:
        with count_queries() as queries:
            response = api.get(url, {"page_size": 500})
        assert response.status_code == 200
        return queries, len(response.json()["results"])

    make(2)
    count()  # warm the content-type cache once
    small, shown_small = count()
    make(18)
    large, shown_large = count()
    assert shown_large >= shown_small + 18  # the new rows are on the page
    assert_same_query_count(small, large, what=url)


def meetings_with_children(n: int) -> None:
    organisation = OrganisationFactory()
    for meeting in MeetingFactory.create_batch(n):
        MeetingAction.objects.create(
            meeting=meeting, description="Bellen", owner_organisation=organisation, due_on=ON
        )
        MeetingAttendee.objects.create(meeting=meeting, name="Jansen", organisation=organisation)


def plans_with_children(n: int) -> None:
    for version in PlanVersionFactory.create_batch(n):
        InterventionFactory.create_batch(2, plan_version=version)
    exits(1)


@pytest.mark.parametrize(
    "resource, viewset, make",
    [
        ("cases", views.CaseViewSet, lambda n: CaseFactory.create_batch(n)),
        ("persons", views.PersonViewSet, lambda n: PersonFactory.create_batch(n)),
        ("team-members", views.TeamMemberViewSet, lambda n: TeamMemberFactory.create_batch(n)),
        ("plans", views.PlanVersionViewSet, plans_with_children),
        ("meetings", views.MeetingViewSet, meetings_with_children),
        ("assessments", views.AssessmentViewSet, lambda n: AssessmentFactory.create_batch(n)),
        ("evaluations", views.EvaluationViewSet, evaluations),
        ("exits", views.ExitProcedureViewSet, exits),
        ("caseload-reviews", views.CaseloadReviewViewSet, caseload_reviews),
        ("escalations", views.EscalationViewSet, escalations_with_steps),
        ("organisations", views.OrganisationViewSet, OrganisationFactory.create_batch),
    ],
)
def test_list_pages_represent_each_object_as_its_serializer_does(api, resource, viewset, make):
    """api/pages.py builds list pages without DRF's per-value calls: the answer is the
    serializer's over the viewset's queryset (its prefetch filters included), value for
    value, and so is each object's ETag on its own."""
    make(3)
    page = api.get(f"/api/v1/{resource}/", {"page_size": 500}).json()["results"]
    serializer = viewset.serializer_class
    assert representer_for(serializer) is not None
    for shown in page:
        obj = viewset.queryset.get(pk=shown["id"])
        expected = json.loads(json.dumps(serializer(obj, context={}).data, default=str))
        expected["external_id"] = shown["external_id"]
        assert shown == expected
        detail = api.get(f"/api/v1/{resource}/{shown['id']}/")
        assert detail["ETag"] == etag_for(shown)
