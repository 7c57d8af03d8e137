"""Monitors as of a moment (docs/rules.md R-MON-3): the month, quarter and half-year
monitors of a past period count the approach as it stood at the period's end, so a
change made afterwards (a new case, an exit, an UVO, a phase change, a hand-over, a
changed fte) leaves them as they were; and the kinds' pages, readers and PDFs."""

from __future__ import annotations

import datetime
import re
import subprocess
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from cases.models import Assignment, Case, CaseStatus, Person, Phase
from cases.selectors.figures import cases_per_phase
from kernel.periods import HalfYear, Month, Period, Year
from kernel.quarters import Quarter
from monitoring.figures.asof import snapshot_on
from monitoring.models import Monitor
from monitoring.reports import REPORTS
from monitoring.services.monitors import monitor_request
from sampledata.demo import load_demo_data
from tests.conftest import sign_in
from tests.factories import (
    AssignmentFactory,
    CaseFactory,
    MeetingFactory,
    OrganisationFactory,
    PhaseTransitionFactory,
    RegisseurFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OCTOBER = Month(2026, 10)
Q3 = Quarter(2026, 3)
H1 = HalfYear(2026, 1)
NOVEMBER_2 = datetime.date(2026, 11, 2)


def caseloads_on(day: datetime.date) -> list[tuple[str, Decimal, int]]:
    """Each regisseur's kernpartner, fte and open cases at the end of ``day``, unsuppressed."""
    rows = snapshot_on(min(day, datetime.date(2026, 11, 23))).pool.rows
    return sorted((row.organisation, row.fte, row.total_cases) for row in rows)


def figures_of_past_periods() -> dict[str, dict]:
    return {
        "maand": REPORTS["maand"].figures(OCTOBER),
        "kwartaal": REPORTS["kwartaal"].figures(Q3),
        "halfjaar": REPORTS["halfjaar"].figures(H1),
    }


@pytest.fixture
def approach(today):
    """Two kernpartners; six cases in regie since 2025 with their assignments on record,
    three of them in phase 2 since March 2025 (with the transition on record)."""
    oov = RegisseurFactory(user=UserFactory(organisation=OrganisationFactory(name="OOV")))
    ggd = RegisseurFactory(user=UserFactory(organisation=OrganisationFactory(name="GGD")))
    cases = []
    for n in range(6):
        regisseur, buddy = (oov, ggd) if n < 4 else (ggd, oov)
        case = CaseFactory(regisseur=regisseur, buddy=buddy, phase2=n % 2 == 0)
        AssignmentFactory(case=case)
        AssignmentFactory(case=case, regisseur=buddy, role=Assignment.Role.BUDDY)
        if case.phase == Phase.EXECUTION:
            PhaseTransitionFactory(case=case)
        cases.append(case)
    return {"oov": oov, "ggd": ggd, "cases": cases}


def change_everything_after_the_periods(approach) -> None:
    """What happens in November 2026, after every period above ended."""
    oov, ggd, cases = approach["oov"], approach["ggd"], approach["cases"]
    by = UserFactory()
    # A new case, registered and assigned in November.
    CaseFactory(regisseur=ggd, buddy=oov, registered_on=NOVEMBER_2, since=NOVEMBER_2, phase2=True)
    # An exit on 10 November.
    Case.objects.filter(pk=cases[0].pk).update(
        status=CaseStatus.EXITED, phase=Phase.EXIT, exited_on=datetime.date(2026, 11, 10)
    )
    # A phase change, an UVO and a hand-over in November.
    PhaseTransitionFactory(
        case=cases[1], from_phase=Phase.CONTACT, to_phase=Phase.EXECUTION, on=NOVEMBER_2, by=by
    )
    Case.objects.filter(pk=cases[1].pk).update(phase=Phase.EXECUTION, phase_since=NOVEMBER_2)
    MeetingFactory(case=cases[2], held_on=NOVEMBER_2)
    Assignment.objects.filter(case=cases[3], role=Assignment.Role.REGISSEUR).update(
        ended_on=datetime.date(2026, 11, 1)
    )
    newcomer = RegisseurFactory(
        user=UserFactory(organisation=ggd.organisation), active_from=NOVEMBER_2
    )
    AssignmentFactory(case=cases[3], regisseur=newcomer, started_on=NOVEMBER_2)
    Case.objects.filter(pk=cases[3].pk).update(regisseur=newcomer, regisseur_since=NOVEMBER_2)
    # The OOV regisseur works more hours from now on (recorded in the history today).
    oov.fte = Decimal("0.5")
    oov.save()


def test_a_past_period_counts_the_approach_as_it_stood_at_its_end(approach):
    before = figures_of_past_periods()
    # As it stood at the end of October: six open cases, three of them in phase 2, the
    # OOV regisseur with four cases at 1.0 fte.
    month = before["maand"]
    assert month["open_cases"] == 6 and month["per_phase"] == {"1": 3, "2": 3, "3": 0}
    assert caseloads_on(OCTOBER.end) == [("GGD", Decimal("1.0"), 2), ("OOV", Decimal("1.0"), 4)]
    # The monitor prints those caseloads of fewer than five as '<5' (R-MON-4).
    assert [r["cases"] for r in month["regisseurs"]] == ["<5", "<5"]

    change_everything_after_the_periods(approach)
    # Today's picture has moved on: one exited, one more registered, one more in phase 2 ...
    assert cases_per_phase() == {1: 2, 2: 4, 3: 0}
    # ... and every past period still reads as it did, down to the counts it suppresses.
    assert caseloads_on(OCTOBER.end) == [("GGD", Decimal("1.0"), 2), ("OOV", Decimal("1.0"), 4)]
    after = figures_of_past_periods()
    for kind, figures in before.items():
        for key, value in figures.items():
            assert after[kind][key] == value, (kind, key)


def test_the_running_period_follows_the_changes(approach):
    """The other side: a monitor of the month still running counts what has happened."""
    november = Month(2026, 11)
    before = REPORTS["maand"].figures(november)
    change_everything_after_the_periods(approach)
    after = REPORTS["maand"].figures(november)
    assert (before["open_cases"], after["open_cases"]) == (6, 6)  # one in, one out
    assert (before["inflow"], after["inflow"]) == (0, 1)
    assert (before["outflow"], after["outflow"]) == (0, 1)
    assert after["phase_changes"] == [{"from": 1, "to": 2, "count": 1}]
    assert after["rhythm"]["uvos_held"] == 1
    # The hand-over moved a case from OOV to a new GGD regisseur; the exit left OOV too;
    # the OOV regisseur works half time from today.
    assert caseloads_on(november.end) == [
        ("GGD", Decimal("1.0"), 1),
        ("GGD", Decimal("1.0"), 3),
        ("OOV", Decimal("0.5"), 2),
    ]


def test_the_month_monitor_counts_overdue_items_and_the_rhythm(approach):
    figures = REPORTS["maand"].figures(OCTOBER)
    overdue = {row["kind"]: row["count"] for row in figures["overdue"]}
    # The three phase-2 cases never had an UVO since March 2025: each UVO is overdue.
    assert overdue["uvo"] == 3
    assert figures["rhythm"]["phase2_cases"] == 3
    assert figures["rhythm"]["uvo_on_time"] == 0 and figures["rhythm"]["uvo_percentage"] == 0.0


# --- the kinds on the monitors page ------------------------------------------------------


def test_the_programme_team_starts_each_kind_and_pto_r_does_not_see_the_month_monitor(
    today, client, programme_team_member, pto_r_member, django_capture_on_commit_callbacks
):
    sign_in(client, programme_team_member)
    page = client.get(reverse("monitoring:monitors")).content.decode()
    for label in ("Maandmonitor", "Kwartaalmonitor", "Halfjaarmonitor", "Effectmonitor"):
        assert f"{label} maken" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("monitoring:monitor_start"),
            {"kind": "maand", "period": "2026-10", "run_id": str(uuid.uuid4())},
            follow=True,
        )
    assert "Maandmonitor oktober 2026 (versie 1) wordt gemaakt." in response.content.decode()
    month_run = Monitor.objects.get(kind="maand")
    assert month_run.period_code == "2026-10" and month_run.status == Monitor.Status.DONE
    quarter_run = monitor_request(period=Q3, by=programme_team_member)

    sign_in(client, pto_r_member)
    page = client.get(reverse("monitoring:monitors")).content.decode()
    assert "Kwartaalmonitor 2026 K3" in page and "Maandmonitor" not in page
    assert "maken" not in page  # PTO-R reads monitors, it does not make them
    month_pdf = reverse("monitoring:monitor_download", kwargs={"pk": month_run.pk})
    assert client.get(month_pdf).status_code == 403
    quarter_status = reverse("monitoring:monitor_status", kwargs={"pk": quarter_run.pk})
    assert client.get(quarter_status).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "maand", "period": "2026-Q3"}, "Geef de maand op als jaar-mm"),
        ({"kind": "halfjaar", "period": "2026-H3"}, "Geef het halfjaar op als jaar-Hn"),
        ({"kind": "weekmonitor", "period": "2026-10"}, "Deze periode past niet bij deze monitor."),
        ({"kind": "maand", "period": "2027-01"}, "Deze periode is nog niet begonnen"),
    ],
)
def test_a_wrong_kind_or_period_is_refused_in_dutch_and_starts_nothing(
    today, client, programme_team_member, data, message
):
    sign_in(client, programme_team_member)
    response = client.post(
        reverse("monitoring:monitor_start"), {**data, "run_id": str(uuid.uuid4())}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Monitor.objects.exists()


def test_the_schedule_makes_each_kind_once_for_the_period_just_ended(today, settings):
    from monitoring.tasks import monitor_scheduled

    settings.CELERY_TASK_ALWAYS_EAGER = True
    for kind in ("maand", "halfjaar"):
        first, again = monitor_scheduled(kind), monitor_scheduled(kind)
        assert first == again
    runs = {m.kind: m.period_code for m in Monitor.objects.all()}
    assert runs == {"maand": "2026-10", "halfjaar": "2026-H1"}
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "monitoring.tasks.monitor_scheduled" in beat


# --- the PDFs on the demo data -------------------------------------------------------------


@pytest.fixture
def pool_2020(media_root):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)):
        load_demo_data(today=datetime.date(2026, 11, 23))
        yield


def pdftotext(monitor: Monitor) -> str:
    with monitor.pdf.open("rb") as handle:
        data = handle.read()
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"[ \t]+", " ", text)


@pytest.mark.parametrize(
    ("kind", "period", "title"),
    [
        ("maand", OCTOBER, "Maandmonitor oktober 2026"),
        ("halfjaar", HalfYear(2026, 2), "Halfjaarmonitor 2026 2e halfjaar"),
        ("effect", Year(2026), "Effectmonitor 2026"),
    ],
)
def test_the_pdf_prints_its_figures_in_dutch_and_no_person_data(
    pool_2020, django_capture_on_commit_callbacks, kind, period, title
):
    programme_team = User.objects.get(username="programmateam")
    with django_capture_on_commit_callbacks(execute=True):
        monitor = monitor_request(kind=kind, period=period, by=programme_team)
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.DONE, monitor.error
    text = pdftotext(monitor)
    figures = monitor.figures
    assert title in text
    assert f"{period.start:%d-%m-%Y} t/m {period.end:%d-%m-%Y}" in text
    if kind == "maand":
        for phase, n in figures["per_phase"].items():
            assert re.search(rf"\n ?Fase {phase} {n}\n", text)
        for row in figures["overdue"]:
            assert re.search(rf"{re.escape(row['label'])}\s+{row['count']}\b", text)
        total = figures["pool"]
        assert re.search(
            rf"Totaal \({total['regisseurs']}\)\s+{total['fte'].replace('.', ',')}", text
        )
    elif kind == "effect":
        for row in figures["pillars"]:
            cells = (row["afgerond"], row["lopend_gepland"], row["gestopt"], row["total"])
            assert f"{row['label']} {' '.join(map(str, cells))}" in text
        assert figures["weighings"]["cases"] > 0
    else:
        for row in figures["trend"]:
            assert re.search(
                rf"{row['label']}\s+{row['open_cases']}\s+{row['inflow']}\s+{row['outflow']}", text
            )
        assert "Doorbraakoverleggen gehouden" in text
    for person in Person.objects.all():
        for value in (person.first_name, person.last_name, person.bsn, person.address):
            if value and len(value) > 3:
                assert value not in text
        if person.date_of_birth:
            assert f"{person.date_of_birth:%d-%m-%Y}" not in text
    # The figures are counted again for the same period: the same.
    assert REPORTS[kind].figures(period) == figures


PAST_PERIODS: dict[str, Period] = {
    "maand": OCTOBER,
    "kwartaal": Q3,
    "halfjaar": H1,
    "effect": Year(2025),
}


def printed(monitor: Monitor) -> str:
    """The PDF's text without what differs between two versions by design: the version
    number and the moment it was made."""
    text = pdftotext(monitor)
    text = re.sub(r"\bv\d+ · vertrouwelijk", "v· vertrouwelijk", text)
    text = re.sub(r"(?i)(versie)\s+\d+", r"\1", text)
    return re.sub(r"\d{2}-\d{2}-\d{4}\s+\d{2}:\d{2}", "(tijdstip)", text)


def test_each_monitor_of_a_past_period_prints_the_same_after_the_data_changed(
    approach, media_root, programme_team_member, django_capture_on_commit_callbacks
):
    """The PDFs themselves, read back: a second version of each kind's past period, made
    after November's changes, prints exactly what the first printed."""
    first = {}
    for kind, period in PAST_PERIODS.items():
        with django_capture_on_commit_callbacks(execute=True):
            monitor = monitor_request(kind=kind, period=period, by=programme_team_member)
        monitor.refresh_from_db()
        assert monitor.status == Monitor.Status.DONE, monitor.error
        first[kind] = printed(monitor)

    change_everything_after_the_periods(approach)

    for kind, period in PAST_PERIODS.items():
        with django_capture_on_commit_callbacks(execute=True):
            again = monitor_request(kind=kind, period=period, by=programme_team_member)
        again.refresh_from_db()
        assert again.version == 2
        assert printed(again) == first[kind], kind
    # The PDFs print what happened in their periods: the month's six open cases.
    assert re.search(r"\n ?Fase 2 3\n", first["maand"])
