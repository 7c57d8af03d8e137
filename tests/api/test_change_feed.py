"""The change feed: transaction order, tombstones, case bump, never missed, never twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from api.selectors import FeedCursor, changes_since
from cases.models import Case, Meeting
from cases.signals import person_pseudonymised
from tests.factories import (
    CaseFactory,
    EscalationFactory,
    EscalationStepFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
)

# The feed serves only transactions older than every open one in the cluster: run alone.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]


def feed(api, cursor: str = "", **params) -> dict:
    response = api.get("/api/v1/changes/", {"changed_since": cursor, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def follow(api, cursor: str = "") -> tuple[list[dict], str]:
    events: list[dict] = []
    while True:
        page = feed(api, cursor, limit=50)
        events += page["results"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return events, cursor


def test_an_escalation_step_moves_its_escalation_and_case_forward(api):
    escalation = EscalationFactory()
    _, cursor = follow(api)
    step = EscalationStepFactory(escalation=escalation)
    events, _ = follow(api, cursor)
    assert [(e["resource"], e["object_id"], e["operation"]) for e in events] == [
        ("escalation-steps", step.pk, "created"),
        ("escalations", escalation.pk, "updated"),
        ("cases", escalation.case_id, "updated"),
    ]


def test_a_meeting_change_moves_its_case_forward(api):
    case = CaseFactory()
    _, cursor = follow(api)
    meeting = MeetingFactory(case=case)
    events, cursor = follow(api, cursor)
    assert [(e["resource"], e["object_id"], e["operation"]) for e in events] == [
        ("meetings", meeting.pk, "created"),
        ("cases", case.pk, "updated"),
    ]
    assert follow(api, cursor)[0] == []  # nothing twice


def test_deletion_and_pseudonymisation_leave_tombstones(api):
    org = OrganisationFactory(code="wijk", name="Wijkteam")
    person = PersonFactory()
    _, cursor = follow(api)
    org_id = org.pk
    org.delete()
    with transaction.atomic():  # the retention job's transaction
        person_pseudonymised.send(sender=type(person), person=person, case=person.case)
    events, _ = follow(api, cursor)
    tombstones = [(e["resource"], e["object_id"], e["operation"]) for e in events if e["tombstone"]]
    assert tombstones == [
        ("organisations", org_id, "deleted"),
        ("persons", person.pk, "pseudonymised"),
    ]


def test_feed_shows_only_resources_the_token_may_read(api_with_scopes):
    PersonFactory()
    events, _ = follow(api_with_scopes("changes:read", "cases:read"))
    assert {e["resource"] for e in events} == {"cases"}


def test_a_slow_transaction_is_never_skipped_nor_served_twice():
    """Two concurrent writers; the one that wrote its event first commits last."""
    case = CaseFactory()
    seen: list[int] = []
    cursor = FeedCursor()

    def read_all() -> None:
        nonlocal cursor
        events = changes_since(cursor=cursor, resources=None, limit=1000)
        seen.extend(e.pk for e in events)
        if events:
            cursor = FeedCursor(events[-1].xact_id, events[-1].pk)

    read_all()
    slow_wrote = threading.Event()
    fast_done = threading.Event()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                MeetingFactory(case=case)  # its events get the lower ids
                slow_wrote.set()
                assert fast_done.wait(20)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def fast() -> None:
        try:
            assert slow_wrote.wait(20)
            with transaction.atomic():
                Case.objects.filter(pk=case.pk).update(phase_since=case.phase_since)
            # While the slow transaction still runs, the fast one's event is not served:
            read_all()
            fast_done.set()
        except BaseException as exc:
            errors.append(exc)
            fast_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    read_all()
    from api.models import ChangeEvent

    everything = list(ChangeEvent.objects.order_by("xact_id", "id").values_list("pk", flat=True))
    assert sorted(seen) == sorted(everything)  # never missed
    assert len(seen) == len(set(seen))  # never twice
    assert Meeting.objects.filter(case=case).count() == 1
