"""A sync client: mirror the registrations of one ipgar instance into another,
through the API of both (``manage.py sync_mirror``; docs/adr/0005-sync-api.md).

It reads the source's change feed from the cursor kept in a state file, fetches
the current state of what the feed names (the first run: of every case) and
brings the target to that state through the target's own API, so the target's
domain services check every rule again. The target stores the source's
id of each object as its ``external_id``: running twice creates nothing twice,
and a run that stops half-way is simply repeated (the cursor is saved only at the
end). Reference data (organisations by code, regisseurs by name) is matched, not
created: the target's pool is managed on the target.

Hand-overs, buddy changes, team members leaving, escalation steps and person erasures
(pseudonymisation tombstones) are replayed through the target's services. What a
sync client may not write is reported, not faked: a PTO-R exit decision (only
PTO-R decides) and the deletion of reference data (an organisation).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from api.etags import etag_for
from cases.workflow import PHASE, CaseStatus, PlanStatus

MIRROR_REASON = "Overgenomen uit de bron-instantie (synchronisatie)."
MIRROR_ERASURE_REASON = "Gewist in de bron-instantie; de kopie volgt (AVG art. 17 en 19)."
API = "/api/v1"
PAGE_SIZE = 500
# Cases fetched together in an incremental run (their ids go in the query string).
BATCH_CASES = 100
FEED_LIMIT = 1000
# Lists read at the same time (``read_lists``): a first run reads nine lists, the
# meetings by far the longest; a server answers as many requests at once as it has
# worker processes (two in the benchmark).
LIST_READERS = 2
CASE_CHILDREN = (
    "persons",
    "team-members",
    "assessments",
    "plans",
    "meetings",
    "evaluations",
    "exits",
    "escalations",
)
PERSON_FIELDS = ("first_name", "last_name", "date_of_birth", "address", "bsn")
PLAN_FIELDS = ("concerns", "goals", "course", "joint_task", "focus", "explanation")
MEETING_FIELDS = (
    "held_on",
    "person_attended",
    "agenda",
    "development",
    "decisions",
    "exit_in_sight",
)
ADOPTED = PlanStatus.ADOPTED


class MirrorError(Exception):
    """An answer the mirror cannot go on from (the problem details are kept)."""

    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {url}: {status} {body}")
        self.status = status
        self.body = body


class Api:
    """One instance's API with a sync client's token; counts the writes it made.

    It remembers the ETag of every object representation it was given (a read, its
    own create or state change), so a change needs no read first: only when the
    object moved on since (412) does it read it again and retry once.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.timeout = timeout
        self.writes = 0
        self.requests = 0
        self.last_status = 0
        self.etags: dict[str, str] = {}

    def clone(self) -> Api:
        """The same instance and token on a session of its own (one per thread)."""
        return Api(self.base_url, self.token, timeout=self.timeout)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if not url.startswith("http"):
            url = self.base_url + url
        while True:
            self.requests += 1
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))  # throttled: wait
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = response.text[:500]
            raise MirrorError(method, url, response.status_code, body)
        return response

    def _remember(self, path: str, response: requests.Response) -> None:
        etag = response.headers.get("ETag")
        if etag:
            self.etags[urlsplit(path).path] = etag

    def forget(self, path: str) -> None:
        """The object changed through another one (a case through its children)."""
        self.etags.pop(path, None)

    def get(self, path: str, **params: Any) -> tuple[Any, str]:
        response = self._send("GET", path, params=params)
        if not params:
            self._remember(path, response)
        return response.json(), response.headers.get("ETag", "")

    def all(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every object of a list endpoint, page by page (cursor pagination)."""
        page, _ = self.get(path, page_size=PAGE_SIZE, **params)
        while True:
            yield from page["results"]
            if not page.get("next"):
                return
            page, _ = self.get(page["next"])

    def post(self, path: str, body: dict[str, Any], *, if_match: str = "") -> dict[str, Any]:
        headers = {"If-Match": if_match} if if_match else {}
        response = self._send("POST", path, json=body, headers=headers)
        self.last_status = response.status_code
        if response.status_code != 200 or if_match:  # 200 without If-Match: upsert, unchanged
            self.writes += 1
        location = response.headers.get("Location")
        if location:
            self._remember(location, response)
        return response.json()

    def _with_etag(self, path: str, send: Callable[[str], requests.Response]) -> dict[str, Any]:
        etag = self.etags.get(path)
        if etag:
            try:
                response = send(etag)
            except MirrorError as error:
                if error.status != 412:
                    raise
                etag = ""  # it moved on since: read it and try once more
        if not etag:
            _, etag = self.get(path)
            response = send(etag)
        self.writes += 1
        self._remember(path, response)
        return response.json()

    def act(self, path: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """A state change on ``path`` (an object), with the object's current ETag."""
        return self._with_etag(
            path,
            lambda etag: self._send(
                "POST", f"{path}{action}/", json=body, headers={"If-Match": etag}
            ),
        )

    def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._with_etag(
            path, lambda etag: self._send("PATCH", path, json=body, headers={"If-Match": etag})
        )


# --- the state file ----------------------------------------------------------------


@dataclass
class MirrorState:
    """Where the last complete run stopped in the source's feed (empty: never ran)."""

    path: Path
    cursor: str = ""

    @classmethod
    def load(cls, path: Path) -> MirrorState:
        if not path.exists():
            return cls(path)
        return cls(path, json.loads(path.read_text()).get("cursor", ""))

    def save(self, cursor: str) -> None:
        self.cursor = cursor
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"cursor": cursor}))
        tmp.replace(self.path)  # atomic: a crash leaves the old cursor


@dataclass
class MirrorReport:
    cases: int = 0
    writes: int = 0
    requests: int = 0
    cursor: str = ""
    # What the target's API does not let a sync client do, for an operator to follow up.
    not_mirrored: list[str] = field(default_factory=list)
    # Cases the target refused (with the answer); the cursor stays put until none fail.
    failed: list[str] = field(default_factory=list)


# --- reading the source ----------------------------------------------------------


def feed_after(api: Api, cursor: str) -> tuple[list[dict[str, Any]], str]:
    """Every event after ``cursor`` and the cursor at the end."""
    events: list[dict[str, Any]] = []
    while True:
        page, _ = api.get(f"{API}/changes/", changed_since=cursor, limit=FEED_LIMIT)
        events += page["results"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return events, cursor


@dataclass
class CaseBundle:
    """A case and its objects, per resource. After the first run only the resources
    the feed named are read again; the others are empty lists, which the mirror
    passes over (the target holds them as the cursor left them)."""

    case: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]


# The feed names a nested row's change on its parent too; these resources have no
# list of their own.
NESTED_IN = {
    "interventions": "plans",
    "meeting-actions": "meetings",
    "escalation-steps": "escalations",
}
# What mirroring a resource needs of the same case besides it (CaseMirror.run): a
# meeting's attendees name team members, and a doorbraakoverleg is mirrored with its
# escalation step, not on its own; an evaluation names its assessment. A plan's
# progress goes on the latest adopted version: every version of the case is read,
# as a resource is always read whole for a case.
NEEDS: dict[str, tuple[str, ...]] = {
    "meetings": ("team-members", "escalations"),
    "evaluations": ("assessments",),
}


def changed_cases(events: list[dict[str, Any]]) -> dict[int, frozenset[str]]:
    """Per case the feed names, the resources of it to read again.

    Every change to a case's objects is an event of that object (a nested row's also
    of its parent, a case-owned row's also of the case), so the target, brought to
    the source's state up to the cursor, needs again only what the events name: the
    case itself (always read) and the named resources with what they need."""
    named: dict[int, set[str]] = defaultdict(set)
    for event in events:
        if event["case_id"] is None:
            continue
        resource = NESTED_IN.get(event["resource"], event["resource"])
        wanted = named[event["case_id"]]
        if resource in CASE_CHILDREN:
            wanted.update((resource, *NEEDS.get(resource, ())))
    return {case_id: frozenset(resources) for case_id, resources in named.items()}


def case_bundles(api: Api, changed: dict[int, frozenset[str]] | None) -> Iterator[CaseBundle]:
    """Each case with its objects: all cases with everything (``None``) by listing each
    resource once, or the changed ones, a batch at a time, with the resources the
    feed named (``?id__in=``, ``?case__in=``)."""
    if changed is None:
        yield from _bundles(api, {}, dict.fromkeys(CASE_CHILDREN))
        return
    ids = sorted(changed)
    for start in range(0, len(ids), BATCH_CASES):
        batch = ids[start : start + BATCH_CASES]
        per_resource = {r: [i for i in batch if r in changed[i]] for r in CASE_CHILDREN}
        yield from _bundles(
            api,
            {"id__in": _joined(batch)},
            {r: {"case__in": _joined(i)} for r, i in per_resource.items() if i},
        )


def _joined(ids: list[int]) -> str:
    return ",".join(str(i) for i in ids)


def _bundles(
    api: Api, case_filter: dict[str, str], child_filters: dict[str, dict[str, str] | None]
) -> Iterator[CaseBundle]:
    lists = {r: child_filters[r] or {} for r in CASE_CHILDREN if r in child_filters}
    # The longest list first (a case has some ten UVOs): the others share the second
    # reader meanwhile.
    lists = dict(sorted(lists.items(), key=lambda item: item[0] != "meetings"))
    read = read_lists(api, {**lists, "cases": case_filter})
    grouped: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for resource in CASE_CHILDREN:
        grouped[resource] = defaultdict(list)
        for obj in read.get(resource, []):
            grouped[resource][obj["case"]].append(obj)
    for case in read["cases"]:
        yield CaseBundle(case, {r: grouped[r].get(case["id"], []) for r in CASE_CHILDREN})


def read_lists(api: Api, lists: dict[str, dict[str, str]]) -> dict[str, list[dict[str, Any]]]:
    """Every object of each list (resource: its filters), ``LIST_READERS`` lists at a
    time, each on a session of its own: a list's pages follow one another (each page
    names the next), two lists' pages do not. The requests count on ``api``."""

    def read(resource: str) -> tuple[list[dict[str, Any]], int]:
        reader = api.clone()
        try:
            return list(reader.all(f"{API}/{resource}/", **lists[resource])), reader.requests
        finally:
            reader.session.close()

    with ThreadPoolExecutor(max_workers=LIST_READERS) as pool:
        found = dict(zip(lists, pool.map(read, lists), strict=True))
    api.requests += sum(requests for _, requests in found.values())
    return {resource: objects for resource, (objects, _) in found.items()}


# --- reference data ----------------------------------------------------------------


@dataclass
class References:
    """Source id -> target id of organisations (by code) and regisseurs (by name)."""

    organisations: dict[int, int]
    regisseurs: dict[int, int]

    @classmethod
    def match(cls, source: Api, target: Api) -> References:
        def by(api: Api, resource: str, key: str) -> dict[str, int]:
            return {o[key]: o["id"] for o in api.all(f"{API}/{resource}/")}

        t_orgs, t_regs = by(target, "organisations", "code"), by(target, "regisseurs", "name")
        orgs = {i: t_orgs[c] for c, i in by(source, "organisations", "code").items() if c in t_orgs}
        regs = {i: t_regs[n] for n, i in by(source, "regisseurs", "name").items() if n in t_regs}
        return cls(orgs, regs)

    def org(self, source_id: int | None) -> int | None:
        return None if source_id is None else self.organisations[source_id]

    def regisseur(self, source_id: int | None) -> int | None:
        return None if source_id is None else self.regisseurs[source_id]


# --- writing the target ------------------------------------------------------------


def _ext(obj: dict[str, Any]) -> str:
    return str(obj["id"])


def _by_id(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(objects, key=lambda o: o["id"])


class CaseMirror:
    """Bring one case and everything of it on the target to the source's state."""

    def __init__(self, target: Api, refs: References, report: MirrorReport) -> None:
        self.target = target
        self.refs = refs
        self.report = report

    def run(self, bundle: CaseBundle) -> None:
        s, children = bundle.case, bundle.children
        person = children["persons"][0] if children["persons"] else None
        t = self.target.post(
            f"{API}/cases/",
            {
                "external_id": _ext(s),
                "number": s["number"],
                "region": s["region"],
                "registered_on": s["registered_on"],
                "person": {k: person[k] for k in PERSON_FIELDS}
                if person
                else {"first_name": "", "last_name": ""},
                "referred_by": self.refs.org(s["referred_by"]),
                "interpretation": s["interpretation"],
                "preliminary_findings": s["preliminary_findings"],
            },
        )
        case_path = f"{API}/cases/{t['id']}/"
        created = self.target.last_status == 201  # with the person as the source has it
        if person is not None and (not created or person["pseudonymised_at"]):
            self.person(person, t["id"], case_path)
        if s["status"] == CaseStatus.NOT_INCLUDED:
            self.not_included(s, t, children["assessments"], case_path)
            return
        # The weighings up to the assignment go first: a regisseur and buddy are assigned
        # only on a weighing that finds both criteria (docs/rules.md R-CASE-1).
        assessments: dict[int, int] = {}
        for assessment in _by_id(children["assessments"]):
            if s["regisseur_since"] and assessment["assessed_on"] <= s["regisseur_since"]:
                self.assessment(assessment, t["id"], assessments)
        self.directors(s, t, case_path)
        self.members: dict[int, int] = {}
        for member in _by_id(children["team-members"]):
            made = self.target.post(
                f"{API}/team-members/",
                {
                    "external_id": _ext(member),
                    "case": t["id"],
                    "name": member["name"],
                    "organisation": self.refs.org(member["organisation"]),
                    "role": member["role"],
                    "sharing_basis": member["sharing_basis"],
                    "joined_on": member["joined_on"],
                },
            )
            self.members[member["id"]] = made["id"]
            if member["left_on"] and not made["left_on"]:
                path = f"{API}/team-members/{made['id']}/"
                self.target.act(path, "leave", {"left_on": member["left_on"]})
        for assessment in _by_id(children["assessments"]):
            if assessment["id"] not in assessments:
                self.assessment(assessment, t["id"], assessments)
        plans = sorted(children["plans"], key=lambda p: p["number"])
        adopted = [p["number"] for p in plans if p["status"] == ADOPTED]
        for plan in plans:
            # Progress is kept on the adopted version that holds and the one in progress.
            live = plan["status"] != ADOPTED or plan["number"] == max(adopted)
            self.plan(plan, t["id"], live=live)
        # A doorbraakoverleg of an escalation is recorded with its step, not on its own.
        step_meetings = {
            step["meeting"] for e in children["escalations"] for step in e["steps"]
        } - {None}
        for meeting in sorted(children["meetings"], key=lambda m: (m["held_on"], m["id"])):
            if meeting["id"] not in step_meetings:
                self.meeting(meeting, t["id"])
        for escalation in _by_id(children["escalations"]):
            self.escalation(escalation, t["id"])
        for evaluation in _by_id(children["evaluations"]):
            body = {k: evaluation[k] for k in ("kind", "held_on", "findings", "exit_possible")}
            body["assessment"] = assessments.get(evaluation["assessment"])
            self.target.post(
                f"{API}/evaluations/", {"external_id": _ext(evaluation), "case": t["id"], **body}
            )
        # Phase 3 is the exit process: a proposal (other than for a move) comes in it.
        self.phase(s, case_path)
        exits = [self.exit_proposal(e, t["id"]) for e in _by_id(children["exits"])]
        for source_exit, target_exit in zip(_by_id(children["exits"]), exits, strict=True):
            self.exit_advice(source_exit, target_exit)

    def not_included(
        self, s: dict[str, Any], t: dict[str, Any], weighings: list[dict[str, Any]], path: str
    ) -> None:
        """The weighing did not take the person in: the case is closed on it, with the
        reasoning, and nobody is ever assigned (docs/rules.md R-CASE-1)."""
        for assessment in _by_id(weighings):
            self.assessment(assessment, t["id"], {})
        if t["status"] != CaseStatus.NOT_INCLUDED:
            body = {"on": s["not_included_on"], "reason": s["not_included_reason"]}
            self.target.act(path, "not-included", body)

    def assessment(self, s: dict[str, Any], case_id: int, made_ids: dict[int, int]) -> None:
        body = {k: s[k] for k in ("assessed_on", "care_criterion", "safety_criterion")}
        body |= {k: s[k] for k in ("risk_level", "reasoning")}
        made = self.target.post(
            f"{API}/assessments/", {"external_id": _ext(s), "case": case_id, **body}
        )
        made_ids[s["id"]] = made["id"]

    def person(self, s: dict[str, Any], case_id: int, case_path: str) -> None:
        t = next(self.target.all(f"{API}/persons/", case=case_id))
        path = f"{API}/persons/{t['id']}/"
        self.target.etags[path] = etag_for(t)  # a list item's ETag is the object's
        if s["pseudonymised_at"]:
            if not t["pseudonymised_at"]:
                self.target.act(path, "erase", {"reason": MIRROR_ERASURE_REASON})
                self.target.forget(case_path)
            return
        changed = {k: s[k] for k in PERSON_FIELDS if s[k] != t[k]}
        if changed:
            self.target.patch(path, changed)
            self.target.forget(case_path)

    def directors(self, s: dict[str, Any], t: dict[str, Any], case_path: str) -> None:
        regisseur, buddy = self.refs.regisseur(s["regisseur"]), self.refs.regisseur(s["buddy"])
        if regisseur is not None and t["regisseur"] is None and buddy is not None:
            on = s["regisseur_since"]
            body = {"regisseur": regisseur, "buddy": buddy, "reason": MIRROR_REASON, "on": on}
            t = self.target.act(case_path, "assign", body)
        elif regisseur is not None and t["regisseur"] != regisseur:
            body = {"to_regisseur": regisseur, "reason": MIRROR_REASON, "on": s["regisseur_since"]}
            if buddy is not None and buddy != t["buddy"]:
                body["new_buddy"] = buddy  # both changed (a hand-over to the buddy needs one)
            t = self.target.act(case_path, "hand-over", body)
        if buddy is not None and t["buddy"] not in (None, buddy):
            # The source does not say on which day: the day its case last changed.
            body = {"to_buddy": buddy, "reason": MIRROR_REASON, "on": s["updated_at"][:10]}
            t = self.target.act(case_path, "buddy", body)
        if s["notification_signed_on"] and not t["notification_signed_on"]:
            body = {
                "signed_on": s["notification_signed_on"],
                "signed_by": s["notification_signed_by"],
            }
            self.target.act(case_path, "sign-notification", body)

    def plan(self, s: dict[str, Any], case_id: int, *, live: bool) -> None:
        t = self.target.post(
            f"{API}/plans/",
            {
                "external_id": _ext(s),
                "case": case_id,
                **{k: s[k] for k in PLAN_FIELDS},
                "interventions": [
                    {
                        "description": i["description"],
                        # The target asks every intervention's pillar: one written at
                        # the source before pillars were asked (null) is refused there.
                        "pillar": i["pillar"],
                        "responsible_organisation": self.refs.org(i["responsible_organisation"]),
                        "deadline": i["deadline"],
                    }
                    for i in s["interventions"]
                ],
            },
        )
        path = f"{API}/plans/{t['id']}/"
        changed = {k: s[k] for k in PLAN_FIELDS if s[k] != t[k]}
        if changed and t["status"] != ADOPTED:
            t = self.target.patch(path, changed)
        for advice in s["itat_advices"][len(t["itat_advices"]) :]:
            body = {k: advice[k] for k in ("given_on", "recommendation", "advice")}
            t = self.target.act(path, "itat-advice", body)
        if s["status"] == ADOPTED and t["status"] != ADOPTED:
            t = self.target.act(path, "adopt", {"adopted_on": s["adopted_on"]})
        if not live:
            return  # superseded: its progress was mirrored while it held
        for si, ti in zip(s["interventions"], t["interventions"], strict=False):
            if (si["status"], si["result"]) != (ti["status"], ti["result"]):
                body = {"intervention": ti["id"], "status": si["status"], "result": si["result"]}
                self.target.act(path, "intervention-progress", body)

    def meeting(self, s: dict[str, Any], case_id: int) -> None:
        t = self.target.post(
            f"{API}/meetings/",
            {
                "external_id": _ext(s),
                "case": case_id,
                "kind": s["kind"],
                "first_uvo_part": s["first_uvo_part"],
                **{k: s[k] for k in MEETING_FIELDS},
                "attendees": [
                    {
                        "name": a["name"],
                        "organisation": self.refs.org(a["organisation"]),
                        "team_member": self.members.get(a["team_member"]),
                    }
                    for a in s["attendees"]
                ],
                "actions": [
                    {
                        "description": a["description"],
                        "owner_organisation": self.refs.org(a["owner_organisation"]),
                        "due_on": a["due_on"],
                    }
                    for a in s["actions"]
                ],
            },
        )
        path = f"{API}/meetings/{t['id']}/"
        changed = {k: s[k] for k in MEETING_FIELDS if s[k] != t[k]}
        if changed:
            t = self.target.patch(path, changed)
        for sa, ta in zip(s["actions"], t["actions"], strict=False):
            if sa["done_on"] and not ta["done_on"]:
                self.target.act(path, "action-done", {"action": ta["id"], "done_on": sa["done_on"]})

    def escalation(self, s: dict[str, Any], case_id: int) -> None:
        """A stuck case, then the steps the target has not had yet, then its resolution."""
        keys = ("stuck_since", "what_is_stuck", "team_attempts")
        t = self.target.post(
            f"{API}/escalations/",
            {"external_id": _ext(s), "case": case_id, **{k: s[k] for k in keys}},
        )
        path = f"{API}/escalations/{t['id']}/"
        for step in s["steps"][len(t["steps"]) :]:
            body = {k: step[k] for k in ("kind", "held_on", "outcome", "participants")}
            t = self.target.act(path, "step", body)
        if s["resolved_on"] and not t["resolved_on"]:
            body = {"on": s["resolved_on"], "resolution": s["resolution"]}
            self.target.act(path, "resolve", body)

    def exit_proposal(self, s: dict[str, Any], case_id: int) -> dict[str, Any]:
        keys = ("ground", "team_judgement", "handover_organisation", "destination")
        body = {k: s[k] for k in keys} | {"ground_explanation": s["ground_explanation"]}
        return self.target.post(
            f"{API}/exits/",
            {"external_id": _ext(s), "case": case_id, "on": s["opened_on"], **body},
        )

    def exit_advice(self, s: dict[str, Any], t: dict[str, Any]) -> None:
        path = f"{API}/exits/{t['id']}/"
        for advice in s["itat_advices"][len(t["itat_advices"]) :]:
            body = {k: advice[k] for k in ("given_on", "recommendation", "advice")}
            t = self.target.act(path, "itat-advice", body)
        if s["status"] != t["status"]:
            self.report.not_mirrored.append(f"exits/{s['id']}: status {s['status']}")

    def phase(self, s: dict[str, Any], case_path: str) -> None:
        t, _ = self.target.get(case_path)
        wanted = s["phase"]
        if t["status"] != CaseStatus.IN_REGIE or wanted == t["phase"]:
            return
        # The target's phase lifecycle, step by step: it refuses a skipped phase.
        for to_phase in PHASE.path(t["phase"], wanted):
            body = {"to_phase": int(to_phase), "reason": MIRROR_REASON, "on": s["phase_since"]}
            self.target.act(case_path, "phase", body)


def sync(*, source: Api, target: Api, state: MirrorState, workers: int = 1) -> MirrorReport:
    """One run: the source's changes since the saved cursor (everything the first
    time) onto the target; saves the new cursor when every case is done.

    ``workers`` cases are written at the same time, each on its own connection:
    one case's writes depend on each other, two cases' writes do not."""
    report = MirrorReport()
    events, end = feed_after(source, state.cursor)
    if state.cursor:
        changed: dict[int, frozenset[str]] | None = changed_cases(events)
        for event in events:
            # A person's erasure is replayed with its case; the rest is reference data
            # (an organisation) that the target's own administrators keep.
            if event["tombstone"] and event["resource"] != "persons":
                report.not_mirrored.append(
                    f"{event['resource']}/{event['object_id']}: {event['operation']}"
                )
    else:
        changed = None
    targets = [target] + [target.clone() for _ in range(max(workers, 1) - 1)]
    if changed is None or changed:
        refs = References.match(source, target)
        free: queue.SimpleQueue[Api] = queue.SimpleQueue()
        for each in targets:
            free.put(each)
        lock = threading.Lock()

        def mirror(bundle: CaseBundle) -> None:
            api = free.get()
            try:
                CaseMirror(api, refs, report).run(bundle)
                with lock:
                    report.cases += 1
            except MirrorError as error:
                report.failed.append(f"cases/{bundle.case['id']}: {error}")
            finally:
                free.put(api)

        with ThreadPoolExecutor(max_workers=len(targets)) as pool:
            list(pool.map(mirror, case_bundles(source, changed)))
    if not report.failed:
        state.save(end)
    report.cursor = state.cursor
    report.writes = sum(t.writes for t in targets)
    report.requests = source.requests + sum(t.requests for t in targets)
    return report


# --- comparing two instances -------------------------------------------------------


def case_fingerprints(api: Api) -> dict[str, Any]:
    """Every case's state by case number, with references by natural key and no ids,
    so two instances can be compared."""
    orgs = {o["id"]: o["code"] for o in api.all(f"{API}/organisations/")}
    regs = {r["id"]: r["name"] for r in api.all(f"{API}/regisseurs/")}
    skip = {"id", "external_id", "case", "revision", "created_at", "updated_at", "plan_version"}

    def clean(obj: Any) -> Any:
        if isinstance(obj, list):
            return [clean(o) for o in obj]
        if not isinstance(obj, dict):
            return obj
        out = {}
        for key, value in obj.items():
            if key in skip or key in ("based_on", "assessment", "lineage"):
                continue
            if key in ("team_member", "meeting"):
                value = value is not None
            elif key in (
                "organisation",
                "responsible_organisation",
                "owner_organisation",
                "referred_by",
            ):
                value = orgs.get(value)
            elif key in ("regisseur", "buddy"):
                value = regs.get(value)
            out[key] = clean(value)
        return out

    result = {}
    for bundle in case_bundles(api, None):
        result[bundle.case["number"]] = {
            "case": clean(bundle.case),
            **{r: sorted(clean(v), key=json.dumps) for r, v in bundle.children.items()},
        }
    return result
