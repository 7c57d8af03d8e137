"""Two instances: the source (the live server on the test database) and the target
(gunicorn on a second database of the same cluster). The sync client mirrors the
source into the target through both APIs; after changes on the source it mirrors
again: nothing lost, nothing twice, and a run without changes writes nothing."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from api.selectors import FeedCursor
from api.throttling import TokenRateThrottle
from cases.models import Case
from cases.services.retention import person_erase_early
from sync_client.mirror import API, Api, MirrorState, case_fingerprints, feed_after, sync
from tests.api.conftest import sync_client_user, token_for
from tests.conftest import ROOT, _run_env
from tests.factories import OrganisationFactory, RegionFactory, RegisseurFactory, UserFactory

# The feed serves only transactions older than every open one in the cluster: run alone.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]

TODAY = timezone.localdate()


def day(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


def _admin_dsn(dbname: str) -> str:
    db = settings.DATABASES["default"]
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={dbname}"


def _sql(dbname: str, statement: str) -> list[tuple]:
    connection = psycopg2.connect(_admin_dsn(dbname))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class World:
    def __init__(self) -> None:
        RegionFactory(code="amsterdam")
        self.orgs = [OrganisationFactory(code=c) for c in ("politie", "ggd", "reclassering")]
        self.spare = OrganisationFactory(code="opgeheven")
        self.spare_id = self.spare.pk
        self.regisseurs = [
            RegisseurFactory(user=UserFactory(first_name=n, last_name="Regisseur"))
            for n in ("Anna", "Bram", "Cem")
        ]
        self.token = token_for(sync_client_user())


@pytest.fixture
def world(monkeypatch) -> World:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "100000/min"})
    return World()


@pytest.fixture
def target_url(world: World) -> Iterator[str]:
    """A copy of the source database as it is now (reference data, the sync client and
    its token), with sequences moved on so that ids differ, served by gunicorn."""
    source_db = settings.DATABASES["default"]["NAME"]
    target_db = f"{source_db}_mirror"
    connections.close_all()
    for _ in range(20):
        try:
            _sql("postgres", f'DROP DATABASE IF EXISTS "{target_db}"')
            _sql("postgres", f'CREATE DATABASE "{target_db}" TEMPLATE "{source_db}"')
            break
        except psycopg2.errors.ObjectInUse:
            time.sleep(0.5)
    sequences = _sql(target_db, "SELECT schemaname || '.' || sequencename FROM pg_sequences")
    for (name,) in sequences:
        _sql(target_db, f"SELECT setval('{name}', 100000)")
    db = settings.DATABASES["default"]
    port = _free_port()
    env = _run_env(
        DJANGO_SETTINGS_MODULE="ipgar.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}:@{db['HOST']}:{db['PORT']}/{target_db}",
        API_THROTTLE_RATE="100000/min",
    )
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "ipgar.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", "1", "--threads", "2", "--timeout", "120"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(base + "/api/schema/", timeout=30)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the target instance did not start") from None
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        _sql("postgres", f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')


def register(api: Api, number: str, registered_days_ago: int, last_name: str) -> str:
    case = api.post(
        f"{API}/cases/",
        {
            "number": number,
            "region": "amsterdam",
            "registered_on": day(registered_days_ago),
            "person": {"first_name": "Sam", "last_name": last_name, "address": "Dam 1"},
            "interpretation": "Signalen van radicalisering uit de wijk.",
            "preliminary_findings": "Gesprekken met school en wijkagent.",
        },
    )
    return f"{API}/cases/{case['id']}/"


def put_in_regie(api: Api, case: str, w: World, on: int, regisseur: int = 0) -> None:
    r, b = w.regisseurs[regisseur].pk, w.regisseurs[regisseur + 1].pk
    # The intake weighing that takes the case in comes before the assignment.
    intake = {"assessed_on": day(on), "care_criterion": True, "safety_criterion": True}
    intake |= {"risk_level": "midden", "reasoning": "Zorg en veiligheid."}
    api.post(f"{API}/assessments/", {"case": case_id(case), **intake})
    api.act(case, "assign", {"regisseur": r, "buddy": b, "reason": "Start", "on": day(on)})
    api.act(case, "sign-notification", {"signed_on": day(on), "signed_by": "De burgemeester"})


def case_id(path: str) -> int:
    return int(path.rstrip("/").rsplit("/", 1)[1])


def build_source(api: Api, w: World) -> dict[str, str]:
    """Two cases through the source's own API: one far along, one just registered."""
    politie, ggd = w.orgs[0].pk, w.orgs[1].pk
    first = register(api, "R-1", 300, "Jansen")
    put_in_regie(api, first, w, 290)
    cid = case_id(first)
    member = api.post(
        f"{API}/team-members/",
        {
            "case": cid,
            "name": "Wijkagent",
            "organisation": politie,
            "joined_on": day(280),
            "sharing_basis": "Zwaarwegend belang: signalen uit de wijk.",
        },
    )
    assessment = api.post(
        f"{API}/assessments/",
        {
            "case": cid,
            "assessed_on": day(280),
            "care_criterion": True,
            "safety_criterion": True,
            "risk_level": "hoog",
            "reasoning": "Zorgen over contacten.",
        },
    )
    plan = api.post(
        f"{API}/plans/",
        {
            "case": cid,
            "concerns": "Zorgen",
            "goals": "Doelen",
            "course": "Koers",
            "joint_task": "Samen",
            "interventions": [
                {
                    "description": "Gesprekken",
                    "pillar": "zorg",
                    "responsible_organisation": ggd,
                    "deadline": day(100),
                }
            ],
        },
    )
    plan_path = f"{API}/plans/{plan['id']}/"
    api.patch(plan_path, {"goals": "Scherpere doelen"})
    api.act(
        plan_path,
        "itat-advice",
        {"given_on": day(250), "recommendation": "positief", "advice": "Akkoord."},
    )
    plan = api.act(plan_path, "adopt", {"adopted_on": day(245)})
    api.act(first, "phase", {"to_phase": 2, "reason": "Plan vastgesteld", "on": day(240)})
    api.act(
        plan_path,
        "intervention-progress",
        {"intervention": plan["interventions"][0]["id"], "status": "lopend", "result": ""},
    )
    meeting = api.post(
        f"{API}/meetings/",
        {
            "case": cid,
            "held_on": day(200),
            "kind": "eerste_uvo",
            "first_uvo_part": 1,  # the first UVO in two meetings
            "agenda": "Voortgang",
            "attendees": [
                {"name": "Wijkagent", "organisation": politie, "team_member": member["id"]},
                {"name": "Arts", "organisation": ggd},
            ],
            "actions": [
                {"description": "Bellen", "owner_organisation": politie, "due_on": day(150)}
            ],
        },
    )
    meeting_path = f"{API}/meetings/{meeting['id']}/"
    api.post(
        f"{API}/meetings/",
        {
            "case": cid,
            "held_on": day(195),
            "kind": "eerste_uvo",
            "first_uvo_part": 2,
            "attendees": [{"name": "Arts", "organisation": ggd}],
        },
    )
    api.act(
        meeting_path, "action-done", {"action": meeting["actions"][0]["id"], "done_on": day(190)}
    )
    api.post(
        f"{API}/evaluations/",
        {
            "case": cid,
            "kind": "maandelijks",
            "held_on": day(180),
            "findings": "Gaat goed.",
            "assessment": assessment["id"],
        },
    )
    second = register(api, "R-2", 100, "de Vries")
    fourth = register(api, "R-4", 90, "Mulder")
    put_in_regie(api, fourth, w, 80, regisseur=1)
    leaver = api.post(
        f"{API}/team-members/",
        {"case": case_id(fourth), "name": "Jongerenwerker", "organisation": ggd,
         "joined_on": day(70), "sharing_basis": "Zwaarwegend belang: jongerenwerk."},
    )  # fmt: skip
    fifth = register(api, "R-5", 60, "Smit")  # the weighing does not take the person in
    weighing = {"assessed_on": day(58), "care_criterion": True, "safety_criterion": False}
    weighing |= {"risk_level": "laag", "reasoning": "Geen veiligheidsrisico."}
    api.post(f"{API}/assessments/", {"case": case_id(fifth), **weighing})
    api.act(fifth, "not-included", {"on": day(55), "reason": "Alleen zorgproblemen."})
    return {
        "first": first,
        "second": second,
        "fourth": fourth,
        "leaver": f"{API}/team-members/{leaver['id']}/",
        "meeting": meeting_path,
        "plan": plan_path,
    }


def change_source(api: Api, w: World, paths: dict[str, str]) -> None:
    """Create, update, hand-over, buddy change, a team member leaving, exit, deletion
    and pseudonymisation on the source."""
    api.act(
        paths["fourth"], "buddy", {"to_buddy": w.regisseurs[0].pk, "reason": "Verlof", "on": day(8)}
    )
    api.act(paths["leaver"], "leave", {"left_on": day(6)})
    stuck = api.post(  # a stuck case: the team tried, colleagues, a doorbraakoverleg
        f"{API}/escalations/",
        {
            "case": case_id(paths["fourth"]),
            "stuck_since": day(12),
            "what_is_stuck": "Geen contact meer.",
            "team_attempts": "Huisbezoek en brief.",
        },
    )
    stuck_path = f"{API}/escalations/{stuck['id']}/"
    api.act(
        stuck_path, "step", {"kind": "collegas", "held_on": day(10), "outcome": "Andere ingang."}
    )
    api.act(
        stuck_path,
        "step",
        {"kind": "doorbraak", "held_on": day(5), "outcome": "Nieuwe aanpak.", "participants": "X"},
    )
    third = register(api, "R-3", 50, "Bakker")  # create
    put_in_regie(api, third, w, 40, regisseur=1)
    person = next(api.all(f"{API}/persons/", case=case_id(paths["first"])))
    api.patch(f"{API}/persons/{person['id']}/", {"address": "Nieuwe straat 2"})  # update
    api.patch(paths["meeting"], {"decisions": "Doorgaan met gesprekken."})
    # New objects naming older ones that the incremental run reads again only for
    # them: an attendee's team member, an evaluation's weighing (the intake of the
    # fourth case); and progress on the adopted plan (a nested row, named through its
    # plan).
    cid = case_id(paths["first"])
    member = next(api.all(f"{API}/team-members/", case=cid))
    politie = w.orgs[0].pk
    api.post(
        f"{API}/meetings/",
        {
            "case": cid,
            "held_on": day(33),
            "kind": "uvo",
            "attendees": [
                {"name": "Wijkagent", "organisation": politie, "team_member": member["id"]}
            ],
        },
    )
    intake = next(api.all(f"{API}/assessments/", case=case_id(paths["fourth"])))
    api.post(
        f"{API}/evaluations/",
        {
            "case": case_id(paths["fourth"]),
            "kind": "tweejaarlijks",
            "held_on": day(7),
            "findings": "Stabiel.",
            "exit_possible": False,
            "assessment": intake["id"],
        },
    )
    plan, _ = api.get(paths["plan"])
    progress = {"status": "afgerond", "result": "Gesprekken gevoerd."}
    api.act(
        paths["plan"],
        "intervention-progress",
        {"intervention": plan["interventions"][0]["id"], **progress},
    )
    first = paths["first"]
    api.act(
        first, "hand-over", {"to_regisseur": w.regisseurs[2].pk, "reason": "Ziek", "on": day(30)}
    )
    api.post(
        f"{API}/assessments/",
        {
            "case": case_id(first),
            "assessed_on": day(25),
            "care_criterion": False,
            "safety_criterion": False,
            "risk_level": "laag",
            "reasoning": "Geen dreiging meer.",
        },
    )
    api.act(first, "phase", {"to_phase": 3, "reason": "Uitstroom", "on": day(20)})
    exit_procedure = api.post(  # exit: phase 3, the proposal at its end, ITAT-R advice
        f"{API}/exits/",
        {
            "case": case_id(first),
            "ground": "risico_zorg_weg",
            "team_judgement": "De doelen zijn bereikt.",
            "on": day(20),
        },
    )
    api.act(
        f"{API}/exits/{exit_procedure['id']}/",
        "itat-advice",
        {"given_on": day(10), "recommendation": "positief", "advice": "Uitstroom kan."},
    )
    w.spare.delete()  # deletion (no API user ever writes it: a tombstone)
    programme = UserFactory(username="programma")
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    programme.groups.add(Group.objects.get(name=Role.PROGRAMME_TEAM.value))
    second = Case.objects.get(number="R-2")
    # pseudonymise
    person_erase_early(
        case=second, reason="Verzoek tot wissen van de betrokkene zelf", by=programme
    )


def test_mirror_two_instances(world: World, live_server, target_url: str, tmp_path: Path):
    source = Api(live_server.url, world.token)
    paths = build_source(source, world)
    state = tmp_path / "state.json"

    first = sync(source=source, target=Api(target_url, world.token), state=MirrorState.load(state))
    assert first.cases == 4 and first.writes > 10
    assert first.not_mirrored == []
    target = Api(target_url, world.token)
    assert case_fingerprints(target) == case_fingerprints(source)
    # The target's ids are its own; each object carries the source's id as external id.
    t_case = next(target.all(f"{API}/cases/", number="R-1"))
    assert t_case["id"] != case_id(paths["first"])
    assert t_case["external_id"] == str(case_id(paths["first"]))

    _, target_cursor = feed_after(target, "")
    again = sync(source=source, target=Api(target_url, world.token), state=MirrorState.load(state))
    assert (again.cases, again.writes) == (0, 0)
    assert feed_after(target, target_cursor)[0] == []  # the target did not change

    change_source(source, world, paths)
    third = sync(source=source, target=Api(target_url, world.token), state=MirrorState.load(state))
    assert third.cases == 4  # the three changed cases and the new one, nothing else
    s_prints, t_prints = case_fingerprints(source), case_fingerprints(target)
    assert sorted(t_prints) == ["R-1", "R-2", "R-3", "R-4", "R-5"]  # nothing lost or twice
    for number in ("R-1", "R-3", "R-4", "R-5"):
        assert t_prints[number] == s_prints[number]
    assert t_prints["R-1"]["case"]["phase"] == 3
    assert t_prints["R-1"]["case"]["regisseur"] == "Cem Regisseur"  # the hand-over
    assert t_prints["R-1"]["persons"][0]["address"] == "Nieuwe straat 2"  # the update
    assert t_prints["R-1"]["exits"][0]["status"] == "advies"
    closed = t_prints["R-5"]["case"]  # the not-included closure with its reasoning
    assert (closed["status"], closed["not_included_reason"]) == (
        "niet_opgenomen",
        "Alleen zorgproblemen.",
    )
    assert t_prints["R-4"]["case"]["buddy"] == "Anna Regisseur"  # the buddy change
    assert t_prints["R-4"]["team-members"][0]["left_on"] == day(6)  # the member who left
    escalation = t_prints["R-4"]["escalations"][0]  # the stuck case, step by step
    assert (escalation["status"], len(escalation["steps"])) == ("doorbraak", 2)
    assert [m["kind"] for m in t_prints["R-4"]["meetings"]] == ["doorbraak"]  # once
    assert sorted(m["first_uvo_part"] or 0 for m in t_prints["R-1"]["meetings"]) == [0, 1, 2]
    assert t_prints["R-1"]["plans"][0]["interventions"][0]["status"] == "afgerond"
    t_fourth = next(target.all(f"{API}/cases/", number="R-4"))
    t_evaluation = next(target.all(f"{API}/evaluations/", case=t_fourth["id"]))
    assert t_evaluation["assessment"] is not None  # its weighing, read again for it
    # The erasure: the target's record is pseudonymised too (at its own moment).
    s_person, t_person = s_prints["R-2"]["persons"][0], t_prints["R-2"]["persons"][0]
    assert s_person["pseudonymised_at"] and t_person["pseudonymised_at"]
    assert {**t_person, "pseudonymised_at": 1} == {**s_person, "pseudonymised_at": 1}
    assert t_person["last_name"] == "" and t_person["address"] == ""
    # What a sync client may not do on the target is reported, never faked: the
    # target's own administrators keep its organisations.
    assert third.not_mirrored == [f"organisations/{world.spare_id}: deleted"]
    _, target_cursor = feed_after(target, target_cursor)
    last = sync(source=source, target=Api(target_url, world.token), state=MirrorState.load(state))
    assert (last.cases, last.writes) == (0, 0)
    assert feed_after(target, target_cursor)[0] == []


def test_the_command_resumes_from_its_state_file(world: World, live_server, target_url, tmp_path):
    source = Api(live_server.url, world.token)
    register(source, "R-9", 10, "Smit")
    state = tmp_path / "state.json"
    args = [
        "sync_mirror",
        f"--source={live_server.url}",
        f"--source-token={world.token}",
        f"--target={target_url}",
        f"--target-token={world.token}",
        f"--state={state}",
    ]
    call_command(*args)
    cursor = MirrorState.load(state).cursor
    assert cursor
    register(source, "R-10", 5, "Visser")
    call_command(*args, "--workers=2")  # the second run writes two cases at a time
    assert FeedCursor.decode(MirrorState.load(state).cursor) > FeedCursor.decode(cursor)
    target = Api(target_url, world.token)
    assert sorted(case_fingerprints(target)) == ["R-10", "R-9"]
