"""What an incremental run of the sync client reads again: each case the feed names,
with only the resources of it the events name and what mirroring those needs (the
two-instance test, tests/api/test_mirror.py, checks that the target still ends up
as the source)."""

from __future__ import annotations

import json
import math
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from sync_client.mirror import API, CASE_CHILDREN, Api, case_bundles, changed_cases


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


class Rendezvous:
    """The first two lists' first pages wait for each other: read one list after the
    other, the first would wait in vain."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=10)
        self.lock = threading.Lock()
        self.first_pages = 0

    def first_page(self) -> None:
        with self.lock:
            self.first_pages += 1
            waits = self.first_pages <= 2
        if waits:
            self.barrier.wait()


class InMemorySource(Api):
    """A source whose lists are in memory, two objects a page."""

    def __init__(self, lists: dict[str, list[dict[str, Any]]], rendezvous: Rendezvous) -> None:
        super().__init__("http://source", "token")
        self.lists = lists
        self.rendezvous = rendezvous

    def clone(self) -> Api:
        return InMemorySource(self.lists, self.rendezvous)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.requests += 1
        parts = urlsplit(url)
        resource = parts.path.removeprefix(f"{API}/").strip("/")
        start = int(parse_qs(parts.query).get("start", ["0"])[0])
        if start == 0:
            self.rendezvous.first_page()
        objects = self.lists.get(resource, [])
        more = start + 2 < len(objects)
        page = {
            "results": objects[start : start + 2],
            "next": f"http://source{API}/{resource}/?start={start + 2}" if more else None,
        }
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(page).encode()
        return response


def test_a_first_run_reads_every_list_whole_two_lists_at_a_time():
    lists = {
        "cases": [{"id": 1}, {"id": 2}, {"id": 3}],
        "persons": [{"id": 11, "case": 1}, {"id": 12, "case": 2}, {"id": 13, "case": 3}],
        "meetings": [{"id": 21, "case": 1}, {"id": 22, "case": 1}, {"id": 23, "case": 3}],
    }
    source = InMemorySource(lists, Rendezvous())

    bundles = list(case_bundles(source, None))

    def of(case_id: int, resource: str) -> list[dict[str, Any]]:
        return [o for o in lists.get(resource, []) if o["case"] == case_id]

    assert [(b.case, b.children) for b in bundles] == [
        (case, {r: of(case["id"], r) for r in CASE_CHILDREN}) for case in lists["cases"]
    ]
    # Every page of every list, counted on the client the run reports from.
    pages = {r: max(1, math.ceil(len(lists.get(r, [])) / 2)) for r in ("cases", *CASE_CHILDREN)}
    assert source.requests == sum(pages.values())
