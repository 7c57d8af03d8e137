"""What an incremental run of the sync client reads again: each case the feed names,
with only the resources of it the events name and what mirroring those needs (the
two-instance test, tests/api/test_mirror.py, checks that the target still ends up
as the source)."""

from __future__ import annotations

from typing import Any

from sync_client.mirror import changed_cases


def event(resource: str, case_id: int | None, operation: str = "updated") -> dict[str, Any]:
    return {"resource": resource, "object_id": 1, "case_id": case_id, "operation": operation}


def test_a_person_update_reads_the_case_and_its_person_only():
    events = [event("persons", 7), event("cases", 7)]
    assert changed_cases(events) == {7: frozenset({"persons"})}


def test_a_case_change_alone_reads_the_case_alone():
    assert changed_cases([event("cases", 3)]) == {3: frozenset()}


def test_a_nested_change_reads_its_parent_with_what_its_mirror_names():
    events = [
        event("meeting-actions", 1),
        event("meetings", 1),
        event("interventions", 2),
        event("evaluations", 2, "created"),
    ]
    assert changed_cases(events) == {
        # Attendees name team members; a doorbraakoverleg belongs to its escalation step.
        1: frozenset({"meetings", "team-members", "escalations"}),
        # Progress goes on the plan's versions; an evaluation names its weighing.
        2: frozenset({"plans", "evaluations", "assessments"}),
    }


def test_reference_data_reads_no_case():
    assert changed_cases([event("organisations", None, "deleted")]) == {}
